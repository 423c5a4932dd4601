package graph

import (
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// op is a primitive operation. Each has one forward kernel (run.go) and, if it is
// differentiable, one gradient rule (grad.go). The ops after opSparseLinear appear
// only in gradients.
type op uint8

const (
	opInput op = iota
	opParam
	opConst
	opMatMul
	opAddBias
	opAdd
	opSub
	opMul
	opDiv
	opNeg
	opExp
	opLog
	opSqrt
	opSquare
	opAbs
	opRelu
	opGelu
	opTanh
	opSigmoid
	opClamp
	opLeakyRelu
	opSoftplus
	opSoftmax
	opLogSoftmax
	opSum
	opMean
	opMax
	opSumAll
	opMeanAll
	opSoftmaxCE
	opMSE
	opDropout
	opConv2D
	opMaxPool2D
	opAvgPool2D
	opReshape
	opAddAxis
	opScaleAxis
	opBatchNorm
	opLayerNorm
	opSparseLinear
	opTopKMask
	opGaussian
	opMoE
	opMoEDropped
	opCompactLinear
	opStopGrad
	opGreater
	opOneHotArgmax
	opOneHot
	// gradient-only ops
	opReluGrad
	opLeakyReluGrad
	opAbsGrad
	opClampGrad
	opGeluGrad
	opTanhGrad
	opSigmoidGrad
	opSoftmaxGrad
	opLogSoftmaxGrad
	opBroadcast
	opExpand
	opMaxGrad
	opSumRows
	opSoftmaxCEGrad
	opMSEGrad
	opDropoutGrad
	opCopy
	opConv2DGradInput
	opConv2DGradWeight
	opMaxPool2DGrad
	opAvgPool2DGrad
	opSumAxis
	opDotAxis
	opBatchNormGrad
	opLayerNormGrad
	opSparseGradInput
	opSparseGradWeight
	opMoEGradX
	opMoEGradGate
	opMoEGradW
	opCompactGradInput
	opCompactGradValues
	numOps
)

var opNames = [numOps]string{
	opInput: "input", opParam: "param", opConst: "const",
	opMatMul: "matmul", opAddBias: "add_bias",
	opAdd: "add", opSub: "sub", opMul: "mul", opDiv: "div",
	opNeg: "neg", opExp: "exp", opLog: "log", opSqrt: "sqrt", opSquare: "square", opAbs: "abs",
	opRelu: "relu", opGelu: "gelu", opTanh: "tanh", opSigmoid: "sigmoid",
	opClamp: "clamp", opLeakyRelu: "leaky_relu", opSoftplus: "softplus",
	opSoftmax: "softmax", opLogSoftmax: "log_softmax",
	opSum: "sum", opMean: "mean", opMax: "max", opSumAll: "sum_all", opMeanAll: "mean_all",
	opSoftmaxCE: "softmax_cross_entropy", opMSE: "mse", opDropout: "dropout",
	opStopGrad: "stop_grad", opGreater: "greater", opOneHotArgmax: "one_hot_argmax", opOneHot: "one_hot",
	opReluGrad: "relu_grad", opLeakyReluGrad: "leaky_relu_grad", opAbsGrad: "abs_grad",
	opClampGrad: "clamp_grad", opGeluGrad: "gelu_grad", opTanhGrad: "tanh_grad",
	opSigmoidGrad: "sigmoid_grad", opSoftmaxGrad: "softmax_grad",
	opLogSoftmaxGrad: "log_softmax_grad", opBroadcast: "broadcast", opExpand: "expand",
	opMaxGrad: "max_grad", opSumRows: "sum_rows", opSoftmaxCEGrad: "softmax_cross_entropy_grad",
	opMSEGrad: "mse_grad", opDropoutGrad: "dropout_grad", opCopy: "copy",
	opConv2D: "conv2d", opMaxPool2D: "max_pool2d", opAvgPool2D: "avg_pool2d", opReshape: "reshape",
	opAddAxis: "add_axis", opScaleAxis: "scale_axis", opBatchNorm: "batch_norm", opLayerNorm: "layer_norm",
	opConv2DGradInput: "conv2d_grad_input", opConv2DGradWeight: "conv2d_grad_weight",
	opMaxPool2DGrad: "max_pool2d_grad", opAvgPool2DGrad: "avg_pool2d_grad",
	opSumAxis: "sum_outer_inner", opDotAxis: "dot_outer_inner",
	opBatchNormGrad: "batch_norm_grad", opLayerNormGrad: "layer_norm_grad",
	opSparseLinear: "sparse_linear", opSparseGradInput: "sparse_linear_grad_input",
	opSparseGradWeight: "sparse_linear_grad_weight",
	opTopKMask:         "top_k_mask", opGaussian: "gaussian_noise", opMoE: "moe", opMoEDropped: "moe_dropped",
	opMoEGradX: "moe_grad_x", opMoEGradGate: "moe_grad_gate", opMoEGradW: "moe_grad_w",
	opCompactLinear: "compact_linear", opCompactGradInput: "compact_linear_grad_input", opCompactGradValues: "compact_linear_grad_values",
}

// String returns the op's name as printed in listings and errors.
func (o op) String() string { return opNames[o] }

// MatMul returns op(a)·op(b) for 2-D a and b, where op transposes when the flag is
// set. Dense weights are stored [out, in], so a dense layer is MatMul(x, w, false, true).
func (g *Graph) MatMul(a, b *Node, transA, transB bool) *Node {
	if len(a.Shape) != 2 || len(b.Shape) != 2 {
		g.fail("matmul: operands must be 2-D: %s x %s", shp(a.Shape), shp(b.Shape))
	}
	m, k := rowsCols(a.Shape, transA)
	k2, n := rowsCols(b.Shape, transB)
	if k != k2 {
		g.fail("matmul: inner dimensions differ: %s x %s", shp(a.Shape), shp(b.Shape))
	}
	return g.node(opMatMul, []int{m, n}, attr{transA: transA, transB: transB}, a, b)
}

// rowsCols returns the dimensions of a 2-D shape, swapped if transposed.
func rowsCols(s []int, transposed bool) (int, int) {
	if transposed {
		return s[1], s[0]
	}
	return s[0], s[1]
}

// AddBias returns x + b with b shaped like the trailing dimensions of x (usually [n]
// for x [..., n]) and broadcast over the leading ones.
func (g *Graph) AddBias(x, b *Node) *Node {
	if len(b.Shape) == 0 || len(b.Shape) > len(x.Shape) || !slices.Equal(x.Shape[len(x.Shape)-len(b.Shape):], b.Shape) {
		g.fail("add_bias: bias %s does not match the last dimensions of %s", shp(b.Shape), shp(x.Shape))
	}
	return g.node(opAddBias, x.Shape, attr{}, x, b)
}

// Add returns a + b; the shapes are equal or one operand is a scalar (one element)
// broadcast over the other.
func (g *Graph) Add(a, b *Node) *Node { return g.binary(opAdd, a, b) }

// Sub returns a - b, broadcasting a scalar operand like Add.
func (g *Graph) Sub(a, b *Node) *Node { return g.binary(opSub, a, b) }

// Mul returns a · b elementwise, broadcasting a scalar operand like Add.
func (g *Graph) Mul(a, b *Node) *Node { return g.binary(opMul, a, b) }

// Div returns a / b elementwise, broadcasting a scalar operand like Add.
func (g *Graph) Div(a, b *Node) *Node { return g.binary(opDiv, a, b) }

// binary builds an elementwise binary op; the result has the shape of the operand
// that is not broadcast (a's when the shapes are equal or both are scalars).
func (g *Graph) binary(o op, a, b *Node) *Node {
	shape := a.Shape
	switch {
	case slices.Equal(a.Shape, b.Shape), isScalar(b):
	case isScalar(a):
		shape = b.Shape
	default:
		g.fail("%s: shapes differ: %s and %s", o, shp(a.Shape), shp(b.Shape))
	}
	return g.node(o, shape, attr{}, a, b)
}

// isScalar reports whether n has exactly one element.
func isScalar(n *Node) bool { return tensor.Numel(n.Shape) == 1 }

// Neg returns -x.
func (g *Graph) Neg(x *Node) *Node { return g.unary(opNeg, x, attr{}) }

// Exp returns e^x.
func (g *Graph) Exp(x *Node) *Node { return g.unary(opExp, x, attr{}) }

// Log returns the natural logarithm of x.
func (g *Graph) Log(x *Node) *Node { return g.unary(opLog, x, attr{}) }

// Sqrt returns √x.
func (g *Graph) Sqrt(x *Node) *Node { return g.unary(opSqrt, x, attr{}) }

// Square returns x².
func (g *Graph) Square(x *Node) *Node { return g.unary(opSquare, x, attr{}) }

// Abs returns |x|; its gradient at 0 is 0.
func (g *Graph) Abs(x *Node) *Node { return g.unary(opAbs, x, attr{}) }

// Relu returns max(x, 0); its gradient at 0 is 0.
func (g *Graph) Relu(x *Node) *Node { return g.unary(opRelu, x, attr{}) }

// Gelu returns GELU(x) in its tanh approximation,
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func (g *Graph) Gelu(x *Node) *Node { return g.unary(opGelu, x, attr{}) }

// Tanh returns tanh x.
func (g *Graph) Tanh(x *Node) *Node { return g.unary(opTanh, x, attr{}) }

// Sigmoid returns 1 / (1 + e^-x).
func (g *Graph) Sigmoid(x *Node) *Node { return g.unary(opSigmoid, x, attr{}) }

// Clamp returns min(max(x, lo), hi); the gradient is 0 where x is at or past a bound.
func (g *Graph) Clamp(x *Node, lo, hi float32) *Node {
	if !(lo <= hi) {
		g.fail("clamp: lower bound %g above upper bound %g", lo, hi)
	}
	return g.unary(opClamp, x, attr{a: lo, b: hi})
}

// LeakyRelu returns x where x > 0, else slope·x.
func (g *Graph) LeakyRelu(x *Node, slope float32) *Node {
	return g.unary(opLeakyRelu, x, attr{a: slope})
}

// Softplus returns log(1 + e^x), computed stably as max(x, 0) + log1p(e^-|x|). Its
// gradient is sigmoid(x), exact everywhere, unlike a composition of relu and abs,
// which is wrong at 0.
func (g *Graph) Softplus(x *Node) *Node { return g.unary(opSoftplus, x, attr{}) }

// StopGrad returns x unchanged but passes no gradient back, so that a target such as
// a teacher's prediction or a pseudo-label is not trained towards the student. A
// parameter the loss reaches only through StopGrad gets a zero gradient.
func (g *Graph) StopGrad(x *Node) *Node { return g.unary(opStopGrad, x, attr{}) }

// Greater returns 1 where x > t and 0 elsewhere: a confidence mask. It passes no
// gradient.
func (g *Graph) Greater(x *Node, t float32) *Node { return g.unary(opGreater, x, attr{a: t}) }

// OneHotArgmax returns, for each row of x along its last axis, 1 at the first largest
// value and 0 elsewhere: a hard pseudo-label. It passes no gradient.
func (g *Graph) OneHotArgmax(x *Node) *Node {
	if len(x.Shape) == 0 {
		g.fail("one_hot_argmax: expects at least one axis, got a scalar")
	}
	return g.unary(opOneHotArgmax, x, attr{})
}

// OneHot returns [B, classes] rows with 1 at each label of labels [B] (class ids as
// float32) and 0 elsewhere, for losses that pick the label's column. It passes no
// gradient; Run fails if a label is not a class id in [0, classes).
func (g *Graph) OneHot(labels *Node, classes int) *Node {
	if len(labels.Shape) != 1 || classes < 1 {
		g.fail("one_hot: expects labels [B] and at least one class, got %s and %d", shp(labels.Shape), classes)
	}
	return g.node(opOneHot, []int{labels.Shape[0], classes}, attr{}, labels)
}

// unary builds an elementwise op with the shape of x.
func (g *Graph) unary(o op, x *Node, at attr) *Node { return g.node(o, x.Shape, at, x) }

// Softmax returns the softmax of x along axis (-1 is the last).
func (g *Graph) Softmax(x *Node, axis int) *Node {
	return g.node(opSoftmax, x.Shape, attr{axis: g.axis(opSoftmax, x, axis)}, x)
}

// LogSoftmax returns log(softmax(x)) along axis (-1 is the last), computed stably.
func (g *Graph) LogSoftmax(x *Node, axis int) *Node {
	return g.node(opLogSoftmax, x.Shape, attr{axis: g.axis(opLogSoftmax, x, axis)}, x)
}

// Sum returns the sum of x over axis (-1 is the last); that dimension is removed.
func (g *Graph) Sum(x *Node, axis int) *Node { return g.reduce(opSum, x, axis) }

// Mean returns the mean of x over axis (-1 is the last); that dimension is removed.
func (g *Graph) Mean(x *Node, axis int) *Node { return g.reduce(opMean, x, axis) }

// Max returns the maximum of x over axis (-1 is the last); that dimension is removed.
// The gradient flows to the first maximal element.
func (g *Graph) Max(x *Node, axis int) *Node { return g.reduce(opMax, x, axis) }

// reduce builds a reduction over one axis.
func (g *Graph) reduce(o op, x *Node, axis int) *Node {
	ax := g.axis(o, x, axis)
	shape := slices.Delete(slices.Clone(x.Shape), ax, ax+1)
	return g.node(o, shape, attr{axis: ax}, x)
}

// axis normalises an axis of x (negative counts from the end) or panics.
func (g *Graph) axis(o op, x *Node, axis int) int {
	r := len(x.Shape)
	if axis < -r || axis >= r {
		g.fail("%s: axis %d out of range for shape %s", o, axis, shp(x.Shape))
	}
	if axis < 0 {
		axis += r
	}
	return axis
}

// SumAll returns the sum of all elements of x, a scalar.
func (g *Graph) SumAll(x *Node) *Node { return g.node(opSumAll, nil, attr{}, x) }

// MeanAll returns the mean of all elements of x, a scalar.
func (g *Graph) MeanAll(x *Node) *Node { return g.node(opMeanAll, nil, attr{}, x) }

// SoftmaxCrossEntropy returns the mean over the batch of -log softmax(logits)[label]
// for logits [B, K] and labels [B] holding class ids as float32: a scalar. It is fused
// and computed with log-sum-exp; its gradient is (softmax - onehot)/B. Run fails if a
// label is not an integer in [0, K).
func (g *Graph) SoftmaxCrossEntropy(logits, labels *Node) *Node {
	if len(logits.Shape) != 2 || len(labels.Shape) != 1 || labels.Shape[0] != logits.Shape[0] {
		g.fail("softmax_cross_entropy: labels %s do not match logits %s (want [B] and [B K])",
			shp(labels.Shape), shp(logits.Shape))
	}
	return g.node(opSoftmaxCE, nil, attr{}, logits, labels)
}

// MSE returns the mean of (a - b)² over all elements, a scalar; a and b have the
// same shape.
func (g *Graph) MSE(a, b *Node) *Node {
	if !slices.Equal(a.Shape, b.Shape) {
		g.fail("mse: shapes differ: %s and %s", shp(a.Shape), shp(b.Shape))
	}
	return g.node(opMSE, nil, attr{}, a, b)
}

// Dropout zeroes each element of x with probability rate and scales the others by
// 1/(1-rate) (inverted dropout) when the program is in training mode; otherwise it is
// the identity. The mask comes from the program's seeded generator.
func (g *Graph) Dropout(x *Node, rate float32) *Node {
	if !(rate >= 0 && rate < 1) {
		g.fail("dropout: rate %g outside [0, 1)", rate)
	}
	return g.unary(opDropout, x, attr{a: rate})
}
