package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// Gradient checks compare the program's gradients of f = Σ op(x)·r, r a random
// constant input, with central differences of f in float64:
//
//	numeric = (f(x+h) - f(x-h)) / (x+h - (x-h)),  h = 1e-2 (the float32-rounded step)
//
// and accept |analytic - numeric| <= 2e-3 + 1e-2·|numeric|. Inputs are drawn away
// from kinks (relu, abs, clamp bounds, ties of max) by more than h. The ops that pass
// no gradient are checked behind a product, x·mask(x), whose gradient is the mask.
const (
	fdStep = 1e-2
	fdAtol = 2e-3
	fdRtol = 1e-2
)

// gradCase is one gradient check: build receives one parameter node per shape.
type gradCase struct {
	name   string
	shapes [][]int
	gen    func(r *rand.Rand) float32 // parameter values; uniform in [-1, 1] if nil
	feed   map[string][]float32       // extra inputs the case declares itself
	build  func(g *Graph, x []*Node) *Node
	train  bool // run in training mode (dropout)
}

// checkGrad runs one gradient check.
func checkGrad(t *testing.T, c gradCase) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	g := New()
	g.SetOrigin(c.name)
	var params []*tensor.Param
	var nodes []*Node
	for i, s := range c.shapes {
		p := tensor.NewParam(fmt.Sprintf("p%d", i), s...)
		for j := range p.Value.Data {
			p.Value.Data[j] = gen(c.gen, r)
		}
		params = append(params, p)
		nodes = append(nodes, g.Param(p))
	}
	y := c.build(g, nodes)
	weights := g.Input("fd.r", y.Shape...)
	train := compile(t, g, Options{Loss: g.SumAll(g.Mul(y, weights))})
	eval := compile(t, g, Options{Outputs: []*Node{y}})
	rw := randoms(r, tensor.Numel(y.Shape))
	for _, p := range []*Program{train, eval} {
		feed(p, c.feed)
		copy(p.Input("fd.r").Data, rw)
		p.SetTraining(c.train)
	}
	f := func() float64 {
		eval.Seed(7)
		if err := eval.Run(); err != nil {
			t.Fatal(err)
		}
		return dot(eval.Value(y).Data, rw)
	}
	train.Seed(7)
	if err := train.Run(); err != nil {
		t.Fatal(err)
	}
	for _, p := range params {
		compareGrad(t, p, f)
	}
}

// compareGrad compares p.Grad with central differences of f.
func compareGrad(t *testing.T, p *tensor.Param, f func() float64) {
	t.Helper()
	analytic := append([]float32(nil), p.Grad.Data...)
	for j, x := range p.Value.Data {
		hi, lo := float32(float64(x)+fdStep), float32(float64(x)-fdStep)
		p.Value.Data[j] = hi
		fhi := f()
		p.Value.Data[j] = lo
		flo := f()
		p.Value.Data[j] = x
		num := (fhi - flo) / (float64(hi) - float64(lo))
		if d := math.Abs(float64(analytic[j]) - num); d > fdAtol+fdRtol*math.Abs(num) {
			t.Errorf("%s[%d] = %g: analytic gradient %g, numeric %g", p.Name, j, x, analytic[j], num)
		}
	}
}

func compile(t *testing.T, g *Graph, o Options) *Program {
	t.Helper()
	p, err := g.Compile(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func feed(p *Program, in map[string][]float32) {
	for name, v := range in {
		copy(p.Input(name).Data, v)
	}
}

func gen(f func(*rand.Rand) float32, r *rand.Rand) float32 {
	if f != nil {
		return f(r)
	}
	return 2*r.Float32() - 1
}

func randoms(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 2*r.Float32() - 1
	}
	return v
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// away draws from [-1, 1] at distance >= 0.05 from every kink.
func away(kinks ...float32) func(*rand.Rand) float32 {
	return func(r *rand.Rand) float32 {
		for {
			v := 2*r.Float32() - 1
			ok := true
			for _, k := range kinks {
				ok = ok && math.Abs(float64(v-k)) >= 0.05
			}
			if ok {
				return v
			}
		}
	}
}

// positive draws from [0.5, 2].
func positive(r *rand.Rand) float32 { return 0.5 + 1.5*r.Float32() }

// nonzero draws from ±[0.5, 1.5].
func nonzero(r *rand.Rand) float32 {
	v := 0.5 + r.Float32()
	if r.IntN(2) == 0 {
		return -v
	}
	return v
}

// cycle yields vs in turn, for points that must be checked exactly.
func cycle(vs ...float32) func(*rand.Rand) float32 {
	i := -1
	return func(*rand.Rand) float32 {
		i++
		return vs[i%len(vs)]
	}
}

// spread draws values on a 0.1 grid with random offsets: ties of max are unlikely
// and any two values differ by far more than the step.
func spread(r *rand.Rand) float32 { return float32(r.IntN(400)-200)/10 + 0.01*r.Float32() }

func unary(f func(g *Graph, x *Node) *Node) func(*Graph, []*Node) *Node {
	return func(g *Graph, x []*Node) *Node { return f(g, x[0]) }
}

func binaryOp(f func(g *Graph, a, b *Node) *Node) func(*Graph, []*Node) *Node {
	return func(g *Graph, x []*Node) *Node { return f(g, x[0], x[1]) }
}

func s(d ...int) []int { return d }

func gradCases() []gradCase {
	var cs []gradCase
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			a, b := s(3, 4), s(4, 2)
			if ta {
				a = s(4, 3)
			}
			if tb {
				b = s(2, 4)
			}
			cs = append(cs, gradCase{name: fmt.Sprintf("matmul/%v,%v", ta, tb), shapes: [][]int{a, b},
				build: func(g *Graph, x []*Node) *Node { return g.MatMul(x[0], x[1], ta, tb) }})
		}
	}
	add, sub, mul, div := (*Graph).Add, (*Graph).Sub, (*Graph).Mul, (*Graph).Div
	for _, b := range []struct {
		name string
		f    func(g *Graph, a, b *Node) *Node
	}{{"add", add}, {"sub", sub}, {"mul", mul}, {"div", div}} {
		for _, sh := range [][][]int{{s(2, 3), s(2, 3)}, {s(2, 3), s()}, {s(), s(2, 3)}, {s(1), s(3, 2)}, {s(), s(1)}} {
			cs = append(cs, gradCase{name: fmt.Sprintf("%s/%v%v", b.name, sh[0], sh[1]), shapes: sh,
				gen: nonzero, build: binaryOp(b.f)})
		}
	}
	cs = append(cs,
		gradCase{name: "add_bias", shapes: [][]int{s(2, 3, 4), s(4)}, build: binaryOp((*Graph).AddBias)},
		gradCase{name: "add_bias/1d", shapes: [][]int{s(4), s(4)}, build: binaryOp((*Graph).AddBias)},
		gradCase{name: "neg", shapes: [][]int{s(2, 3)}, build: unary((*Graph).Neg)},
		gradCase{name: "exp", shapes: [][]int{s(2, 3)}, build: unary((*Graph).Exp)},
		gradCase{name: "log", shapes: [][]int{s(2, 3)}, gen: positive, build: unary((*Graph).Log)},
		gradCase{name: "sqrt", shapes: [][]int{s(2, 3)}, gen: positive, build: unary((*Graph).Sqrt)},
		gradCase{name: "square", shapes: [][]int{s(2, 3)}, build: unary((*Graph).Square)},
		gradCase{name: "abs", shapes: [][]int{s(2, 3)}, gen: away(0), build: unary((*Graph).Abs)},
		gradCase{name: "relu", shapes: [][]int{s(3, 4)}, gen: away(0), build: unary((*Graph).Relu)},
		gradCase{name: "gelu", shapes: [][]int{s(3, 4)}, gen: spreadSmall, build: unary((*Graph).Gelu)},
		gradCase{name: "tanh", shapes: [][]int{s(3, 4)}, build: unary((*Graph).Tanh)},
		gradCase{name: "sigmoid", shapes: [][]int{s(3, 4)}, gen: spreadSmall, build: unary((*Graph).Sigmoid)},
		gradCase{name: "softplus", shapes: [][]int{s(3, 4)}, gen: cycle(0, 30, -30, 1, -1, 3, -3, 0.2, -0.2, 10, -10, 0),
			build: unary((*Graph).Softplus)},
		gradCase{name: "greater/mask", shapes: [][]int{s(3, 4)}, gen: away(0.2),
			build: unary(func(g *Graph, x *Node) *Node { return g.Mul(x, g.Greater(x, 0.2)) })},
		gradCase{name: "one_hot_argmax/mask", shapes: [][]int{s(3, 4)}, gen: spread,
			build: unary(func(g *Graph, x *Node) *Node { return g.Mul(x, g.OneHotArgmax(x)) })},
		gradCase{name: "clamp", shapes: [][]int{s(3, 4)}, gen: away(-0.5, 0.5),
			build: unary(func(g *Graph, x *Node) *Node { return g.Clamp(x, -0.5, 0.5) })},
		gradCase{name: "leaky_relu", shapes: [][]int{s(3, 4)}, gen: away(0),
			build: unary(func(g *Graph, x *Node) *Node { return g.LeakyRelu(x, 0.1) })},
		gradCase{name: "sum_all", shapes: [][]int{s(2, 3)}, build: unary((*Graph).SumAll)},
		gradCase{name: "mean_all", shapes: [][]int{s(2, 3)}, build: unary((*Graph).MeanAll)},
		gradCase{name: "mse", shapes: [][]int{s(2, 3), s(2, 3)}, build: binaryOp((*Graph).MSE)},
		gradCase{name: "mse/target", shapes: [][]int{s(2, 3)}, feed: map[string][]float32{"t": {1, 2, 3, 4, 5, 6}},
			build: func(g *Graph, x []*Node) *Node { return g.MSE(x[0], g.Input("t", 2, 3)) }},
		gradCase{name: "softmax_cross_entropy", shapes: [][]int{s(4, 5)}, gen: spreadSmall,
			feed:  map[string][]float32{"labels": {0, 4, 2, 2}},
			build: func(g *Graph, x []*Node) *Node { return g.SoftmaxCrossEntropy(x[0], g.Input("labels", 4)) }},
		gradCase{name: "dropout", shapes: [][]int{s(4, 5)}, train: true,
			build: unary(func(g *Graph, x *Node) *Node { return g.Dropout(x, 0.3) })},
		gradCase{name: "dropout/eval", shapes: [][]int{s(4, 5)},
			build: unary(func(g *Graph, x *Node) *Node { return g.Dropout(x, 0.3) })},
		gradCase{name: "reuse/mul_self", shapes: [][]int{s(2, 3)}, build: unary(func(g *Graph, x *Node) *Node { return g.Mul(x, x) })},
		gradCase{name: "reuse/chain", shapes: [][]int{s(2, 3), s(3)}, build: func(g *Graph, x []*Node) *Node {
			h := g.Tanh(g.AddBias(x[0], x[1]))
			return g.Add(g.Mul(h, x[0]), g.Sigmoid(g.AddBias(h, x[1])))
		}},
	)
	cs = append(cs, sparseGradCases()...)
	for _, shape := range [][]int{s(5), s(3, 4), s(2, 3, 4)} {
		for axis := -1; axis < len(shape); axis++ {
			ax := axis
			for _, r := range []struct {
				name string
				f    func(g *Graph, x *Node, axis int) *Node
				gen  func(*rand.Rand) float32
			}{
				{"sum", (*Graph).Sum, nil}, {"mean", (*Graph).Mean, nil}, {"max", (*Graph).Max, spread},
				{"softmax", (*Graph).Softmax, spreadSmall}, {"log_softmax", (*Graph).LogSoftmax, spreadSmall},
			} {
				cs = append(cs, gradCase{name: fmt.Sprintf("%s/%v/axis%d", r.name, shape, ax), shapes: [][]int{shape},
					gen: r.gen, build: unary(func(g *Graph, x *Node) *Node { return r.f(g, x, ax) })})
			}
		}
	}
	return cs
}

// sparseGradCases check SparseLinear at a density below SparseCrossover (the sparse
// kernels) and above it (Gemm), and with its weight and input each used twice.
func sparseGradCases() []gradCase {
	lo, hi := testCSR(6, 10, 8, 0), testCSR(6, 10, 2, 0) // 8/60 and 30/60 entries
	lin := func(c *kernels.CSR) func(*Graph, []*Node) *Node {
		return binaryOp(func(g *Graph, x, w *Node) *Node { return g.SparseLinear(x, w, Sparsity{CSR: c}) })
	}
	return []gradCase{
		{name: "sparse_linear/sparse", shapes: [][]int{s(3, 10), s(6, 10)}, build: lin(lo)},
		{name: "sparse_linear/dense", shapes: [][]int{s(3, 10), s(6, 10)}, build: lin(hi)},
		{name: "sparse_linear/reuse", shapes: [][]int{s(3, 10), s(6, 10), s(3, 10)}, build: func(g *Graph, x []*Node) *Node {
			a := g.SparseLinear(x[0], x[1], Sparsity{CSR: lo})
			b := g.SparseLinear(g.Mul(x[0], x[2]), x[1], Sparsity{CSR: lo})
			return g.Add(a, g.Tanh(b))
		}},
	}
}

// testCSR returns the CSR of a rows×cols mask that keeps entry (o, i) when
// (o·7 + i·3 + seed) mod every is 0, with zero values.
func testCSR(rows, cols, every, seed int) *kernels.CSR {
	m := make([]float32, rows*cols)
	for o := range rows {
		for i := range cols {
			if (o*7+i*3+seed)%every == 0 {
				m[o*cols+i] = 1
			}
		}
	}
	c := &kernels.CSR{}
	c.Build(m, make([]float32, rows*cols), rows, cols)
	return c
}

// spreadSmall draws from [-3, 3].
func spreadSmall(r *rand.Rand) float32 { return 6*r.Float32() - 3 }

func TestGradients(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) { checkGrad(t, c) })
	}
}
