package graph

import (
	"slices"

	"github.com/roux-ml/roux/runtime/kernels"
)

// The sparse kernels compute in the transposed layout, a [B, F] value held as
// [F, B], and copy their operands and results between it and the row-major one.
// Between two compact layers (x |> compact |> bias |> relu |> compact …) those copies
// are pure overhead: at 99% sparsity they were a fifth of a LeNet step. So Compile
// holds such values transposed: a group of values tied by elementwise ops (bias,
// ReLU, their gradients, gradient sums) is transposed when compact ops and bias
// gradients are its only other producers and readers, and none of it is an output.
// The results are the same bits either way. Only batches that are a multiple of 16
// qualify, so that a transposed buffer ([F, kernels.SparseLd(B)]) is exactly as long
// as the row-major one.

// Bits of instr.t: the operands src[i] (bit i) and the result (bit tDst) that are
// held transposed.
const tDst = 3

// transposed reports whether operand i of the instruction, or its result for
// i = tDst, is held transposed.
func (in *instr) transposed(i int) bool { return in.t&(1<<i) != 0 }

// transposeOff turns the layout pass off, for tests that compare both layouts.
var transposeOff = false

// transposeCompact chooses the values to hold transposed and marks the instructions
// that read or write them; keep are the program's outputs, which stay row-major.
func (c *compiler) transposeCompact(keep []*Node) {
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
	}
}

// layout is the state of the layout pass: which buffers may be transposed, joined
// into groups that must share a layout.
type layout struct {
	can    map[int]bool // buffers an instruction writes that may be transposed
	parent map[int]int  // union-find over can's buffers
	bad    map[int]bool // group roots that must stay row-major
}

func newLayout(c *compiler, keep []*Node) *layout {
	l := &layout{can: map[int]bool{}, parent: map[int]int{}, bad: map[int]bool{}}
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
func (l *layout) chosen(b int) bool { return l.can[b] && !l.bad[l.find(b)] }

// constrain records what one instruction allows: the operands it reads in either
// layout, those whose layout it ties together, and that every other operand it
// reads or writes stays row-major.
func (l *layout) constrain(in *instr) {
	var free, tied []int // operand positions, tDst for the result
	switch in.op {
	case opCompactLinear, opCompactGradInput:
		free = []int{0, tDst}
	case opCompactGradValues:
		free = []int{0, 1}
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
		if b := buf(i); b >= 0 && l.can[b] && !slices.Contains(free, i) && !slices.Contains(tied, i) {
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
		}
	}
}
