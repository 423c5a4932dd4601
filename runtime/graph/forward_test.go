package graph

import (
	"math"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// forwardCase runs build on inputs a (and b) and compares the output with hand-computed
// values within 1e-5 relative.
type forwardCase struct {
	name  string
	a, b  *tensor.Tensor
	build func(g *Graph, a, b *Node) *Node
	want  []float64
	shape []int
}

func tt(shape []int, v ...float32) *tensor.Tensor { return &tensor.Tensor{Shape: shape, Data: v} }

func TestForwardValues(t *testing.T) {
	m22 := tt(s(2, 2), 1, 2, 3, 4)
	m23 := tt(s(2, 3), 1, 2, 3, 4, 5, 6)
	sc := tt(s(), 2)
	th := 1.0 / 3
	for _, c := range []forwardCase{
		{"matmul", m22, tt(s(2, 2), 5, 6, 7, 8), func(g *Graph, a, b *Node) *Node { return g.MatMul(a, b, false, false) }, []float64{19, 22, 43, 50}, s(2, 2)},
		{"matmul/tA", m22, tt(s(2, 2), 5, 6, 7, 8), func(g *Graph, a, b *Node) *Node { return g.MatMul(a, b, true, false) }, []float64{26, 30, 38, 44}, s(2, 2)},
		{"matmul/tB", m23, m23, func(g *Graph, a, b *Node) *Node { return g.MatMul(a, b, false, true) }, []float64{14, 32, 32, 77}, s(2, 2)},
		{"matmul/tAtB", m23, tt(s(3, 2), 1, 2, 3, 4, 5, 6), func(g *Graph, a, b *Node) *Node { return g.MatMul(a, b, true, true) }, []float64{9, 19, 29, 12, 26, 40, 15, 33, 51}, s(3, 3)},
		{"add_bias", m23, tt(s(3), 10, 20, 30), (*Graph).AddBias, []float64{11, 22, 33, 14, 25, 36}, s(2, 3)},
		{"add/scalar_b", m22, sc, (*Graph).Add, []float64{3, 4, 5, 6}, s(2, 2)},
		{"sub/scalar_a", sc, m22, (*Graph).Sub, []float64{1, 0, -1, -2}, s(2, 2)},
		{"sub/scalar_b", m22, sc, (*Graph).Sub, []float64{-1, 0, 1, 2}, s(2, 2)},
		{"mul", m22, m22, (*Graph).Mul, []float64{1, 4, 9, 16}, s(2, 2)},
		{"div/scalar_a", sc, m22, (*Graph).Div, []float64{2, 1, 2.0 / 3, 0.5}, s(2, 2)},
		{"div/scalar_b", m22, sc, (*Graph).Div, []float64{0.5, 1, 1.5, 2}, s(2, 2)},
		{"sum/0", m23, nil, func(g *Graph, a, _ *Node) *Node { return g.Sum(a, 0) }, []float64{5, 7, 9}, s(3)},
		{"sum/-1", m23, nil, func(g *Graph, a, _ *Node) *Node { return g.Sum(a, -1) }, []float64{6, 15}, s(2)},
		{"mean/1", m23, nil, func(g *Graph, a, _ *Node) *Node { return g.Mean(a, 1) }, []float64{2, 5}, s(2)},
		{"max/0", tt(s(2, 3), 1, 9, 3, 4, 5, 6), nil, func(g *Graph, a, _ *Node) *Node { return g.Max(a, 0) }, []float64{4, 9, 6}, s(3)},
		{"sum_all", m23, nil, func(g *Graph, a, _ *Node) *Node { return g.SumAll(a) }, []float64{21}, s()},
		{"mean_all", m23, nil, func(g *Graph, a, _ *Node) *Node { return g.MeanAll(a) }, []float64{3.5}, s()},
		{"softmax", tt(s(1, 3), 0, 0, 0), nil, func(g *Graph, a, _ *Node) *Node { return g.Softmax(a, -1) }, []float64{th, th, th}, s(1, 3)},
		{"softmax/axis0", tt(s(2, 1), 0, math.Ln2), nil, func(g *Graph, a, _ *Node) *Node { return g.Softmax(a, 0) }, []float64{th, 2 * th}, s(2, 1)},
		{"log_softmax", tt(s(1, 2), 0, 0), nil, func(g *Graph, a, _ *Node) *Node { return g.LogSoftmax(a, -1) }, []float64{-math.Ln2, -math.Ln2}, s(1, 2)},
		{"softmax_cross_entropy", tt(s(2, 2), 0, 0, 0, 0), tt(s(2), 0, 1), (*Graph).SoftmaxCrossEntropy, []float64{math.Ln2}, s()},
		{"mse", m22, tt(s(2, 2), 1, 0, 0, 0), (*Graph).MSE, []float64{(4 + 9 + 16) / 4.0}, s()},
		{"relu", tt(s(3), -1, 0, 2), nil, unaryF((*Graph).Relu), []float64{0, 0, 2}, s(3)},
		{"leaky_relu", tt(s(2), -1, 2), nil, func(g *Graph, a, _ *Node) *Node { return g.LeakyRelu(a, 0.1) }, []float64{-0.1, 2}, s(2)},
		{"clamp", tt(s(3), -2, 0.5, 2), nil, func(g *Graph, a, _ *Node) *Node { return g.Clamp(a, -1, 1) }, []float64{-1, 0.5, 1}, s(3)},
		{"gelu", tt(s(2), 0, 1), nil, unaryF((*Graph).Gelu), []float64{0, 0.8411919906}, s(2)},
		{"sigmoid", tt(s(1), 0), nil, unaryF((*Graph).Sigmoid), []float64{0.5}, s(1)},
		{"softplus", tt(s(6), 0, 1, -1, 30, 1000, -1000), nil, unaryF((*Graph).Softplus),
			[]float64{math.Ln2, 1.3132616875182228, 0.31326168751822286, 30, 1000, 0}, s(6)},
		{"stop_grad", m22, nil, unaryF((*Graph).StopGrad), []float64{1, 2, 3, 4}, s(2, 2)},
		{"greater", tt(s(4), 0.4, 0.5, 0.6, -1), nil, func(g *Graph, a, _ *Node) *Node { return g.Greater(a, 0.5) }, []float64{0, 0, 1, 0}, s(4)},
		{"one_hot_argmax/ties", tt(s(2, 3), 1, 3, 3, 2, 0, 2), nil, unaryF((*Graph).OneHotArgmax), []float64{0, 1, 0, 1, 0, 0}, s(2, 3)},
		{"one_hot_argmax/3d", tt(s(2, 1, 2), 5, -1, -7, -7), nil, unaryF((*Graph).OneHotArgmax), []float64{1, 0, 1, 0}, s(2, 1, 2)},
		{"one_hot_argmax/1d", tt(s(3), -2, -1, -1.5), nil, unaryF((*Graph).OneHotArgmax), []float64{0, 1, 0}, s(3)},
		{"tanh", tt(s(1), 0), nil, unaryF((*Graph).Tanh), []float64{0}, s(1)},
		{"exp_log", tt(s(2), 1, 2), nil, func(g *Graph, a, _ *Node) *Node { return g.Log(g.Exp(a)) }, []float64{1, 2}, s(2)},
		{"sqrt_square_abs_neg", tt(s(2), -3, 4), nil, func(g *Graph, a, _ *Node) *Node { return g.Neg(g.Sqrt(g.Square(g.Abs(a)))) }, []float64{-3, -4}, s(2)},
		{"const", m22, nil, func(g *Graph, a, _ *Node) *Node { return g.Mul(a, g.Const(0.5)) }, []float64{0.5, 1, 1.5, 2}, s(2, 2)},
		{"dropout/eval", m22, nil, func(g *Graph, a, _ *Node) *Node { return g.Dropout(a, 0.5) }, []float64{1, 2, 3, 4}, s(2, 2)},
	} {
		t.Run(c.name, func(t *testing.T) { runForward(t, c) })
	}
}

func unaryF(f func(*Graph, *Node) *Node) func(g *Graph, a, b *Node) *Node {
	return func(g *Graph, a, _ *Node) *Node { return f(g, a) }
}

func runForward(t *testing.T, c forwardCase) {
	g := New()
	a := g.Input("a", c.a.Shape...)
	var b *Node
	if c.b != nil {
		b = g.Input("b", c.b.Shape...)
	}
	y := c.build(g, a, b)
	p := compile(t, g, Options{Outputs: []*Node{y}})
	copy(p.Input("a").Data, c.a.Data)
	if c.b != nil {
		copy(p.Input("b").Data, c.b.Data)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	got := p.Value(y)
	if tensor.ShapeString(got.Shape) != tensor.ShapeString(c.shape) {
		t.Fatalf("shape %s, want %s", tensor.ShapeString(got.Shape), tensor.ShapeString(c.shape))
	}
	for i, w := range c.want {
		if math.Abs(float64(got.Data[i])-w) > 1e-5*(1+math.Abs(w)) {
			t.Errorf("[%d] = %g, want %g", i, got.Data[i], w)
		}
	}
}
