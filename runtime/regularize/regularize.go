// Package regularize holds parameter penalties that act on gradients or weights rather than
// through the loss (PAPERS.md 2.4): L1 and L2 penalties added to the gradient, as
// MaskSparsity does (R1), and group lasso applied as a proximal step after each update
// (R2). Each may be restricted to the weights a mask prunes.
package regularize

import "math"

// Penalty is one regulariser: Grad adds λ·∂R/∂w to a gradient, or Prox applies the
// proximal map of t·R to weights after the optimizer's step. Exactly one is set. mask,
// when not nil, restricts the penalty to the positions where it is 0 (the mask's pruned
// weights); a group is penalised only when all its weights are pruned.
type Penalty struct {
	Grad func(g, w, mask []float32, lambda float32)
	Prox func(w []float32, shape []int, mask []float32, t float32)
}

// L1 is R = Σ|w|: the gradient gains λ·sign(w).
func L1() Penalty {
	return Penalty{Grad: func(g, w, mask []float32, lambda float32) {
		for i, x := range w {
			if mask != nil && mask[i] != 0 {
				continue
			}
			switch {
			case x > 0:
				g[i] += lambda
			case x < 0:
				g[i] -= lambda
			}
		}
	}}
}

// L2 is R = ½Σw²: the gradient gains λ·w.
func L2() Penalty {
	return Penalty{Grad: func(g, w, mask []float32, lambda float32) {
		for i, x := range w {
			if mask == nil || mask[i] == 0 {
				g[i] += lambda * x
			}
		}
	}}
}

// GroupLasso is R = Σ_g ‖w_g‖₂ over the rows (outputs: the first axis) or the columns
// (inputs: the second axis, across outputs and kernel positions) of a weight, applied by
// block soft-thresholding: w_g ← w_g·max(0, 1 − t/‖w_g‖₂), which zeroes whole groups.
func GroupLasso(rows bool) Penalty {
	return Penalty{Prox: func(w []float32, shape []int, mask []float32, t float32) {
		groups, size, at := groupIndex(shape, rows)
		for k := range groups {
			if mask != nil && !allPruned(mask, size, func(j int) int { return at(k, j) }) {
				continue
			}
			var sq float64
			for j := range size {
				x := float64(w[at(k, j)])
				sq += x * x
			}
			scale := float32(0)
			if norm := math.Sqrt(sq); norm > float64(t) {
				scale = float32(1 - float64(t)/norm)
			}
			for j := range size {
				w[at(k, j)] *= scale
			}
		}
	}}
}

// groupIndex views a weight [out, in, ...] as groups: at(k, j) is the index of the j-th
// value of group k.
func groupIndex(shape []int, rows bool) (groups, size int, at func(k, j int) int) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	out := shape[0]
	if rows || len(shape) < 2 {
		size = n / out
		return out, size, func(k, j int) int { return k*size + j }
	}
	in := shape[1]
	inner := n / (out * in)
	return in, out * inner, func(k, j int) int { return (j/inner*in+k)*inner + j%inner }
}

func allPruned(mask []float32, size int, at func(int) int) bool {
	for j := range size {
		if mask[at(j)] != 0 {
			return false
		}
	}
	return true
}
