package graph

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/runtime/kernels"
)

// Run executes the program: the forward pass and, if the program has a loss, the
// backward pass, which overwrites the gradient of every parameter in Params (those
// the loss does not depend on get zero). Run does not allocate once buffers are bound.
//
// Run returns an *Error, without running the backward pass and with the gradients
// zeroed, when the loss is NaN or infinite; the error names the first instruction
// whose output is not finite, with its op and origin. It also fails on a label
// outside the classes of a cross-entropy, or a parameter whose tensors changed size.
func (p *Program) Run() error {
	defer p.endRun()
	if err := p.bind(); err != nil {
		return err
	}
	if err := p.exec(p.code[:p.nfwd]); err != nil {
		return err
	}
	if p.loss == nil {
		return nil
	}
	if l := p.bufs[p.lossBuf][0]; isBad(l) {
		p.zeroGrads()
		return p.nonFinite(l)
	}
	if err := p.exec(p.code[p.nfwd:]); err != nil {
		return err
	}
	for _, q := range p.zero {
		clear(q.Grad.Data)
	}
	return nil
}

// bind points the parameter buffers at the parameters' current tensors.
func (p *Program) bind() error {
	for _, s := range p.slots {
		v, g := s.p.Value, s.p.Grad
		if len(v.Data) != s.size || len(g.Data) != s.size {
			return &Error{Msg: fmt.Sprintf("param %s: value or gradient size changed since compile (shape %s)",
				s.p.Name, shp(v.Shape))}
		}
		p.bufs[s.value] = v.Data
		if s.grad >= 0 {
			p.bufs[s.grad] = g.Data
		}
	}
	return nil
}

// exec runs a list of instructions.
func (p *Program) exec(code []instr) error {
	for i := range code {
		if err := p.step(&code[i]); err != nil {
			return err
		}
	}
	return nil
}

// zeroGrads clears the gradient of every parameter.
func (p *Program) zeroGrads() {
	for _, q := range p.params {
		clear(q.Grad.Data)
	}
}

func isBad(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) }

// nonFinite reports the first input or parameter holding a non-finite value, or else
// the first forward instruction producing one, numbered as in String.
func (p *Program) nonFinite(loss float32) error {
	for i, n := range p.listing[:p.nlistFwd] {
		if (n.op == opInput || n.op == opParam) && !allFinite(p.Value(n).Data) {
			return &Error{Origin: n.Origin, Msg: fmt.Sprintf("loss is %v: %%%d = %s holds a non-finite value", loss, i, leafText(n))}
		}
	}
	for i := range p.code[:p.nfwd] {
		in := &p.code[i]
		if !allFinite(p.bufs[in.dst]) {
			return &Error{Origin: in.node.Origin, Msg: fmt.Sprintf(
				"loss is %v: first non-finite value produced by %%%d = %s %s",
				loss, p.number(in.node), in.op, shp(in.node.Shape))}
		}
	}
	return &Error{Origin: p.loss.Origin, Msg: fmt.Sprintf("loss is %v", loss)}
}

func allFinite(v []float32) bool {
	for _, x := range v {
		if isBad(x) {
			return false
		}
	}
	return true
}

// number is n's number in the listing.
func (p *Program) number(n *Node) int {
	for i, m := range p.listing {
		if m == n {
			return i
		}
	}
	return -1
}

// step runs one instruction: the interpreter's dispatch.
func (p *Program) step(in *instr) error {
	d, x := p.bufs[in.dst], p.bufs[in.src[0]]
	var y, z []float32
	if in.src[1] >= 0 {
		y = p.bufs[in.src[1]]
	}
	if in.src[2] >= 0 {
		z = p.bufs[in.src[2]]
	}
	switch in.op {
	case opMatMul:
		in.runGemm(d, x, y)
	case opAddBias:
		if in.transposed(tDst) { // [n, outer]: a bias per row
			kernels.AddAxis(d, x, y, 1, in.n, in.outer)
		} else {
			kernels.AddBias(d, x, y, in.outer, in.n)
		}
	case opAdd, opSub, opMul, opDiv:
		runBinary(in.op, in.mode, d, x, y)
	case opCopy:
		kernels.Copy(d, x)
	case opNeg:
		kernels.Neg(d, x)
	case opExp:
		kernels.Exp(d, x)
	case opLog:
		kernels.Log(d, x)
	case opSqrt:
		kernels.Sqrt(d, x)
	case opSquare:
		kernels.Square(d, x)
	case opAbs:
		kernels.Abs(d, x)
	case opRelu:
		kernels.Relu(d, x)
	case opGelu:
		kernels.Gelu(d, x)
	case opTanh:
		kernels.Tanh(d, x)
	case opSigmoid:
		kernels.Sigmoid(d, x)
	case opClamp:
		kernels.Clamp(d, x, in.a, in.b)
	case opLeakyRelu:
		kernels.LeakyRelu(d, x, in.a)
	case opSoftplus:
		kernels.Softplus(d, x)
	case opGreater:
		kernels.Greater(d, x, in.a)
	case opOneHotArgmax:
		kernels.OneHotArgmax(d, x, in.outer, in.n)
	case opSoftmax:
		kernels.Softmax(d, x, in.outer, in.n, in.inner)
	case opLogSoftmax:
		kernels.LogSoftmax(d, x, in.outer, in.n, in.inner)
	case opSum:
		kernels.SumAxis(d, x, in.outer, in.n, in.inner, 1)
	case opMean:
		kernels.SumAxis(d, x, in.outer, in.n, in.inner, in.a)
	case opMax:
		kernels.MaxAxis(d, x, in.outer, in.n, in.inner)
	case opSumAll:
		d[0] = kernels.SumAll(x)
	case opMeanAll:
		d[0] = kernels.SumAll(x) / float32(len(x))
	case opSoftmaxCE:
		return p.crossEntropy(in, d, x, y, z)
	case opTopKMask:
		topKMask(d, x, in.outer, in.n, in.node.attr.count)
	case opGaussian:
		p.gaussian(d)
	case opMoE:
		in.moe.forward(d, x, y, z)
	case opMoEDropped:
		d[0] = moeDropped(x, in.outer, in.n, in.node.attr.count)
	case opMoEGradX:
		in.moe.gradX(d, x, y, z)
	case opMoEGradGate:
		in.moe.gradGate(d, x, y, z)
	case opMoEGradW:
		in.moe.gradW(d, x, y, z)
	case opCompactLinear, opCompactGradInput, opCompactGradValues:
		p.stepCompact(in, d, x, y)
	case opOneHot:
		return oneHot(in, d, x)
	case opMSE:
		d[0] = kernels.MSE(x, y)
	case opDropout:
		p.dropout(in, d, x, y)
	case opReshape, opStopGrad:
		kernels.Copy(d, x)
	case opConv2D, opMaxPool2D, opAvgPool2D, opAddAxis, opScaleAxis, opBatchNorm, opLayerNorm:
		p.stepLayer(in, d, x, y, z)
	case opSparseLinear, opSparseGradInput, opSparseGradWeight:
		p.stepSparse(in, d, x, y, z)
	default:
		p.stepGrad(in, d, x, y, z)
	}
	return nil
}

// runGemm runs the instruction's matrix product on its operands, swapped when it
// writes its result transposed (layout.go).
func (in *instr) runGemm(d, a, b []float32) {
	if in.swap {
		a, b = b, a
	}
	in.gemm.Run(d, a, b, false)
}

// stepGrad runs one gradient-only instruction.
func (p *Program) stepGrad(in *instr, d, x, y, z []float32) {
	switch in.op {
	case opReluGrad:
		kernels.ReluGrad(d, x, y)
	case opLeakyReluGrad:
		kernels.LeakyReluGrad(d, x, y, in.a)
	case opAbsGrad:
		kernels.AbsGrad(d, x, y)
	case opClampGrad:
		kernels.ClampGrad(d, x, y, in.a, in.b)
	case opGeluGrad:
		kernels.GeluGrad(d, x, y)
	case opTanhGrad:
		kernels.TanhGrad(d, x, y)
	case opSigmoidGrad:
		kernels.SigmoidGrad(d, x, y)
	case opSoftmaxGrad:
		kernels.SoftmaxGrad(d, x, y, in.outer, in.n, in.inner)
	case opLogSoftmaxGrad:
		kernels.LogSoftmaxGrad(d, x, y, in.outer, in.n, in.inner)
	case opBroadcast:
		kernels.BroadcastAxis(d, x, in.outer, in.n, in.inner, in.a)
	case opExpand:
		kernels.Fill(d, x[0]*in.a)
	case opMaxGrad:
		kernels.MaxAxisGrad(d, x, y, z, in.outer, in.n, in.inner)
	case opSumRows:
		if in.transposed(0) {
			kernels.SumRowsT(d, x, in.outer, in.n)
		} else {
			kernels.SumRows(d, x, in.outer, in.n)
		}
	case opSoftmaxCEGrad:
		kernels.SoftmaxCrossEntropyGrad(d, y, z, in.outer, in.n, x[0]/float32(in.outer))
	case opMSEGrad:
		kernels.MSEGrad(d, y, z, 2*x[0]/float32(len(d)))
	case opDropoutGrad:
		p.dropoutGrad(in, d, x, y)
	case opConv2DGradInput, opConv2DGradWeight, opMaxPool2DGrad, opAvgPool2DGrad, opSumAxis, opDotAxis,
		opBatchNormGrad, opLayerNormGrad:
		p.stepLayerGrad(in, d, x, y, z)
	default:
		panic("graph: no kernel for " + in.op.String())
	}
}

// runBinary runs an elementwise binary op in its broadcast mode.
func runBinary(o op, mode uint8, d, a, b []float32) {
	switch mode {
	case same:
		sameShape(o, d, a, b)
	case scalarB:
		scalarRight(o, d, a, b[0])
	default:
		scalarLeft(o, d, a[0], b)
	}
}

// sameShape computes d = a op b elementwise.
func sameShape(o op, d, a, b []float32) {
	switch o {
	case opAdd:
		kernels.Add(d, a, b)
	case opSub:
		kernels.Sub(d, a, b)
	case opMul:
		kernels.Mul(d, a, b)
	default:
		kernels.Div(d, a, b)
	}
}

// scalarRight computes d = a op s.
func scalarRight(o op, d, a []float32, s float32) {
	switch o {
	case opAdd:
		kernels.AddScalar(d, a, s)
	case opSub:
		kernels.SubScalar(d, a, s)
	case opMul:
		kernels.MulScalar(d, a, s)
	default:
		kernels.DivScalar(d, a, s)
	}
}

// scalarLeft computes d = s op b.
func scalarLeft(o op, d []float32, s float32, b []float32) {
	switch o {
	case opAdd:
		kernels.AddScalar(d, b, s)
	case opSub:
		kernels.ScalarSub(d, s, b)
	case opMul:
		kernels.MulScalar(d, b, s)
	default:
		kernels.ScalarDiv(d, s, b)
	}
}

// crossEntropy runs the fused softmax cross-entropy, keeping the probabilities for
// the gradient in probs, and checks the labels.
func (p *Program) crossEntropy(in *instr, d, logits, labels, probs []float32) error {
	loss, bad := kernels.SoftmaxCrossEntropy(probs, logits, labels, in.outer, in.n)
	d[0] = loss
	if bad < 0 {
		return nil
	}
	return &Error{Origin: in.node.Origin, Msg: fmt.Sprintf(
		"softmax_cross_entropy: label %v in row %d is not a class id in [0, %d)", labels[bad], bad, in.n)}
}

// oneHot writes each label's row, failing on a label that is not a class id.
func oneHot(in *instr, d, labels []float32) error {
	clear(d)
	for i, y := range labels {
		k := int(y)
		if float32(k) != y || k < 0 || k >= in.n {
			return &Error{Origin: in.node.Origin, Msg: fmt.Sprintf("one_hot: label %v in row %d is not a class id in [0, %d)", y, i, in.n)}
		}
		d[i*in.n+k] = 1
	}
	return nil
}

// dropout draws a fresh mask in training mode and is the identity otherwise.
func (p *Program) dropout(in *instr, d, x, mask []float32) {
	if !p.training || in.a == 0 {
		kernels.Copy(d, x)
		return
	}
	kernels.Dropout(d, mask, x, p.pcg, in.a)
}

// dropoutGrad applies the mask of the forward dropout to the gradient.
func (p *Program) dropoutGrad(in *instr, d, g, mask []float32) {
	if !p.training || in.a == 0 {
		kernels.Copy(d, g)
		return
	}
	kernels.Mul(d, g, mask)
}
