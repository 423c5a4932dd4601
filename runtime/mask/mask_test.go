package mask

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/sparse"
	"github.com/roux-ml/roux/runtime/tensor"
)

// rig is a set of masked layers trained by SGD with momentum on random gradients, so
// every invariant can be checked after every step.
type rig struct {
	t      *testing.T
	m      *Mask
	opt    *optim.SGD
	params []*tensor.Param
	rng    *rand.Rand
	dense  bool // the optimizer updates every weight, not only Param.Active
}

// lenet has LeNet-300-100's weight shapes scaled down, to keep the tests fast.
var lenet = [][]int{{60, 80}, {20, 60}, {10, 20}}

func newRig(t *testing.T, spec Spec, shapes [][]int) *rig {
	r := &rig{t: t, opt: &optim.SGD{Momentum: 0.9, WeightDecay: 1e-3}, rng: rand.New(rand.NewPCG(1, 2))}
	var layers []*Layer
	for i, s := range shapes {
		p := tensor.NewParam(string(rune('a'+i)), s...)
		for j := range p.Value.Data {
			p.Value.Data[j] = float32(r.rng.NormFloat64())
		}
		r.params = append(r.params, p)
		layers = append(layers, NewLayer(p))
	}
	slots := func(p *tensor.Param) [][]float32 {
		var out [][]float32
		for _, s := range r.opt.Slots(p) {
			out = append(out, s.Value.Data)
		}
		return out
	}
	m, err := New(spec, layers, 7, slots)
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	return r
}

// step fakes a backward pass with random effective gradients, then updates.
func (r *rig) step(step int) {
	for _, l := range r.m.Layers {
		for i := range l.Effective.Grad.Data {
			l.Effective.Grad.Data[i] = float32(r.rng.NormFloat64())
		}
	}
	r.m.AfterBackward()
	if r.dense {
		for _, p := range r.params {
			p.Active = nil
		}
	}
	r.opt.Step(r.params, 0.01)
	if err := r.m.AfterUpdate(step); err != nil {
		r.t.Fatal(err)
	}
}

// checkZero checks the zero rule's invariants: pruned weights, effective weights and
// momentum are exactly zero.
func (r *rig) checkZero(step int) {
	for _, l := range r.m.Layers {
		mom := r.opt.Slots(l.Param)[0].Value.Data
		for i, k := range l.Mask {
			if k == 0 && (l.Param.Value.Data[i] != 0 || l.Effective.Value.Data[i] != 0 || mom[i] != 0) {
				r.t.Fatalf("step %d: %s[%d] pruned but w=%g w̃=%g momentum=%g", step, l.Param.Name, i, l.Param.Value.Data[i], l.Effective.Value.Data[i], mom[i])
			}
			if k != 0 && k != 1 {
				r.t.Fatalf("mask value %g", k)
			}
		}
	}
}

func TestRandomERKZeroRule(t *testing.T) {
	r := newRig(t, Spec{Name: "m", Init: &Init{Kind: "random", Sparsity: 0.9, Distribution: "erk", Power: 1}, Pruned: Pruned{Rule: "zero"}}, lenet)
	densities, _ := sparse.Densities(lenet, 0.1, sparse.ERK, 1, nil)
	before := append([]int(nil), r.m.Active()...)
	for i, l := range r.m.Layers {
		if want := sparse.Count(len(l.Mask), densities[i]); before[i] != want {
			t.Fatalf("%s: %d active, want %d (density %.4f)", l.Param.Name, before[i], want, densities[i])
		}
	}
	for s := 1; s <= 20; s++ {
		r.step(s)
		r.checkZero(s)
	}
	if after := r.m.Active(); !equalInts(before, after) {
		t.Fatalf("active counts changed: %v -> %v", before, after)
	}
}

// TestGMPReachesTarget prunes with the cubic schedule and checks the realised sparsity
// of every layer equals the target to within one weight at and after the end.
func TestGMPReachesTarget(t *testing.T) {
	for _, scope := range []string{"layer", "global"} {
		r := newRig(t, Spec{Name: "gmp", Target: schedule.Cubic{From: 0, To: 0.9, Start: 5, End: 15}, Criterion: Criterion{Scope: scope, Every: 5},
			Pruned: Pruned{Rule: "zero"}}, lenet)
		for s := 1; s <= 20; s++ {
			r.step(s)
			r.checkZero(s)
		}
		total, active := 0, 0
		for i, l := range r.m.Layers {
			n, a := len(l.Mask), r.m.Active()[i]
			total, active = total+n, active+a
			if want := sparse.Count(n, 0.1); scope == "layer" && a != want {
				t.Errorf("%s %s: %d active, want %d", scope, l.Param.Name, a, want)
			}
		}
		if want := sparse.Count(total, 0.1); active != want {
			t.Errorf("%s: %d active in all, want %d", scope, active, want)
		}
	}
}

func TestNMGroups(t *testing.T) {
	shapes := [][]int{{16, 32}, {8, 16}}
	for _, rule := range []Pruned{{Rule: "zero"}, {Rule: "ste"}, {Rule: "srste", Decay: 2e-4}} {
		r := newRig(t, Spec{Name: "nm", Init: &Init{Kind: "nm", N: 2, M: 8}, Pruned: rule}, shapes)
		for s := 1; s <= 10; s++ {
			r.step(s)
			for _, l := range r.m.Layers {
				if !sparse.NMValid(l.Mask, l.Param.Value.Shape, 2, 8) {
					t.Fatalf("%s step %d: mask is not 2:8", rule.Rule, s)
				}
				for i, k := range l.Mask {
					if k == 0 && l.Effective.Value.Data[i] != 0 {
						t.Fatalf("%s: effective weight %d is %g under a pruned entry", rule.Rule, i, l.Effective.Value.Data[i])
					}
				}
			}
		}
	}
}

// TestGradientRules checks what the stored weights' gradient is under each rule.
func TestGradientRules(t *testing.T) {
	for _, rule := range []Pruned{{Rule: "zero"}, {Rule: "ste"}, {Rule: "srste", Decay: 0.5}} {
		r := newRig(t, Spec{Name: "g", Init: &Init{Kind: "random", Sparsity: 0.5, Distribution: "uniform"}, Pruned: rule}, [][]int{{4, 4}})
		l := r.m.Layers[0]
		for i := range l.Effective.Grad.Data {
			l.Effective.Grad.Data[i] = 1
		}
		r.m.AfterBackward()
		for i, k := range l.Mask {
			want := map[string]float32{"zero": k, "ste": 1, "srste": 1 + 0.5*(1-k)*l.Param.Value.Data[i]}[rule.Rule]
			if g := l.Param.Grad.Data[i]; g != want {
				t.Errorf("%s: gradient %d = %g, want %g", rule.Rule, i, g, want)
			}
		}
	}
}

// TestAfterBackwardParts checks that AfterBackwardPart over every part, in any order,
// gives AfterBackward's gradients bit for bit under each rule, the zero rule both with
// a list of kept entries (10% dense) and without one (60%), on shapes that do not
// divide into blocks of 16.
func TestAfterBackwardParts(t *testing.T) {
	cases := []struct {
		rule     Pruned
		sparsity float64
	}{{Pruned{Rule: "zero"}, 0.9}, {Pruned{Rule: "zero"}, 0.4}, {Pruned{Rule: "ste"}, 0.5}, {Pruned{Rule: "srste", Decay: 0.5}, 0.5}}
	for _, c := range cases {
		spec := Spec{Name: "g", Init: &Init{Kind: "random", Sparsity: c.sparsity, Distribution: "uniform"}, Pruned: c.rule}
		whole, parted := newRig(t, spec, [][]int{{37, 61}, {5, 3}}), newRig(t, spec, [][]int{{37, 61}, {5, 3}})
		if kept := whole.m.Layers[0].Param.Active != nil; kept != (c.rule.Rule == "zero" && c.sparsity > 0.5) {
			t.Fatalf("%s at %g: list of kept entries %v", c.rule.Rule, c.sparsity, kept)
		}
		g := rand.New(rand.NewPCG(5, 6))
		for k, l := range whole.m.Layers {
			for i := range l.Effective.Grad.Data {
				v := float32(g.NormFloat64())
				l.Effective.Grad.Data[i], parted.m.Layers[k].Effective.Grad.Data[i] = v, v
			}
		}
		whole.m.AfterBackward()
		for _, part := range []int{2, 0, 1} {
			parted.m.AfterBackwardPart(part, 3)
		}
		for k, l := range whole.m.Layers {
			if got := parted.m.Layers[k].Param.Grad.Data; !slices.EqualFunc(got, l.Param.Grad.Data, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Fatalf("%s at %g: layer %d's gradient differs by parts", c.rule.Rule, c.sparsity, k)
			}
		}
	}
}

// TestDecayBeta checks progressive gradient flow: pruned effective weights are exactly
// β(t)·w.
func TestDecayBeta(t *testing.T) {
	beta := schedule.Linear{From: 1, To: 0, Start: 0, End: 10}
	r := newRig(t, Spec{Name: "d", Init: &Init{Kind: "nm", N: 1, M: 4}, Pruned: Pruned{Rule: "decay", Beta: beta}}, [][]int{{4, 8}})
	for s := 1; s <= 12; s++ {
		r.step(s)
		l := r.m.Layers[0]
		b := float32(beta.At(s))
		for i, k := range l.Mask {
			if want := l.Param.Value.Data[i] * (k + (1-k)*b); l.Effective.Value.Data[i] != want {
				t.Fatalf("step %d: w̃[%d] = %g, want %g (β %g)", s, i, l.Effective.Value.Data[i], want, b)
			}
		}
	}
}

// TestRegrowKeepsCounts runs SET and RigL updates: active counts per layer never change,
// and grown weights start at zero with zero momentum.
func TestRegrowKeepsCounts(t *testing.T) {
	for _, rule := range []string{"set", "rigl"} {
		spec := Spec{Name: rule, Init: &Init{Kind: "random", Sparsity: 0.8, Distribution: "erk", Power: 1}, Pruned: Pruned{Rule: "zero"},
			Regrow: &Regrow{Rule: rule, Fraction: schedule.Constant{Value: 0.3}, Every: 2, Until: 16}}
		r := newRig(t, spec, lenet)
		before := append([]int(nil), r.m.Active()...)
		changed := false
		for s := 1; s <= 20; s++ {
			old := append([]float32(nil), r.m.Layers[0].Mask...)
			r.step(s)
			r.checkZero(s)
			changed = changed || !equalFloats(old, r.m.Layers[0].Mask)
			if after := r.m.Active(); !equalInts(before, after) {
				t.Fatalf("%s step %d: active counts %v -> %v", rule, s, before, after)
			}
		}
		if !changed {
			t.Errorf("%s never changed the mask", rule)
		}
	}
}

// TestShrink checks ISS-P: after a step the shrunk set holds the smallest weights, each
// scaled by ρ, and the mask marks the others.
func TestShrink(t *testing.T) {
	r := newRig(t, Spec{Name: "s", Target: schedule.Constant{Value: 0.5}, Criterion: Criterion{Every: 1}, Pruned: Pruned{Rule: "shrink", Rho: schedule.Constant{Value: 0.5}}}, [][]int{{8, 8}})
	l := r.m.Layers[0]
	r.step(1)
	if got := sparse.NNZ(l.Mask); got != 32 {
		t.Fatalf("%d active, want 32", got)
	}
	var shrunk float64
	for i, k := range l.Mask {
		if k == 0 {
			shrunk += math.Abs(float64(l.Param.Value.Data[i]))
		}
		if l.Effective.Value.Data[i] != l.Param.Value.Data[i] {
			t.Fatal("ISS-P computes with the stored weights")
		}
	}
	// the mass is reported before the shrink: twice what remains with ρ = 0.5
	if got := r.m.Shrunk()[0]; math.Abs(got-2*shrunk) > 1e-4*shrunk {
		t.Fatalf("shrunk mass %g, want %g", got, 2*shrunk)
	}
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func equalFloats(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestKeptOnlyUpdates checks that under the zero rule updating only the kept weights
// (Param.Active, rebuilt when the mask changes) gives bit for bit the weights and
// momentum of updating every weight, for masks that prune, regrow or stay fixed.
func TestKeptOnlyUpdates(t *testing.T) {
	erk := &Init{Kind: "random", Sparsity: 0.8, Distribution: "erk", Power: 1}
	zero := Pruned{Rule: "zero"}
	specs := []Spec{
		{Name: "fixed", Init: erk, Pruned: zero},
		{Name: "gmp", Target: schedule.Cubic{From: 0, To: 0.9, Start: 3, End: 15}, Criterion: Criterion{Scope: "global", Every: 3}, Pruned: zero},
		{Name: "set", Init: erk, Pruned: zero, Regrow: &Regrow{Rule: "set", Fraction: schedule.Constant{Value: 0.3}, Every: 2, Until: 16}},
		{Name: "rigl", Init: erk, Pruned: zero, Regrow: &Regrow{Rule: "rigl", Fraction: schedule.Constant{Value: 0.3}, Every: 2, Until: 16}},
	}
	for _, spec := range specs {
		kept, dense := newRig(t, spec, lenet), newRig(t, spec, lenet)
		dense.dense = true
		for s := 1; s <= 20; s++ {
			kept.step(s)
			dense.step(s)
			kept.checkZero(s)
			for i, l := range kept.m.Layers {
				if n := kept.m.Active()[i]; float64(n) < keptListBelow*float64(len(l.Mask)) && len(l.Param.Active) != n {
					t.Fatalf("%s step %d: %s lists %d kept weights, the mask keeps %d", spec.Name, s, l.Param.Name, len(l.Param.Active), n)
				}
				d := dense.m.Layers[i]
				if !slices.Equal(l.Param.Value.Data, d.Param.Value.Data) || !slices.Equal(l.Mask, d.Mask) ||
					!slices.Equal(kept.opt.Slots(l.Param)[0].Value.Data, dense.opt.Slots(d.Param)[0].Value.Data) {
					t.Fatalf("%s step %d: %s differs between kept-only and dense updates", spec.Name, s, l.Param.Name)
				}
			}
		}
	}
}

// TestStackedLayers checks that a weight stacking layers (an MoE's experts) gets N:M
// groups along each layer's inputs and ERK densities as if each layer stood alone.
func TestStackedLayers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	layers := func(shapes [][]int, stacks []int) []*Layer {
		var out []*Layer
		for i, s := range shapes {
			p := tensor.NewParam(string(rune('a'+i)), s...)
			for j := range p.Value.Data {
				p.Value.Data[j] = float32(rng.NormFloat64())
			}
			l := NewLayer(p)
			l.Stack = stacks[i]
			out = append(out, l)
		}
		return out
	}
	none := func(*tensor.Param) [][]float32 { return nil }
	nm, err := New(Spec{Name: "nm", Init: &Init{Kind: "nm", N: 2, M: 4}, Pruned: Pruned{Rule: "zero"}},
		layers([][]int{{3, 4, 8}}, []int{3}), 1, none)
	if err != nil {
		t.Fatal(err)
	}
	if l := nm.Layers[0]; !sparse.NMValid(l.Mask, []int{12, 8}, 2, 4) {
		t.Fatalf("stacked mask %v is not 2:4 along each expert's inputs", l.Mask)
	}
	shapes, stacks := [][]int{{3, 16, 32}, {10, 48}}, []int{3, 1}
	erk, err := New(Spec{Name: "erk", Init: &Init{Kind: "random", Sparsity: 0.8, Distribution: "erk", Power: 1}, Pruned: Pruned{Rule: "zero"}},
		layers(shapes, stacks), 1, none)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sparse.Densities([][]int{{16, 32}, {16, 32}, {16, 32}, {10, 48}}, 0.2, sparse.ERK, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{sparse.Count(3*16*32, d[0]), sparse.Count(10*48, d[3])} {
		if got := erk.Active()[i]; got != want {
			t.Fatalf("layer %d: %d active, want %d (densities %v)", i, got, want, d)
		}
	}
}
