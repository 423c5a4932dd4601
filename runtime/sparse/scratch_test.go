package sparse

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// lenetLayers returns LeNet-300-100's weights (784→300→100→10) with ERK masks at d=0.1, and
// dense gradients.
func lenetLayers() (masks, weights, grads [][]float32) {
	rng := rand.New(rand.NewPCG(42, 42))
	dens, _ := Densities(lenet, 0.1, ERK, 1, nil)
	for l, shape := range lenet {
		n := numel(shape)
		m := make([]float32, n)
		RandomMask(m, Count(n, dens[l]), rng, nil)
		masks, weights, grads = append(masks, m), append(weights, randWeights(rng, n)), append(grads, randWeights(rng, n))
	}
	return masks, weights, grads
}

// TestNoAllocations checks that the per-step functions do not allocate once the Scratch has grown.
func TestNoAllocations(t *testing.T) {
	masks, weights, grads := lenetLayers()
	m, w, g := masks[1], weights[1], grads[1] // [100 300]
	rng := rand.New(rand.NewPCG(1, 1))
	var s Scratch
	k := DropCount(NNZ(m), 0.3)
	for name, f := range map[string]func(){
		"DropGrow score":  func() { DropGrow(m, w, g, k, Grow{Rule: GrowScore}, nil, &s) },
		"DropGrow random": func() { DropGrow(m, w, nil, k, Grow{Rule: GrowRandom, ExcludeDropped: true}, rng, &s) },
		"Shrink":          func() { Shrink(w, PruneCount(len(w), 0.9), 0.99, &s) },
		"NMMask":          func() { NMMask(m, w, lenet[1], 1, 4, &s) },
		"MagnitudeMask":   func() { MagnitudeMask(m, w, 3000, &s) },
		"GlobalMagnitude": func() { GlobalMagnitude(masks, weights, 26620, &s) },
		"BlockMask":       func() { BlockMask(m, w, lenet[1], 4, 3000, &s) },
		"RandomMask":      func() { RandomMask(m, 3000, rng, &s) },
	} {
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %v allocations per run", name, a)
		}
	}
}

// TestScratchReuse checks that a Scratch dirtied by a larger layer does not change results:
// every function is a pure function of its inputs (and of the rng state).
func TestScratchReuse(t *testing.T) {
	masks, weights, grads := lenetLayers()
	var dirty Scratch
	GlobalMagnitude(masks, weights, 1000, &dirty)
	DropGrow(masks[0], weights[0], grads[0], 500, Grow{Rule: GrowRandom}, rand.New(rand.NewPCG(3, 3)), &dirty)
	m, w, g := slices.Clone(masks[1]), weights[1], grads[1]
	for name, f := range map[string]func(m []float32, s *Scratch){
		"MagnitudeMask": func(m []float32, s *Scratch) { MagnitudeMask(m, w, 777, s) },
		"NMMask":        func(m []float32, s *Scratch) { NMMask(m, w, lenet[1], 3, 12, s) },
		"BlockMask":     func(m []float32, s *Scratch) { BlockMask(m, w, lenet[1], 3, 777, s) },
		"DropGrow":      func(m []float32, s *Scratch) { DropGrow(m, w, g, 100, Grow{Rule: GrowScore}, nil, s) },
		"DropGrow SET": func(m []float32, s *Scratch) {
			DropGrow(m, w, g, 100, Grow{Rule: GrowRandom}, rand.New(rand.NewPCG(4, 4)), s)
		},
	} {
		a, b := slices.Clone(m), slices.Clone(m)
		f(a, &dirty)
		f(b, nil)
		if !slices.Equal(a, b) {
			t.Errorf("%s: a reused Scratch changed the result", name)
		}
	}
	wa, wb := slices.Clone(w), slices.Clone(w)
	if Shrink(wa, 5000, 0.5, &dirty) != Shrink(wb, 5000, 0.5, nil) || !slices.Equal(wa, wb) {
		t.Error("Shrink: a reused Scratch changed the result")
	}
}
