package graph

import (
	"github.com/roux-ml/roux/runtime/tensor"
)

// BatchNormStats is the running mean and variance of a batch normalisation, one
// value per channel. It is state the caller owns, not a parameter: no gradient, no
// optimizer. Programs read it, and in training mode update it in place, when they
// run, so every program built with the same stats (training and evaluation, any
// batch size) shares it as they share a tensor.Param; whoever saves a checkpoint
// must save Mean and Var along with the parameters.
type BatchNormStats struct {
	Mean, Var *tensor.Tensor
}

// NewBatchNormStats returns stats for c channels at PyTorch's start: mean 0, var 1.
func NewBatchNormStats(c int) *BatchNormStats {
	s := &BatchNormStats{Mean: tensor.New(c), Var: tensor.New(c)}
	for i := range s.Var.Data {
		s.Var.Data[i] = 1
	}
	return s
}

// BatchNorm returns gamma·x̂ + beta for x [B, C, ...] (a [B C] matrix or a [B C H W]
// image batch), with x̂ = (x - mean)/√(var + eps) per channel, as PyTorch's
// BatchNorm1d/2d computes it. In training mode (Program.SetTraining) mean and the
// biased var are taken over the batch and spatial axes, and the stats move towards
// them: mean ← (1-momentum)·mean + momentum·batch mean, and var likewise with the
// unbiased batch variance (PyTorch uses momentum 0.1). In evaluation mode x is
// normalised with the stats. gamma and beta [C] may be nil (no affine part).
func (g *Graph) BatchNorm(x, gamma, beta *Node, stats *BatchNormStats, momentum, eps float32) *Node {
	if len(x.Shape) < 2 {
		g.fail("batch_norm: expects a [B C ...] input, got %s", shp(x.Shape))
	}
	c := x.Shape[1]
	if stats == nil || stats.Mean == nil || stats.Var == nil || len(stats.Mean.Data) != c || len(stats.Var.Data) != c {
		g.fail("batch_norm: running stats do not have one value per channel of %s", shp(x.Shape))
	}
	if !(momentum >= 0 && momentum <= 1) || !(eps > 0) {
		g.fail("batch_norm: momentum %g outside [0, 1] or eps %g not positive", momentum, eps)
	}
	y := g.node(opBatchNorm, x.Shape, attr{a: eps, b: momentum, stats: stats}, x)
	if gamma != nil {
		y = g.scaleAxis(y, gamma, 1)
	}
	if beta != nil {
		y = g.addAxis(y, beta, 1)
	}
	return y
}

// LayerNorm returns gamma·x̂ + beta with x̂ = (x - mean)/√(var + eps), mean and the
// biased var taken over the last axis of x, as PyTorch's LayerNorm over one
// dimension. gamma and beta have the length of that axis and may be nil.
func (g *Graph) LayerNorm(x, gamma, beta *Node, eps float32) *Node {
	if len(x.Shape) == 0 || !(eps > 0) {
		g.fail("layer_norm: input %s is a scalar or eps %g is not positive", shp(x.Shape), eps)
	}
	last := len(x.Shape) - 1
	y := g.node(opLayerNorm, x.Shape, attr{a: eps}, x)
	if gamma != nil {
		y = g.scaleAxis(y, gamma, last)
	}
	if beta != nil {
		y = g.addAxis(y, beta, last)
	}
	return y
}
