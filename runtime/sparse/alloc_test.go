package sparse

import (
	"math/rand/v2"
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
