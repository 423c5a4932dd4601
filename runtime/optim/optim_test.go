package optim

import (
	"math"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// tol is the tolerance of the hand-computed trajectories: they are exact decimals, the
// optimizer computes in float32 (one ulp near 1 is 1.2e-7).
const tol = 1e-6

// twoStep runs opt for two steps with lr on the parameter w = [1, -2], with the gradients
// [0.5, 0] then [-0.25, 0] (the gradient is given, not computed from w, so every number in
// the trajectories below can be derived by hand). The second element therefore moves by
// weight decay alone. It returns the parameter after each step.
func twoStep(t *testing.T, opt Optimizer, lr float32) (*tensor.Param, [2][2]float32) {
	t.Helper()
	p := param([]float32{1, -2})
	var out [2][2]float32
	for k, g := range [][]float32{{0.5, 0}, {-0.25, 0}} {
		copy(p.Grad.Data, g)
		opt.Step([]*tensor.Param{p}, lr)
		copy(out[k][:], p.Value.Data)
	}
	return p, out
}

// param returns a parameter with the given values and a zero gradient.
func param(values []float32) *tensor.Param {
	p := tensor.NewParam("w", len(values))
	copy(p.Value.Data, values)
	return p
}

func checkClose(t *testing.T, what string, got []float32, want ...float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

func TestSlotsNamesShapesAndIdentity(t *testing.T) {
	cases := []struct {
		opt   Optimizer
		names []string
	}{
		{&SGD{Momentum: 0.9}, []string{"momentum"}},
		{&SGD{}, []string{"momentum"}},
		{NewAdam(), []string{"m", "v"}},
		{NewAdamW(), []string{"m", "v"}},
	}
	for _, c := range cases {
		p := tensor.NewParam("w", 2, 3)
		before := c.opt.Slots(p)
		c.opt.Step([]*tensor.Param{p}, 0.1)
		after := c.opt.Slots(p)
		if len(after) != len(c.names) {
			t.Fatalf("%T: %d slots, want %v", c.opt, len(after), c.names)
		}
		for i, s := range after {
			if s.Name != c.names[i] {
				t.Errorf("%T slot %d named %q, want %q", c.opt, i, s.Name, c.names[i])
			}
			if tensor.ShapeString(s.Value.Shape) != "[2 3]" {
				t.Errorf("%T slot %q has shape %v", c.opt, s.Name, s.Value.Shape)
			}
			if s.Value != before[i].Value {
				t.Errorf("%T slot %q was reallocated by Step", c.opt, s.Name)
			}
		}
	}
}

// TestSlotsAreTheState checks that writing into a slot changes the next update, the way a mask
// zeroes the momentum of pruned weights.
func TestSlotsAreTheState(t *testing.T) {
	opt := &SGD{Momentum: 0.9}
	p := param([]float32{1, 1})
	p.Grad.Data[0], p.Grad.Data[1] = 1, 1
	opt.Step([]*tensor.Param{p}, 0.1) // buf = [1 1], w = [0.9 0.9]
	opt.Slots(p)[0].Value.Data[1] = 0 // mask the second entry
	opt.Step([]*tensor.Param{p}, 0.1) // buf = [0.9+1, 0+1], w = [0.9-0.19, 0.9-0.1]
	checkClose(t, "w", p.Value.Data, 0.71, 0.8)
	checkClose(t, "momentum", opt.Slots(p)[0].Value.Data, 1.9, 1)
}

func TestNilGradIsSkipped(t *testing.T) {
	for _, opt := range []Optimizer{&SGD{Momentum: 0.9}, NewAdam(), NewAdamW()} {
		p := param([]float32{1})
		p.Grad = nil
		opt.Step([]*tensor.Param{p}, 0.1)
		if p.Value.Data[0] != 1 {
			t.Errorf("%T changed a parameter without a gradient: %v", opt, p.Value.Data[0])
		}
	}
}

// TestNoAllocationAfterFirstStep: state is allocated once per parameter, then never again.
func TestNoAllocationAfterFirstStep(t *testing.T) {
	opts := []Optimizer{&SGD{}, &SGD{Momentum: 0.9}, &SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4},
		NewAdam(), NewAdamW()}
	for _, opt := range opts {
		params := []*tensor.Param{tensor.NewParam("a", 30, 20), tensor.NewParam("b", 20), tensor.NewParam("c", 7)}
		opt.Step(params, 0.01)
		allocs := testing.AllocsPerRun(20, func() {
			opt.Step(params, 0.01)
			opt.Slots(params[0])
			ClipGlobalNorm(params, 1)
		})
		if allocs != 0 {
			t.Errorf("%T: %v allocations per step after the first", opt, allocs)
		}
	}
}

// TestConvergesOnQuadratic minimises f(w) = sum_i a_i (w_i - c_i)^2 / 2, whose gradient is
// a_i (w_i - c_i), from w = 0; every optimizer must reach c.
func TestConvergesOnQuadratic(t *testing.T) {
	a := []float32{1, 4, 0.5}
	c := []float32{1, -2, 3}
	cases := []struct {
		opt   Optimizer
		lr    float32
		steps int
	}{
		{&SGD{}, 0.2, 500},
		{&SGD{Momentum: 0.9}, 0.05, 500},
		{&SGD{Momentum: 0.9, Nesterov: true}, 0.05, 500},
		{NewAdam(), 0.05, 2000},
		{&AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, 0.05, 2000},
	}
	for _, k := range cases {
		p := param(make([]float32, 3))
		for range k.steps {
			for i, w := range p.Value.Data {
				p.Grad.Data[i] = a[i] * (w - c[i])
			}
			k.opt.Step([]*tensor.Param{p}, k.lr)
		}
		for i, w := range p.Value.Data {
			if math.Abs(float64(w-c[i])) > 1e-3 {
				t.Errorf("%T%+v: w[%d] = %v after %d steps, want %v", k.opt, k.opt, i, w, k.steps, c[i])
			}
		}
	}
}

// TestStepOrderIsDeterministic: two optimizers fed the same parameters in the same order end
// bit-identical.
func TestStepOrderIsDeterministic(t *testing.T) {
	run := func() []float32 {
		opt := NewAdamW()
		ps := []*tensor.Param{param([]float32{1, 2}), param([]float32{-1, 0.5})}
		for k := range 10 {
			for _, p := range ps {
				for i := range p.Grad.Data {
					p.Grad.Data[i] = p.Value.Data[i] * float32(k+1)
				}
			}
			opt.Step(ps, 0.01)
		}
		return append(ps[0].Value.Data, ps[1].Value.Data...)
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("runs differ at %d: %v vs %v", i, a, b)
		}
	}
}
