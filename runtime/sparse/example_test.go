package sparse_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/roux-ml/roux/runtime/sparse"
)

// Example builds ERK random masks for LeNet-300-100 at 90% sparsity, then runs RigL updates on
// them the way a trainer would every ΔT = 250 steps.
func Example() {
	shapes := [][]int{{300, 784}, {100, 300}, {10, 100}}
	dens, err := sparse.Densities(shapes, 0.1, sparse.ERK, 1, nil)
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var s sparse.Scratch
	masks, weights, grads := make([][]float32, 3), make([][]float32, 3), make([][]float32, 3)
	for l, shape := range shapes {
		n := shape[0] * shape[1]
		masks[l], weights[l], grads[l] = make([]float32, n), make([]float32, n), make([]float32, n)
		sparse.RandomMask(masks[l], sparse.Count(n, dens[l]), rng, &s)
		fmt.Printf("layer %d: density %.4f, %d of %d weights\n", l, dens[l], sparse.NNZ(masks[l]), n)
	}
	for step := 0; step < 750; step += 250 {
		f := sparse.DropFraction(step, 750, 0.3)
		for l := range masks {
			for i := range weights[l] { // stand-ins for trained weights and the dense gradient
				weights[l][i], grads[l][i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			k := sparse.DropCount(sparse.NNZ(masks[l]), f)
			grown, err := sparse.DropGrow(masks[l], weights[l], grads[l], k, sparse.Grow{Rule: sparse.GrowScore}, nil, &s)
			if err != nil {
				panic(err)
			}
			for _, i := range grown {
				weights[l][i] = 0 // new connections start at zero (and so do their optimizer slots)
			}
		}
	}
	for l := range masks {
		fmt.Printf("layer %d after updates: %d weights\n", l, sparse.NNZ(masks[l]))
	}
	// Output:
	// layer 0: density 0.0796, 18714 of 235200 weights
	// layer 1: density 0.2302, 6906 of 30000 weights
	// layer 2: density 1.0000, 1000 of 1000 weights
	// layer 0 after updates: 18714 weights
	// layer 1 after updates: 6906 weights
	// layer 2 after updates: 1000 weights
}
