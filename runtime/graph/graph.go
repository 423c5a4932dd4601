package graph

import (
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Graph builds a graph of tensor operations. Nodes are immutable once built and may
// be shared by several compiled programs. A Graph is not safe for concurrent use.
type Graph struct {
	origin string
	nextID int
	inputs []*Node
	byName map[string]*Node
	params map[*tensor.Param]*Node
}

// Node is one value of the graph: a leaf (input, parameter or constant) or the
// result of an operation. Shape and Origin must not be modified.
type Node struct {
	// Shape is the node's static shape; an empty shape is a scalar.
	Shape []int
	// Origin is the recipe position that built the node, as set by SetOrigin.
	Origin string

	g     *Graph
	id    int
	op    op
	in    []*Node
	attr  attr
	name  string        // input name
	param *tensor.Param // parameter, for opParam
}

// attr holds the static attributes of an operation.
type attr struct {
	transA, transB bool
	axis           int
	a, b           float32         // constant value, clamp bounds, slope, rate, scale, threshold
	by             *Node           // a forward node a gradient op reads state from (dropout mask)
	win            window          // convolution and pool geometry
	stats          *BatchNormStats // batch norm running statistics
	sp             *Sparsity       // sparse_linear's mask
	count          int             // top_k_mask's k; moe's expert capacity (0: none)
	form           MoEForm         // how an moe reads its input and writes its output
}

// New returns an empty graph.
func New() *Graph {
	return &Graph{byName: map[string]*Node{}, params: map[*tensor.Param]*Node{}}
}

// SetOrigin sets the recipe position ("file.recipe:12:5") recorded on every node
// built after it, and named by errors about those nodes.
func (g *Graph) SetOrigin(origin string) { g.origin = origin }

// node records a new node.
func (g *Graph) node(o op, shape []int, at attr, in ...*Node) *Node {
	for _, x := range in {
		if x == nil || x.g != g {
			g.fail("%s: operand from another graph or nil", o)
		}
	}
	n := &Node{Shape: slices.Clone(shape), Origin: g.origin, g: g, id: g.nextID, op: o, in: in, attr: at}
	if n.Shape == nil {
		n.Shape = []int{}
	}
	g.nextID++
	return n
}

// Input declares a buffer fed before each run: batch data, labels as float32 class
// ids, or a scalar such as a scheduled learning rate (shape []). Declaring the same
// name again with the same shape returns the same node.
func (g *Graph) Input(name string, shape ...int) *Node {
	checkDims(g, "input "+name, shape)
	if n, ok := g.byName[name]; ok {
		if !slices.Equal(n.Shape, shape) {
			g.fail("input %s redeclared with shape %s, was %s", name, shp(shape), shp(n.Shape))
		}
		return n
	}
	n := g.node(opInput, shape, attr{})
	n.name = name
	g.byName[name] = n
	g.inputs = append(g.inputs, n)
	return n
}

// Param returns the node of a trainable parameter. Programs read p.Value and write
// p.Grad directly when they run, so several programs share one parameter. Asking
// twice for the same parameter returns the same node.
func (g *Graph) Param(p *tensor.Param) *Node {
	if n, ok := g.params[p]; ok {
		return n
	}
	if p.Grad == nil || len(p.Grad.Data) != len(p.Value.Data) {
		g.fail("param %s: gradient buffer does not match value %s", p.Name, shp(p.Value.Shape))
	}
	n := g.node(opParam, p.Value.Shape, attr{})
	n.param = p
	g.params[p] = n
	return n
}

// Const returns a scalar constant (shape []).
func (g *Graph) Const(v float32) *Node { return g.constant(v, nil) }

// constant returns a constant filled with v, of any shape.
func (g *Graph) constant(v float32, shape []int) *Node {
	return g.node(opConst, shape, attr{a: v})
}

// checkDims panics unless every dimension is positive.
func checkDims(g *Graph, what string, shape []int) {
	for _, d := range shape {
		if d <= 0 {
			g.fail("%s: bad shape %s", what, shp(shape))
		}
	}
}
