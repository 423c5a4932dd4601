package graph

import (
	"fmt"
	"strconv"

	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// This file holds the gradient rules, compile-time dimensions, kernel dispatch and
// listing attributes of the layer ops: convolution, pools, reshape, per-axis bias
// and scale, batch and layer normalisation.

// Param returns the parameter of a node made by Graph.Param, or nil.
func (n *Node) Param() *tensor.Param { return n.param }

// layerGrad is grad for the layer ops.
func (g *Graph) layerGrad(n, gy *Node, i int) *Node {
	x := n.in[0]
	switch n.op {
	case opConv2D:
		if i == 0 {
			return g.node(opConv2DGradInput, x.Shape, n.attr, gy, n.in[1])
		}
		return g.node(opConv2DGradWeight, n.in[1].Shape, attr{win: n.attr.win, by: n}, gy)
	case opMaxPool2D:
		return g.node(opMaxPool2DGrad, x.Shape, n.attr, gy, x, n)
	case opAvgPool2D:
		return g.node(opAvgPool2DGrad, x.Shape, n.attr, gy)
	case opReshape:
		return g.node(opReshape, x.Shape, attr{}, gy)
	case opAddAxis:
		if i == 0 {
			return gy
		}
		return g.node(opSumAxis, n.in[1].Shape, n.attr, gy)
	case opScaleAxis:
		if i == 0 {
			return g.scaleAxis(gy, n.in[1], n.attr.axis)
		}
		return g.node(opDotAxis, n.in[1].Shape, n.attr, gy, x)
	case opBatchNorm:
		return g.node(opBatchNormGrad, x.Shape, attr{by: n}, gy, n)
	}
	return g.node(opLayerNormGrad, x.Shape, attr{by: n}, gy, n) // opLayerNorm
}

// layerDims is dims for the layer ops: kernel plans, views and extra buffers (the
// convolution's im2col matrices, the normalisations' saved 1/σ).
func (c *compiler) layerDims(in *instr, n *Node) {
	x := n.in[0]
	switch n.op {
	case opConv2D:
		in.conv = convPlan(x.Shape, n.in[1].Shape, n.attr.win)
		c.aux[n] = c.alloc([]int{x.Shape[0] * in.conv.ColSize()})
		in.src[2] = c.aux[n]
	case opConv2DGradInput: // gy, w
		in.conv = convPlan(n.Shape, n.in[1].Shape, n.attr.win)
		in.src[2] = c.alloc([]int{in.conv.ColSize()})
	case opConv2DGradWeight: // gy; the im2col matrices of the convolution
		in.conv = convPlan(n.attr.by.in[0].Shape, n.Shape, n.attr.win)
		in.src[1] = c.aux[n.attr.by]
	case opMaxPool2D, opAvgPool2D:
		in.win, in.outer = poolPlan(x.Shape, n.attr.win)
	case opMaxPool2DGrad, opAvgPool2DGrad:
		in.win, in.outer = poolPlan(n.Shape, n.attr.win)
	case opAddAxis, opScaleAxis, opSumAxis, opDotAxis:
		in.outer, in.n, in.inner = axisView(x.Shape, n.attr.axis)
	case opBatchNorm, opLayerNorm:
		in.outer, in.n, in.inner = normView(n)
		c.aux[n] = c.alloc([]int{max(in.n, in.outer)})
		in.src[1] = c.aux[n]
	case opBatchNormGrad, opLayerNormGrad: // gy, y; the saved 1/σ
		in.outer, in.n, in.inner = normView(n.attr.by)
		in.src[2] = c.aux[n.attr.by]
	}
}

// normView is the [outer, n, inner] view of a normalisation: around the channel
// axis for batch norm, [rows, n, 1] for layer norm.
func normView(n *Node) (outer, size, inner int) {
	if n.op == opBatchNorm {
		return axisView(n.Shape, 1)
	}
	return axisView(n.Shape, len(n.Shape)-1)
}

// stepLayer runs a forward layer instruction.
func (p *Program) stepLayer(in *instr, d, x, y, z []float32) {
	switch in.op {
	case opConv2D:
		in.conv.Forward(d, x, y, z)
	case opMaxPool2D:
		kernels.MaxPool2D(d, x, in.outer, in.win)
	case opAvgPool2D:
		kernels.AvgPool2D(d, x, in.outer, in.win)
	case opAddAxis:
		kernels.AddAxis(d, x, y, in.outer, in.n, in.inner)
	case opScaleAxis:
		kernels.ScaleAxis(d, x, y, in.outer, in.n, in.inner)
	case opBatchNorm:
		p.batchNorm(in, d, x, y)
	case opLayerNorm:
		kernels.LayerNorm(d, y, x, in.outer, in.n, in.a)
	}
}

// batchNorm normalises with the batch's statistics in training mode, updating the
// running ones, and with the running ones otherwise.
func (p *Program) batchNorm(in *instr, d, x, save []float32) {
	st := in.node.attr.stats
	if p.training {
		kernels.BatchNorm(d, save, st.Mean.Data, st.Var.Data, x, in.outer, in.n, in.inner, in.b, in.a)
		return
	}
	kernels.BatchNormEval(d, save, st.Mean.Data, st.Var.Data, x, in.outer, in.n, in.inner, in.a)
}

// stepLayerGrad runs a gradient instruction of a layer op.
func (p *Program) stepLayerGrad(in *instr, d, x, y, z []float32) {
	switch in.op {
	case opConv2DGradInput:
		in.conv.Input(d, x, y, z)
	case opConv2DGradWeight:
		in.conv.Weight(d, x, y)
	case opMaxPool2DGrad:
		kernels.MaxPool2DGrad(d, x, y, z, in.outer, in.win)
	case opAvgPool2DGrad:
		kernels.AvgPool2DGrad(d, x, in.outer, in.win)
	case opSumAxis:
		kernels.SumOuterInner(d, x, in.outer, in.n, in.inner)
	case opDotAxis:
		kernels.DotOuterInner(d, x, y, in.outer, in.n, in.inner)
	case opBatchNormGrad:
		if !p.training { // the running statistics are constants
			kernels.ScaleAxis(d, x, z, in.outer, in.n, in.inner)
			return
		}
		kernels.BatchNormGrad(d, x, y, z, in.outer, in.n, in.inner)
	case opLayerNormGrad:
		kernels.LayerNormGrad(d, x, y, z, in.outer, in.n)
	}
}

// layerAttrText prints a layer op's static attributes for the listing.
func layerAttrText(n *Node) string {
	at := n.attr
	switch n.op {
	case opConv2D, opConv2DGradInput, opConv2DGradWeight:
		return fmt.Sprintf(" stride=%d padding=%d dilation=%d", at.win.stride, at.win.pad, at.win.dil)
	case opMaxPool2D, opAvgPool2D, opMaxPool2DGrad, opAvgPool2DGrad:
		return fmt.Sprintf(" kernel=%d stride=%d", at.win.k, at.win.stride)
	case opAddAxis, opScaleAxis, opSumAxis, opDotAxis:
		return " axis=" + strconv.Itoa(at.axis)
	case opBatchNorm:
		return " momentum=" + ftoa(at.b) + " eps=" + ftoa(at.a)
	case opLayerNorm:
		return " eps=" + ftoa(at.a)
	}
	return ""
}
