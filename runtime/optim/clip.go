package optim

import (
	"math"

	"github.com/roux-ml/roux/runtime/tensor"
)

// ClipGlobalNorm scales all gradients so that their joint L2 norm is at most maxNorm and returns
// the norm before clipping, with PyTorch's clip_grad_norm_ semantics: the gradients are
// multiplied by maxNorm/(norm+1e-6) when that factor is below 1. A NaN norm makes every
// gradient NaN, as in PyTorch. Parameters whose Grad is nil are ignored.
func ClipGlobalNorm(params []*tensor.Param, maxNorm float32) float32 {
	norm := GlobalNorm(params)
	// PyTorch computes max_norm / (norm + 1e-6) as max_norm * reciprocal(norm + 1e-6) in
	// float32; the same order gives the same factor bit for bit.
	s := maxNorm * (1 / (norm + 1e-6))
	if !(s >= 1) {
		for _, p := range params {
			if p.Grad != nil {
				scale(p.Grad.Data, s)
			}
		}
	}
	return norm
}

// GlobalNorm returns the joint L2 norm of all gradients (nil gradients count as zero). The
// squares are summed in float64, so that the norm of a few hundred thousand values stays
// accurate to float32 precision.
func GlobalNorm(params []*tensor.Param) float32 {
	var sum float64
	for _, p := range params {
		if p.Grad != nil {
			sum += sumSquares(p.Grad.Data)
		}
	}
	return float32(math.Sqrt(sum))
}

// sumSquares returns the sum of x[i]^2 in float64.
func sumSquares(x []float32) float64 {
	var s float64
	for _, v := range x {
		f := float64(v)
		s += f * f
	}
	return s
}
