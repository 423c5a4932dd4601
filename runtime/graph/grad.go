package graph

import (
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// grad is the gradient table: for node n with upstream gradient gy (shaped like n),
// it returns the gradient with respect to n.in[i], shaped like n.in[i], built from
// graph ops, or nil when that input is not differentiable (labels). It is the one
// place that knows how each primitive differentiates; backward calls it only for
// inputs that lead to a parameter, never for the ops that cut the gradient.
func (g *Graph) grad(n, gy *Node, i int) *Node {
	x := n.in[0]
	switch n.op {
	case opMatMul:
		return g.matmulGrad(n, gy, i)
	case opAddBias:
		if i == 0 {
			return gy
		}
		return g.node(opSumRows, n.in[1].Shape, attr{}, gy)
	case opAdd:
		return g.unbroadcast(gy, n.in[i])
	case opSub:
		if i == 0 {
			return g.unbroadcast(gy, x)
		}
		return g.unbroadcast(g.Neg(gy), n.in[1])
	case opMul:
		return g.unbroadcast(g.Mul(gy, n.in[1-i]), n.in[i])
	case opDiv:
		if i == 0 {
			return g.unbroadcast(g.Div(gy, n.in[1]), x)
		}
		return g.unbroadcast(g.Neg(g.Mul(gy, g.Div(n, n.in[1]))), n.in[1]) // -gy·a/b²
	case opNeg:
		return g.Neg(gy)
	case opExp:
		return g.Mul(gy, n)
	case opLog:
		return g.Div(gy, x)
	case opSqrt:
		return g.Div(gy, g.Mul(n, g.Const(2)))
	case opSquare:
		return g.Mul(gy, g.Mul(x, g.Const(2)))
	case opAbs:
		return g.node(opAbsGrad, x.Shape, attr{}, gy, x)
	case opRelu:
		return g.node(opReluGrad, x.Shape, attr{}, gy, x)
	case opLeakyRelu:
		return g.node(opLeakyReluGrad, x.Shape, n.attr, gy, x)
	case opClamp:
		return g.node(opClampGrad, x.Shape, n.attr, gy, x)
	case opGelu:
		return g.node(opGeluGrad, x.Shape, attr{}, gy, x)
	case opTanh:
		return g.node(opTanhGrad, x.Shape, attr{}, gy, n)
	case opSigmoid:
		return g.node(opSigmoidGrad, x.Shape, attr{}, gy, n)
	case opSoftplus:
		return g.Mul(gy, g.Sigmoid(x))
	case opSoftmax:
		return g.node(opSoftmaxGrad, x.Shape, n.attr, gy, n)
	case opLogSoftmax:
		return g.node(opLogSoftmaxGrad, x.Shape, n.attr, gy, n)
	case opSum:
		return g.node(opBroadcast, x.Shape, attr{axis: n.attr.axis, a: 1}, gy)
	case opMean:
		return g.node(opBroadcast, x.Shape, attr{axis: n.attr.axis, a: 1 / float32(x.Shape[n.attr.axis])}, gy)
	case opMax:
		return g.node(opMaxGrad, x.Shape, n.attr, gy, x, n)
	case opSumAll:
		return g.node(opExpand, x.Shape, attr{a: 1}, gy)
	case opMeanAll:
		return g.node(opExpand, x.Shape, attr{a: 1 / float32(tensor.Numel(x.Shape))}, gy)
	case opSoftmaxCE:
		if i == 1 {
			return nil
		}
		return g.node(opSoftmaxCEGrad, x.Shape, attr{by: n}, gy, x, n.in[1])
	case opMSE:
		return g.node(opMSEGrad, x.Shape, attr{}, gy, n.in[i], n.in[1-i])
	case opDropout:
		return g.node(opDropoutGrad, x.Shape, attr{a: n.attr.a, by: n}, gy)
	case opConv2D, opMaxPool2D, opAvgPool2D, opReshape, opAddAxis, opScaleAxis, opBatchNorm, opLayerNorm:
		return g.layerGrad(n, gy, i)
	case opSparseLinear:
		return g.sparseGrad(n, gy, i)
	case opMoE:
		return g.moeGrad(n, gy, i)
	case opCompactLinear:
		return g.compactGrad(n, gy, i)
	}
	panic("graph: no gradient rule for " + n.op.String())
}

// matmulGrad differentiates c = op(a)·op(b) with products that use the transpose
// flags instead of transposed copies.
func (g *Graph) matmulGrad(n, gy *Node, i int) *Node {
	a, b := n.in[0], n.in[1]
	tA, tB := n.attr.transA, n.attr.transB
	if i == 0 {
		if tA {
			return g.MatMul(b, gy, tB, true) // a = (gy·op(b)ᵀ)ᵀ = op(b)·gyᵀ
		}
		return g.MatMul(gy, b, false, !tB) // gy·op(b)ᵀ
	}
	if tB {
		return g.MatMul(gy, a, true, tA) // b = (op(a)ᵀ·gy)ᵀ = gyᵀ·op(a)
	}
	return g.MatMul(a, gy, !tA, false) // op(a)ᵀ·gy
}

// cuts reports whether an op passes no gradient to any input. backward treats such
// a node as leading to no parameter, so nothing is built behind it.
func cuts(o op) bool {
	switch o {
	case opStopGrad, opGreater, opOneHotArgmax, opOneHot, opTopKMask, opGaussian, opMoEDropped:
		return true
	}
	return false
}

// unbroadcast sums gx back to the shape of an operand that was broadcast.
func (g *Graph) unbroadcast(gx, operand *Node) *Node {
	if slices.Equal(gx.Shape, operand.Shape) {
		return gx
	}
	return g.node(opSumAll, operand.Shape, attr{}, gx)
}

// backward builds the gradient of loss with respect to every node in fwd (the nodes
// loss depends on, in creation order) that leads to a parameter through ops that do
// not cut the gradient, and returns the gradient of each such node. Gradients of a
// node used several times are summed.
func (g *Graph) backward(loss *Node, fwd []*Node) map[*Node]*Node {
	saved := g.origin
	defer g.SetOrigin(saved)
	needs := make(map[*Node]bool, len(fwd))
	for _, n := range fwd {
		needs[n] = n.op == opParam || !cuts(n.op) && slices.ContainsFunc(n.in, func(x *Node) bool { return needs[x] })
	}
	g.SetOrigin(loss.Origin)
	grads := map[*Node]*Node{loss: g.constant(1, loss.Shape)}
	for k := len(fwd) - 1; k >= 0; k-- {
		n := fwd[k]
		if gy := grads[n]; gy != nil && needs[n] {
			g.SetOrigin(n.Origin)
			g.propagate(n, gy, needs, grads)
		}
	}
	return grads
}

// propagate adds n's contribution to the gradients of its inputs that need one.
func (g *Graph) propagate(n, gy *Node, needs map[*Node]bool, grads map[*Node]*Node) {
	for i, x := range n.in {
		if !needs[x] {
			continue
		}
		gx := g.grad(n, gy, i)
		if gx == nil {
			continue
		}
		if prev := grads[x]; prev != nil {
			gx = g.Add(prev, gx)
		}
		grads[x] = gx
	}
}
