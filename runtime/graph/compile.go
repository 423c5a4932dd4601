package graph

import (
	"math/rand/v2"
	"slices"

	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// Options selects what a program computes.
type Options struct {
	// Loss is a one-element node to differentiate. When it is nil the program is
	// forward-only (evaluation).
	Loss *Node
	// Outputs are further nodes whose values are kept readable through Value.
	Outputs []*Node
}

// instr is one instruction: dst = op(src...) over buffer indexes.
type instr struct {
	op    op
	node  *Node
	dst   int
	src   [3]int
	mode  uint8 // binary ops: which operand is a broadcast scalar
	outer int   // rows for row ops; the [outer, n, inner] view for axis ops
	n     int
	inner int
	a, b  float32
	gemm  *kernels.Gemm
	conv  *kernels.Conv2D // convolutions
	win   *kernels.Window // pools, with outer planes
	sink  *tensor.Param   // the parameter whose gradient dst is, for the listing
	moe   *moePlan        // an MoE's routing and scratch, shared with its gradients
	t     uint8           // the operands and result held transposed (layout.go)
	swap  bool            // gemm takes the operands swapped, writing the result transposed
}

// Broadcast modes of a binary instruction.
const (
	same uint8 = iota
	scalarB
	scalarA
)

// paramSlot binds a parameter's tensors to buffers at the start of every run.
type paramSlot struct {
	p     *tensor.Param
	value int // buffer of p.Value
	grad  int // buffer of p.Grad, or -1
	size  int // number of elements at compile time
}

// Compile turns the part of the graph that Options needs into a program: the forward
// instructions, then, if there is a loss, the backward instructions that write the
// gradient of every parameter the loss depends on. All buffers are allocated here.
// The returned error is an *Error.
func (g *Graph) Compile(opts Options) (prog *Program, err error) {
	defer Catch(&err)
	roots, err := g.roots(opts)
	if err != nil {
		return nil, err
	}
	fwd := reachable(roots)
	c := &compiler{g: g, p: newProgram(opts.Loss)}
	c.leaves(fwd)
	c.emitAll(fwd)
	c.p.nfwd, c.p.nlistFwd = len(c.p.code), len(c.p.listing)
	if opts.Loss != nil {
		c.p.lossBuf = c.buf[opts.Loss]
		c.emitBackward(g.backward(opts.Loss, reachable([]*Node{opts.Loss})))
	}
	c.chooseLayouts(roots)
	c.finish()
	return c.p, nil
}

// roots checks the options and returns the nodes the program must compute.
func (g *Graph) roots(opts Options) ([]*Node, error) {
	roots := slices.Clone(opts.Outputs)
	if l := opts.Loss; l != nil {
		if tensor.Numel(l.Shape) != 1 {
			return nil, &Error{Origin: l.Origin, Msg: "loss must have one element, got shape " + shp(l.Shape)}
		}
		roots = append(roots, l)
	}
	for _, n := range roots {
		if n == nil || n.g != g {
			return nil, &Error{Msg: "compile: output is nil or from another graph"}
		}
	}
	return roots, nil
}

// reachable returns the nodes the roots depend on, roots included, in creation
// order, which is a topological order.
func reachable(roots []*Node) []*Node {
	seen := map[*Node]bool{}
	var out []*Node
	var visit func(n *Node)
	visit = func(n *Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, x := range n.in {
			visit(x)
		}
		out = append(out, n)
	}
	for _, r := range roots {
		visit(r)
	}
	slices.SortFunc(out, func(a, b *Node) int { return a.id - b.id })
	return out
}

// compiler carries the state of one Compile.
type compiler struct {
	g   *Graph
	p   *Program
	buf map[*Node]int // node -> buffer index
	aux map[*Node]int // dropout node -> mask buffer, cross-entropy node -> probabilities buffer
	moe map[*Node]*moePlan
}

func newProgram(loss *Node) *Program {
	p := &Program{
		loss:     loss,
		training: loss != nil,
		values:   map[*Node]*tensor.Tensor{},
		inputs:   map[string]*tensor.Tensor{},
		pcg:      rand.NewPCG(0, 0),
	}
	return p
}

// alloc adds a zeroed buffer of the given shape and returns its index.
func (c *compiler) alloc(shape []int) int {
	c.p.bufs = append(c.p.bufs, make([]float32, tensor.Numel(shape)))
	return len(c.p.bufs) - 1
}

// leaves gives every graph input, and the parameters and constants in fwd, their
// buffers.
func (c *compiler) leaves(fwd []*Node) {
	c.buf, c.aux = map[*Node]int{}, map[*Node]int{}
	for _, n := range c.g.inputs {
		c.bind(n, c.alloc(n.Shape))
		c.p.inputs[n.name] = c.p.values[n]
	}
	for _, n := range fwd {
		c.leaf(n)
	}
}

// leaf allocates the buffer of a parameter or constant node.
func (c *compiler) leaf(n *Node) {
	switch n.op {
	case opParam:
		c.bind(n, c.alloc(nil)) // rebound to p.Value at every run
		c.p.slots = append(c.p.slots, paramSlot{p: n.param, value: c.buf[n], grad: -1, size: tensor.Numel(n.Shape)})
		c.p.listing = append(c.p.listing, n)
	case opConst:
		c.bind(n, c.alloc(n.Shape))
		kernels.Fill(c.p.bufs[c.buf[n]], n.attr.a)
		c.p.listing = append(c.p.listing, n)
	case opInput:
		c.p.listing = append(c.p.listing, n)
	}
}

// bind records that buffer i holds node n.
func (c *compiler) bind(n *Node, i int) {
	c.buf[n] = i
	c.p.values[n] = &tensor.Tensor{Shape: n.Shape, Data: c.p.bufs[i]}
}

// emitAll emits an instruction for every operation node in nodes, in order.
func (c *compiler) emitAll(nodes []*Node) {
	for _, n := range nodes {
		if _, done := c.buf[n]; done {
			continue
		}
		if n.op == opInput || n.op == opParam || n.op == opConst {
			c.leaf(n)
			continue
		}
		c.emit(n)
	}
}

// emit allocates n's buffer and appends its instruction.
func (c *compiler) emit(n *Node) {
	c.bind(n, c.alloc(n.Shape))
	in := instr{op: n.op, node: n, dst: c.buf[n], src: [3]int{-1, -1, -1}, a: n.attr.a, b: n.attr.b}
	for i, x := range n.in {
		in.src[i] = c.buf[x]
	}
	c.dims(&in, n)
	c.p.code = append(c.p.code, in)
	c.p.listing = append(c.p.listing, n)
}

// dims fills in the dimensions and extra buffers an instruction's kernel needs.
func (c *compiler) dims(in *instr, n *Node) {
	x := n.in[0]
	switch n.op {
	case opMatMul:
		_, k := rowsCols(x.Shape, n.attr.transA)
		in.gemm = &kernels.Gemm{TransA: n.attr.transA, TransB: n.attr.transB, M: n.Shape[0], N: n.Shape[1], K: k}
	case opAddBias:
		in.n = tensor.Numel(n.in[1].Shape)
		in.outer = tensor.Numel(x.Shape) / in.n
	case opSumRows:
		in.n = tensor.Numel(n.Shape)
		in.outer = tensor.Numel(x.Shape) / in.n
	case opAdd, opSub, opMul, opDiv:
		in.mode = broadcastMode(n)
	case opSoftmax, opLogSoftmax, opSum, opMean, opMax:
		in.outer, in.n, in.inner = axisView(x.Shape, n.attr.axis)
		if n.op == opMean {
			in.a = 1 / float32(in.n)
		}
	case opSoftmaxGrad, opLogSoftmaxGrad, opBroadcast, opMaxGrad:
		in.outer, in.n, in.inner = axisView(n.Shape, n.attr.axis)
	case opOneHotArgmax:
		in.n = x.Shape[len(x.Shape)-1]
		in.outer = tensor.Numel(x.Shape) / in.n
	case opOneHot:
		in.outer, in.n = n.Shape[0], n.Shape[1]
	case opSoftmaxCE: // its probabilities go to an extra buffer the gradient reads
		in.outer, in.n = x.Shape[0], x.Shape[1]
		c.aux[n] = c.alloc(x.Shape)
		in.src[2] = c.aux[n]
	case opSoftmaxCEGrad: // gy, the forward's probabilities instead of the logits, labels
		in.outer, in.n = n.Shape[0], n.Shape[1]
		in.src[1] = c.aux[n.attr.by]
	case opDropout:
		c.aux[n] = c.alloc(n.Shape)
		in.src[1] = c.aux[n]
	case opDropoutGrad:
		in.src[1] = c.aux[n.attr.by]
	case opConv2D, opConv2DGradInput, opConv2DGradWeight, opMaxPool2D, opMaxPool2DGrad, opAvgPool2D, opAvgPool2DGrad,
		opAddAxis, opScaleAxis, opSumAxis, opDotAxis, opBatchNorm, opBatchNormGrad, opLayerNorm, opLayerNormGrad:
		c.layerDims(in, n)
	case opSparseLinear, opSparseGradInput, opSparseGradWeight:
		c.sparseDims(in, n)
	case opTopKMask:
		in.outer, in.n = n.Shape[0], n.Shape[1]
	case opMoEDropped:
		in.outer, in.n = x.Shape[0], x.Shape[1]
	case opMoE, opMoEGradX, opMoEGradGate, opMoEGradW:
		in.moe = c.moePlan(n)
	case opCompactLinear, opCompactGradInput, opCompactGradValues:
		in.n = n.in[0].Shape[0] // the batch: of x, or of gy
	}
}

// moePlan returns the plan of an MoE node, shared by its gradient instructions.
func (c *compiler) moePlan(n *Node) *moePlan {
	if n.op != opMoE {
		n = n.attr.by
	}
	if p, ok := c.moe[n]; ok {
		return p
	}
	if c.moe == nil {
		c.moe = map[*Node]*moePlan{}
	}
	x, w := n.in[0], n.in[2]
	p := newMoEPlan(x.Shape[0], w.Shape[0], w.Shape[2], w.Shape[1], n.attr.count, n.attr.form)
	c.moe[n] = p
	return p
}

// broadcastMode tells which operand of a binary node, if any, is a broadcast scalar.
func broadcastMode(n *Node) uint8 {
	a, b := n.in[0], n.in[1]
	switch {
	case slices.Equal(a.Shape, b.Shape):
		return same
	case isScalar(b) && slices.Equal(n.Shape, a.Shape):
		return scalarB
	}
	return scalarA
}

// axisView splits a shape around axis into [outer, n, inner].
func axisView(s []int, axis int) (outer, n, inner int) {
	return tensor.Numel(s[:axis]), s[axis], tensor.Numel(s[axis+1:])
}

// emitBackward emits the gradient instructions and binds each parameter's gradient
// buffer: the instruction that computes a gradient writes into p.Grad directly when
// it is the only user of its result, otherwise a copy does.
func (c *compiler) emitBackward(grads map[*Node]*Node) {
	start := len(c.p.code)
	var roots []*Node
	for _, s := range c.p.slots {
		if gn := grads[c.g.params[s.p]]; gn != nil {
			roots = append(roots, gn)
		}
	}
	c.emitAll(reachable(roots))
	uses := c.uses(start)
	for i := range c.p.slots {
		s := &c.p.slots[i]
		gn := grads[c.g.params[s.p]]
		if gn == nil {
			c.p.zero = append(c.p.zero, s.p)
			continue
		}
		s.grad = c.sink(gn, s.p, uses, start)
	}
}

// uses counts how often each buffer is read by the instructions from start on.
func (c *compiler) uses(start int) map[int]int {
	u := map[int]int{}
	for _, in := range c.p.code[start:] {
		for _, s := range in.src {
			if s >= 0 {
				u[s]++
			}
		}
	}
	return u
}

// sink returns the buffer that receives p's gradient gn: gn's own buffer when a
// backward instruction computes it and nothing else reads it, else a fresh buffer
// filled by a copy.
func (c *compiler) sink(gn *Node, p *tensor.Param, uses map[int]int, start int) int {
	b := c.buf[gn]
	for i := start; i < len(c.p.code); i++ {
		in := &c.p.code[i]
		if in.dst == b && in.sink == nil && uses[b] == 0 {
			in.sink = p
			c.p.bufs[b] = nil // rebound to p.Grad at every run
			delete(c.p.values, gn)
			return b
		}
	}
	d := c.alloc(nil)
	c.p.code = append(c.p.code, instr{op: opCopy, node: gn, dst: d, src: [3]int{b, -1, -1}, sink: p})
	return d
}

// finish sorts the parameters into creation order.
func (c *compiler) finish() {
	slices.SortFunc(c.p.slots, func(a, b paramSlot) int {
		return c.g.params[a.p].id - c.g.params[b.p].id
	})
	for _, s := range c.p.slots {
		c.p.params = append(c.p.params, s.p)
	}
}
