package stdlib

import (
	"math"
	"testing"

	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/tensor"
)

// lossValue builds one loss entry on constant inputs and returns its value, and the
// analytic and finite-difference gradients with respect to the prediction.
func lossValue(t *testing.T, name string, a Args, shape []int, pred, target []float32) (float64, []float32, []float64) {
	t.Helper()
	run := func(p []float32) (float64, []float32) {
		g := graph.New()
		x, y := g.Input("p", shape...), g.Input("t", shape...)
		param := newTestParam(shape, p)
		pn := g.Add(x, g.Param(param)) // x is zero: the prediction is the parameter
		e, _ := Default.Entry(name)
		loss := e.Build(&Builder{G: g}, []*graph.Node{pn, y}, a)
		prog, err := g.Compile(graph.Options{Loss: loss, Outputs: []*graph.Node{loss}})
		if err != nil {
			t.Fatal(err)
		}
		copy(prog.Input("t").Data, target)
		if err := prog.Run(); err != nil {
			t.Fatal(err)
		}
		return float64(prog.Value(loss).Data[0]), append([]float32(nil), param.Grad.Data...)
	}
	v, grad := run(pred)
	numeric := make([]float64, len(pred))
	const h = 1e-2
	for i := range pred {
		up, down := append([]float32(nil), pred...), append([]float32(nil), pred...)
		up[i] += h
		down[i] -= h
		vu, _ := run(up)
		vd, _ := run(down)
		numeric[i] = (vu - vd) / (2 * h)
	}
	return v, grad, numeric
}

// TestRobustLosses pins each loss to a value worked out by hand, and checks its gradient
// against central differences.
func TestRobustLosses(t *testing.T) {
	cases := []struct {
		name         string
		a            Args
		shape        []int
		pred, target []float32
		want         float64 // worked out in the comment
	}{
		// |0|, |2|, |−2|, |0| → mean 1
		{"l1", nil, []int{2, 2}, []float32{1, 2, 3, 4}, []float32{1, 0, 5, 4}, 1},
		// d = 0.5: ½·0.25 = 0.125; d = −3: 1·3 − ½ = 2.5 → mean 1.3125
		{"huber", Args{"delta": 1.0}, []int{1, 2}, []float32{0.5, -3}, []float32{0, 0}, 1.3125},
		// sample 1: √(9+16+1) − 1 = 4.0990195; sample 2: √(0+1) − 1 = 0 → mean 2.0495098
		{"pseudo_huber", Args{"c": 1.0}, []int{2, 2}, []float32{3, 4, 0, 0}, []float32{0, 0, 0, 0}, (math.Sqrt(26) - 1) / 2},
		// default c = 0.00054·√2 for 2 features; d = (3, 4): √(25 + c²) − c
		{"pseudo_huber", nil, []int{1, 2}, []float32{3, 4}, []float32{0, 0}, math.Sqrt(25+0.00054*0.00054*2) - 0.00054*math.Sqrt2},
		// at the kinks: d = 0 (|d| and the clamp) and d = delta exactly
		{"huber", Args{"delta": 1.0}, []int{1, 2}, []float32{0, 1}, []float32{0, 0}, 0.25},
	}
	for _, c := range cases {
		v, grad, numeric := lossValue(t, c.name, c.a, c.shape, c.pred, c.target)
		if math.Abs(v-c.want) > 1e-5*max(1, math.Abs(c.want)) {
			t.Errorf("%s = %.7f, want %.7f", c.name, v, c.want)
		}
		for i := range grad {
			if math.Abs(float64(grad[i])-numeric[i]) > 2e-3+1e-2*math.Abs(numeric[i]) {
				t.Errorf("%s: gradient %d = %g, central difference %g", c.name, i, grad[i], numeric[i])
			}
		}
	}
}

func newTestParam(shape []int, values []float32) *tensor.Param {
	p := tensor.NewParam("p", shape...)
	copy(p.Value.Data, values)
	return p
}
