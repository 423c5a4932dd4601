package graph

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Program is a compiled graph: a flat list of instructions over buffers allocated
// once by Compile and reused by every Run. A Program is not safe for concurrent use;
// programs that share parameters must not run concurrently.
type Program struct {
	code     []instr
	nfwd     int // code[:nfwd] is the forward pass
	bufs     [][]float32
	values   map[*Node]*tensor.Tensor
	inputs   map[string]*tensor.Tensor
	slots    []paramSlot
	params   []*tensor.Param
	zero     []*tensor.Param // reachable parameters the loss does not depend on
	listing  []*Node         // leaves and instructions' nodes in program order
	nlistFwd int             // listing[:nlistFwd] is the forward pass
	loss     *Node
	lossBuf  int
	training bool
	pcg      *rand.PCG

	transposed   map[*tensor.Tensor]*transposedInput // FeedTransposed's answers by input (nil: no)
	transposedBy map[*Node]*transposedInput          // the inputs compact layers read transposed
}

// Input returns the buffer of the named graph input, to be filled before Run, or nil
// if the graph had no such input when the program was compiled.
func (p *Program) Input(name string) *tensor.Tensor { return p.inputs[name] }

// Value returns the buffer holding n's value after Run (a parameter's p.Value), or nil
// if the program does not compute n. The tensor is overwritten by the next Run.
func (p *Program) Value(n *Node) *tensor.Tensor {
	if n != nil && n.op == opParam {
		if _, ok := p.values[n]; ok {
			return n.param.Value
		}
	}
	return p.values[n]
}

// SetTraining turns dropout on or off. A program with a loss starts in training
// mode, a forward-only program does not.
func (p *Program) SetTraining(on bool) { p.training = on }

// Seed reseeds the program's random generator (a math/rand/v2 PCG seeded with
// (seed, 0)); programs with the same seed draw the same dropout masks. A new program
// is seeded with 0.
func (p *Program) Seed(seed uint64) { p.pcg.Seed(seed, 0) }

// Params returns the parameters the program's loss and outputs depend on, in the
// order their nodes were created.
func (p *Program) Params() []*tensor.Param { return p.params }

// String returns a stable listing of the program, one line per leaf and per
// instruction, numbered in program order (not by graph node ids):
//
//	%3 = matmul %0 %1 transB [128 300]  # mlp.recipe:5:9
//
// Instructions that write a parameter's gradient end in "-> grad(name)"; the
// backward pass starts after the line "# backward".
func (p *Program) String() string {
	num := make(map[*Node]int, len(p.listing))
	for i, n := range p.listing {
		num[n] = i
	}
	var sb strings.Builder
	k := 0 // next instruction
	for i, n := range p.listing {
		if i == p.nlistFwd && p.loss != nil {
			sb.WriteString("# backward\n")
		}
		if n.op == opInput || n.op == opParam || n.op == opConst {
			fmt.Fprintf(&sb, "%%%d = %s%s\n", i, leafText(n), originText(n))
			continue
		}
		sb.WriteString(instrText(&p.code[k], num))
		k++
	}
	for ; k < len(p.code); k++ { // gradient copies
		sb.WriteString(instrText(&p.code[k], num))
	}
	return sb.String()
}

// leafText describes a leaf.
func leafText(n *Node) string {
	switch n.op {
	case opInput:
		return fmt.Sprintf("input %s %s", n.name, shp(n.Shape))
	case opParam:
		return fmt.Sprintf("param %s %s", n.param.Name, shp(n.Shape))
	}
	return fmt.Sprintf("const %s %s", ftoa(n.attr.a), shp(n.Shape))
}

// instrText prints one instruction line.
func instrText(in *instr, num map[*Node]int) string {
	n := in.node
	var sb strings.Builder
	if in.op == opCopy {
		fmt.Fprintf(&sb, "copy %%%d", num[n])
	} else {
		fmt.Fprintf(&sb, "%%%d = %s", num[n], n.op)
		for _, x := range n.in {
			fmt.Fprintf(&sb, " %%%d", num[x])
		}
		sb.WriteString(attrText(n, num))
	}
	fmt.Fprintf(&sb, " %s", shp(n.Shape))
	if in.transposed(tDst) {
		sb.WriteString(" transposed")
	}
	if in.sink != nil {
		fmt.Fprintf(&sb, " -> grad(%s)", in.sink.Name)
	}
	sb.WriteString(originText(n))
	sb.WriteByte('\n')
	return sb.String()
}

// attrText prints an op's static attributes.
func attrText(n *Node, num map[*Node]int) string {
	at := n.attr
	switch n.op {
	case opMatMul:
		s := ""
		if at.transA {
			s += " transA"
		}
		if at.transB {
			s += " transB"
		}
		return s
	case opSoftmax, opLogSoftmax, opSum, opMean, opMax, opSoftmaxGrad, opLogSoftmaxGrad, opMaxGrad:
		return " axis=" + strconv.Itoa(at.axis)
	case opBroadcast:
		return " axis=" + strconv.Itoa(at.axis) + " scale=" + ftoa(at.a)
	case opExpand:
		return " scale=" + ftoa(at.a)
	case opClamp, opClampGrad:
		return " lo=" + ftoa(at.a) + " hi=" + ftoa(at.b)
	case opLeakyRelu, opLeakyReluGrad:
		return " slope=" + ftoa(at.a)
	case opGreater:
		return " t=" + ftoa(at.a)
	case opDropout:
		return " rate=" + ftoa(at.a)
	case opDropoutGrad:
		return fmt.Sprintf(" mask=%%%d", num[at.by])
	}
	return layerAttrText(n)
}

func ftoa(v float32) string { return strconv.FormatFloat(float64(v), 'g', -1, 32) }

// originText is the listing's comment naming a node's recipe position.
func originText(n *Node) string {
	if n.Origin == "" {
		return ""
	}
	return "  # " + n.Origin
}
