package stdlib

import (
	"math"
	"slices"
	"testing"

	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// moeRouter is a small noiseless top-2 router over 3 experts: 4 rows of 3 inputs and
// the gate's weight and bias, chosen so that every row's scores are far apart (a
// central difference never changes which experts a row picks).
var moeRouter = struct {
	x, wg, bg []float32
}{
	x:  []float32{1, 0, 0.5, 0, 1, -0.5, 1, 1, 0, -1, 0.5, 1},
	wg: []float32{2, -1, 0.5, -1, 1.5, 0, 0.3, 0.2, -2},
	bg: []float32{0.1, -0.2, 0.4},
}

// moeAux builds an moe layer on moeRouter with the given balance α and importance w
// and returns the sum of the training-loss terms it adds, and d(sum)/d(gate_weight).
func moeAux(t *testing.T, alpha, w float64, wg []float32) (float64, []float32) {
	t.Helper()
	g := graph.New()
	x := tensor.NewParam("x", 4, 3)
	copy(x.Value.Data, moeRouter.x)
	params := map[string]*tensor.Param{}
	var aux []*graph.Node
	b := &Builder{G: g,
		Weight: func(name string, shape []int, _ int, _ Init) *graph.Node {
			p := tensor.NewParam(name, shape...)
			for i := range p.Value.Data {
				p.Value.Data[i] = 0.1 * float32(i%5-2) // the experts' weights do not reach the terms
			}
			switch name {
			case "gate_weight":
				copy(p.Value.Data, wg)
			case "gate_bias":
				copy(p.Value.Data, moeRouter.bg)
			}
			params[name] = p
			return g.Param(p)
		},
		Scalar:  func(s schedule.Schedule) *graph.Node { return g.Const(float32(s.At(0))) },
		Report:  func(string, *graph.Node) {},
		AuxLoss: func(v *graph.Node) { aux = append(aux, v) },
	}
	e, _ := Default.Entry("moe")
	e.Build(b, []*graph.Node{g.Param(x)}, Args{
		"units": 2.0, "experts": 3.0, "hidden": 0.0, "k": 2.0, "gate": "topk", "noise": false, "normalize": true,
		"temperature": schedule.Constant{Value: 1}, "threshold": 1e-3, "capacity": 0.0,
		"balance": schedule.Constant{Value: alpha}, "importance": schedule.Constant{Value: w},
	})
	if len(aux) == 0 {
		return 0, make([]float32, len(wg))
	}
	total := aux[0]
	for _, a := range aux[1:] {
		total = g.Add(total, a)
	}
	prog, err := g.Compile(graph.Options{Loss: total})
	if err != nil {
		t.Fatal(err)
	}
	if err := prog.Run(); err != nil {
		t.Fatal(err)
	}
	return float64(prog.Value(total).Data[0]), slices.Clone(params["gate_weight"].Grad.Data)
}

// moeAuxWant is the two terms written out in float64 from PAPERS.md G1: the switch
// term α·E·Σ_e f_e·P_e (f_e the share of rows whose first choice is e, P_e the mean
// router probability) and the importance term w·CV(Σ_x G(x))² with the population
// variance and tensor2tensor's ε = 10⁻¹⁰, G being the softmax over each row's top 2.
func moeAuxWant(alpha, w float64, wg []float32) float64 {
	const rows, inputs, experts = 4, 3, 3
	f, p, imp := make([]float64, experts), make([]float64, experts), make([]float64, experts)
	for r := range rows {
		h := make([]float64, experts)
		for e := range experts {
			h[e] = float64(moeRouter.bg[e])
			for i := range inputs {
				h[e] += float64(moeRouter.x[r*inputs+i]) * float64(wg[e*inputs+i])
			}
		}
		order := []int{0, 1, 2}
		slices.SortFunc(order, func(a, b int) int { return int(math.Copysign(1, h[b]-h[a])) })
		f[order[0]] += 1.0 / rows
		for e, q := range softmax64(h) {
			p[e] += q / rows
		}
		top := softmax64([]float64{h[order[0]], h[order[1]]})
		imp[order[0]] += top[0]
		imp[order[1]] += top[1]
	}
	var switchTerm, mean, variance float64
	for e := range experts {
		switchTerm += f[e] * p[e]
		mean += imp[e] / experts
	}
	for e := range experts {
		variance += (imp[e] - mean) * (imp[e] - mean) / experts
	}
	return alpha*experts*switchTerm + w*variance/(mean*mean+1e-10)
}

// TestMoEBalanceTerms pins the switch and importance terms an moe layer adds to the
// training loss, alone and together, to the formulas written out, and checks their
// gradient with respect to the router's weight by central differences.
func TestMoEBalanceTerms(t *testing.T) {
	for _, c := range []struct{ alpha, w float64 }{{0.5, 0}, {0, 0.25}, {0.5, 0.25}, {0, 0}} {
		got, grad := moeAux(t, c.alpha, c.w, moeRouter.wg)
		want := moeAuxWant(c.alpha, c.w, moeRouter.wg)
		if math.Abs(got-want) > 1e-5*max(1, math.Abs(want)) {
			t.Errorf("balance %g, importance %g: terms %.7g, want %.7g", c.alpha, c.w, got, want)
		}
		numeric := handDiff(func(v []float64) float64 {
			wg := make([]float32, len(v))
			for i, x := range v {
				wg[i] = float32(x)
			}
			return moeAuxWant(c.alpha, c.w, wg)
		}, moeRouter.wg)
		checkGrad(t, "d terms / d gate_weight", grad, numeric)
	}
	if v, _ := moeAux(t, 0, 0.25, moeRouter.wg); v <= 0 {
		t.Errorf("the importance term of an uneven router is %g, want > 0", v)
	}
}
