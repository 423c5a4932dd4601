package graph

import (
	"slices"

	"github.com/roux-ml/roux/runtime/kernels"
)

// The sparse kernels compute in the transposed layout, a [B, F] value held as
// [F, B], and copy their operands and results between it and the row-major one.
// Between two sparse layers (x |> compact |> bias |> relu |> compact …) those copies
// are pure overhead: at 99% sparsity they were a fifth of a LeNet step. So Compile
// holds such values transposed: a group of values tied by elementwise ops (bias,
// ReLU, their gradients, gradient sums) is transposed when a sparse layer (compact,
// or masked: SparseLinear) reads or writes it, when its other producers and readers
// are sparse layers, matrix products and bias gradients, which take either layout,
// and when none of it is an output or a parameter's gradient. A matrix product on a
// transposed operand runs Gemm with the operand's flag flipped, and one that writes a
// transposed result computes Cᵀ = op(B)ᵀ·op(A)ᵀ; Gemm sums every element in the same
// order either way, so the results are the same bits. Only batches that are a
// multiple of 16 qualify, so that a transposed buffer ([F, kernels.SparseLd(B)]) is
// exactly as long as the row-major one.

// Bits of instr.t: the operands src[i] (bit i) and the result (bit tDst) that are
// held transposed.
const tDst = 3

// transposed reports whether operand i of the instruction, or its result for
// i = tDst, is held transposed.
func (in *instr) transposed(i int) bool { return in.t&(1<<i) != 0 }

// dense is operand i of the instruction (or its result, i = tDst), v, as a sparse
// kernel's operand in the layout it is held in.
func (in *instr) dense(i int, v []float32) kernels.Dense {
	return kernels.Dense{Data: v, T: in.transposed(i)}
}

// transposeOff turns the layout pass off, for tests that compare both layouts.
var transposeOff = false

// chooseLayouts chooses the values to hold transposed and marks the instructions
// that read or write them; keep are the program's outputs, which stay row-major.
func (c *compiler) chooseLayouts(keep []*Node) {
	if transposeOff {
		return
	}
	lay := newLayout(c, keep)
	for i := range c.p.code {
		lay.constrain(&c.p.code[i])
	}
	for i := range c.p.code {
		in := &c.p.code[i]
		for j, b := range in.src {
			if b >= 0 && lay.chosen(b) {
				in.t |= 1 << j
			}
		}
		if lay.chosen(in.dst) {
			in.t |= 1 << tDst
			delete(c.p.values, in.node) // Value would read it in the wrong layout
		}
		if in.gemm != nil && in.t != 0 {
			in.gemm, in.swap = transposedGemm(in.gemm, in.transposed(0), in.transposed(1), in.transposed(tDst))
		}
	}
}

// transposedGemm returns the product g computes, C = op(A)·op(B), for A or B held
// transposed (aT, bT) or C to be written transposed (cT), and whether it takes its
// operands swapped: Cᵀ = op(B)ᵀ·op(A)ᵀ.
func transposedGemm(g *kernels.Gemm, aT, bT, cT bool) (*kernels.Gemm, bool) {
	ta, tb := g.TransA != aT, g.TransB != bT
	if !cT {
		return &kernels.Gemm{TransA: ta, TransB: tb, M: g.M, N: g.N, K: g.K}, false
	}
	return &kernels.Gemm{TransA: !tb, TransB: !ta, M: g.N, N: g.M, K: g.K}, true
}

// layout is the state of the layout pass: which buffers may be transposed, joined
// into groups that must share a layout.
type layout struct {
	can      map[int]bool // buffers an instruction writes that may be transposed
	parent   map[int]int  // union-find over can's buffers
	bad      map[int]bool // group roots that must stay row-major
	anchored map[int]bool // group roots a sparse layer reads or writes
}

func newLayout(c *compiler, keep []*Node) *layout {
	l := &layout{can: map[int]bool{}, parent: map[int]int{}, bad: map[int]bool{}, anchored: map[int]bool{}}
	kept := map[*Node]bool{}
	for _, n := range keep {
		kept[n] = true
	}
	for _, in := range c.p.code {
		s := in.node.Shape
		// a parameter's gradient (a sink) is read in its own layout after the run
		if in.op != opCopy && in.sink == nil && !kept[in.node] && len(s) == 2 && s[0] > 0 && kernels.SparseLd(s[0]) == s[0] {
			l.can[in.dst] = true
			l.parent[in.dst] = in.dst
		}
	}
	return l
}

func (l *layout) find(b int) int {
	for l.parent[b] != b {
		l.parent[b] = l.parent[l.parent[b]]
		b = l.parent[b]
	}
	return b
}

// chosen reports whether buffer b is held transposed.
func (l *layout) chosen(b int) bool {
	if !l.can[b] {
		return false
	}
	r := l.find(b)
	return !l.bad[r] && l.anchored[r]
}

// constrain records what one instruction allows: the operands it reads in either
// layout, those whose layout it ties together, and that every other operand it
// reads or writes stays row-major; a sparse layer anchors its operands' groups.
func (l *layout) constrain(in *instr) {
	var free, tied []int // operand positions, tDst for the result
	anchor := false
	switch in.op {
	case opCompactLinear, opCompactGradInput, opSparseLinear, opSparseGradInput:
		free, anchor = []int{0, tDst}, true
	case opCompactGradValues, opSparseGradWeight:
		free, anchor = []int{0, 1}, true
	case opMatMul:
		free = []int{0, 1, tDst}
	case opSumRows:
		free = []int{0}
	case opAddBias, opRelu:
		tied = []int{0, tDst}
	case opReluGrad:
		tied = []int{0, 1, tDst}
	case opAdd, opSub, opMul:
		if in.mode == same {
			tied = []int{0, 1, tDst}
		}
	}
	buf := func(i int) int {
		if i == tDst {
			return in.dst
		}
		return in.src[i]
	}
	for i := range 4 {
		b := buf(i)
		if b < 0 || !l.can[b] {
			continue
		}
		switch {
		case slices.Contains(free, i):
			l.anchored[l.find(b)] = l.anchored[l.find(b)] || anchor
		case !slices.Contains(tied, i):
			l.bad[l.find(b)] = true
		}
	}
	if len(tied) == 0 {
		return
	}
	first, ok := buf(tied[0]), true
	for _, i := range tied {
		ok = ok && l.can[buf(i)]
	}
	if !ok { // a tied operand that cannot be transposed keeps them all row-major
		for _, i := range tied {
			if b := buf(i); l.can[b] {
				l.bad[l.find(b)] = true
			}
		}
		return
	}
	for _, i := range tied[1:] {
		a, b := l.find(first), l.find(buf(i))
		if a != b {
			l.parent[b] = a
			l.bad[a] = l.bad[a] || l.bad[b]
			l.anchored[a] = l.anchored[a] || l.anchored[b]
		}
	}
}
