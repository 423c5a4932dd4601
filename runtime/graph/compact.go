package graph

import (
	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// CompactLinear returns x·W̃ᵀ for x [B, in] where the weight W̃ [csr.Rows, csr.Cols]
// exists only compressed: values [nnz] holds its nonzeros in csr's order, and csr its
// fixed pattern. Forward, input gradient and weight gradient run the sparse kernels,
// and the weight's gradient is [nnz] too, so nothing of size rows·cols is ever
// allocated: this is what lets a 65536×65536 layer at 99.9% sparsity train.
func (g *Graph) CompactLinear(x, values *Node, csr *kernels.CSR) *Node {
	if len(x.Shape) != 2 || x.Shape[1] != csr.Cols || len(values.Shape) != 1 || values.Shape[0] != csr.NNZ() {
		g.fail("compact_linear: input %s and values %s do not match a %d×%d pattern with %d nonzeros (want [B %d] and [%d])",
			shp(x.Shape), shp(values.Shape), csr.Rows, csr.Cols, csr.NNZ(), csr.Cols, csr.NNZ())
	}
	return g.node(opCompactLinear, []int{x.Shape[0], csr.Rows}, attr{sp: &Sparsity{CSR: csr}}, x, values)
}

// compactGrad is grad for CompactLinear: the input gradient reads gy (the values are
// already in the CSR), the values' gradient gy and x.
func (g *Graph) compactGrad(n, gy *Node, i int) *Node {
	if i == 0 {
		return g.node(opCompactGradInput, n.in[0].Shape, n.attr, gy)
	}
	return g.node(opCompactGradValues, n.in[1].Shape, n.attr, gy, n.in[0])
}

// stepCompact runs CompactLinear or one of its gradients; in.n is the batch. An
// input fed transposed (FeedTransposed) is read from its transposed buffer, and the
// values held transposed (layout.go) are read and written as they are.
func (p *Program) stepCompact(in *instr, d, x, y []float32) {
	csr := in.node.attr.sp.CSR
	switch in.op {
	case opCompactLinear:
		csr.SetVal(y)
		xd := in.dense(0, x)
		if t := p.fedTransposed(in.node.in[0]); t != nil {
			xd = kernels.Dense{Data: t.xt, T: true}
		}
		kernels.SpMMTOf(in.dense(tDst, d), xd, csr, in.n)
	case opCompactGradInput:
		kernels.SpMMOf(in.dense(tDst, d), in.dense(0, x), csr, in.n)
	case opCompactGradValues:
		xd := in.dense(1, y)
		if t := p.fedTransposed(in.node.in[1]); t != nil {
			xd = kernels.Dense{Data: t.xt, T: true}
		}
		kernels.SDDMMOf(d, in.dense(0, x), xd, csr, in.n)
	}
}

// transposedInput is a graph input [B, F] that only compact layers read, with the
// buffer [F, kernels.SparseLd(B)] it can be fed into transposed.
type transposedInput struct {
	xt  []float32
	ld  int
	fed bool // the current run's value is in xt, not in the input's own buffer
}

// FeedTransposed gives the next run's value of input, a buffer returned by Input,
// transposed when every instruction that reads the input is a compact layer or its
// weight gradient: it calls fill with a buffer xt [F, ld] to set to xt[f·ld + b] =
// x[b, f] (lanes b ≥ B zero, as kernels.GatherT writes them) and returns true, and
// the run reads xt instead of input, which it leaves unread (so a non-finite loss is
// not traced back to it). It returns false, without calling fill, for other inputs:
// fill input as usual. A shuffled batch gathered this way is neither copied nor
// transposed again.
func (p *Program) FeedTransposed(input *tensor.Tensor, fill func(xt []float32, ld int)) bool {
	t, ok := p.transposed[input]
	if !ok {
		t = p.transposable(input)
		if p.transposed == nil {
			p.transposed = map[*tensor.Tensor]*transposedInput{}
		}
		p.transposed[input] = t
	}
	if t == nil {
		return false
	}
	fill(t.xt, t.ld)
	t.fed = true
	return true
}

// transposable returns the transposed buffer of an input if only compact layers
// read it, or nil.
func (p *Program) transposable(input *tensor.Tensor) *transposedInput {
	var n *Node
	for _, l := range p.listing {
		if l.op == opInput && p.values[l] == input && len(l.Shape) == 2 {
			n = l
		}
	}
	if n == nil {
		return nil
	}
	for i := range p.code {
		c := p.code[i].node
		if p.code[i].op == opCopy { // a gradient copy reads c's value, not c's inputs
			continue
		}
		for j, x := range c.in {
			ok := (c.op == opCompactLinear && j == 0) || (c.op == opCompactGradValues && j == 1)
			if x == n && !ok {
				return nil
			}
		}
	}
	ld := kernels.SparseLd(n.Shape[0])
	t := &transposedInput{xt: make([]float32, n.Shape[1]*ld), ld: ld}
	if p.transposedBy == nil {
		p.transposedBy = map[*Node]*transposedInput{}
	}
	p.transposedBy[n] = t
	return t
}

// fedTransposed returns the transposed buffer of input n if this run's value is in it.
func (p *Program) fedTransposed(n *Node) *transposedInput {
	if t := p.transposedBy[n]; t != nil && t.fed {
		return t
	}
	return nil
}

// endRun marks the inputs fed transposed as read: the next run reads them from
// their own buffers unless fed transposed again.
func (p *Program) endRun() {
	for _, t := range p.transposedBy {
		t.fed = false
	}
}
