package mask

import (
	"math/rand/v2"

	"github.com/roux-ml/roux/runtime/schedule"
)

// Init says how a mask starts (PAPERS.md M1, M3, block masks); magnitude pruning at the
// start is a constant sparsity target with the magnitude criterion.
type Init struct {
	Kind         string  // "random", "nm", "block"
	Sparsity     float64 // random, block
	Distribution string  // random: "uniform", "er", "erk"
	Power        float64 // random erk: exponent of the raw score
	N, M         int     // nm: keep N of every M along the input dimension
	Block        int     // block: side of the square blocks
	// Custom builds the starting mask of an init registered from Go: it fills masks[i]
	// (1 active, 0 pruned) for the weights[i] of the given shapes. Kind is then the
	// entry's name.
	Custom func(masks, weights [][]float32, shapes [][]int, rng *rand.Rand) error
}

// Criterion says how scheduled pruning picks the weights to remove (PAPERS.md M2).
type Criterion struct {
	Scope string // "global" or "layer"
	Every int    // steps between prunings
}

// Regrow is dynamic sparse training (PAPERS.md M4): every Every steps until Until, drop
// the Fraction(t) smallest active weights of each layer and grow as many.
type Regrow struct {
	Rule     string // "set" (random) or "rigl" (largest dense gradient)
	Fraction schedule.Schedule
	Every    int
	Until    int
}

// Pruned says what pruned weights do (PAPERS.md RP1, M3, M5).
type Pruned struct {
	Rule  string            // "zero", "ste", "srste", "decay", "shrink"
	Decay float64           // srste: λ_W of the decay pulling pruned weights to zero
	Beta  schedule.Schedule // decay: the value β(t) pruned weights are scaled by
	Rho   schedule.Schedule // shrink: the factor ρ applied to the smallest weights each step
}
