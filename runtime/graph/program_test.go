package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// mlp builds a ReLU MLP with a softmax cross-entropy loss on inputs "x" [batch,
// sizes[0]] and "y" [batch], with He-style random weights.
func mlp(g *Graph, sizes []int, batch int, r *rand.Rand) (*Node, []*tensor.Param) {
	h := g.Input("x", batch, sizes[0])
	var params []*tensor.Param
	for i := 1; i < len(sizes); i++ {
		g.SetOrigin(fmt.Sprintf("mlp.recipe:%d:5", i+1))
		w := tensor.NewParam(fmt.Sprintf("l%d.weight", i), sizes[i], sizes[i-1])
		b := tensor.NewParam(fmt.Sprintf("l%d.bias", i), sizes[i])
		for j := range w.Value.Data {
			w.Value.Data[j] = float32(r.NormFloat64() * 1.4 / float64(sizes[i-1]))
		}
		h = g.AddBias(g.MatMul(h, g.Param(w), false, true), g.Param(b))
		if i < len(sizes)-1 {
			h = g.Relu(h)
		}
		params = append(params, w, b)
	}
	g.SetOrigin("mlp.recipe:9:1")
	return g.SoftmaxCrossEntropy(h, g.Input("y", batch)), params
}

// fill writes random features and labels into a program's inputs.
func fill(p *Program, r *rand.Rand, classes int) {
	for i := range p.Input("x").Data {
		p.Input("x").Data[i] = r.Float32()
	}
	for i := range p.Input("y").Data {
		p.Input("y").Data[i] = float32(r.IntN(classes))
	}
}

func TestListing(t *testing.T) {
	g := New()
	r := rand.New(rand.NewPCG(1, 1))
	loss, _ := mlp(g, []int{4, 3, 2}, 5, r)
	p := compile(t, g, Options{Loss: loss})
	want := `%0 = input x [5 4]
%1 = param l1.weight [3 4]  # mlp.recipe:2:5
%2 = param l1.bias [3]  # mlp.recipe:2:5
%3 = param l2.weight [2 3]  # mlp.recipe:3:5
%4 = param l2.bias [2]  # mlp.recipe:3:5
%5 = input y [5]  # mlp.recipe:9:1
%6 = matmul %0 %1 transB [5 3]  # mlp.recipe:2:5
%7 = add_bias %6 %2 [5 3]  # mlp.recipe:2:5
%8 = relu %7 [5 3]  # mlp.recipe:2:5
%9 = matmul %8 %3 transB [5 2]  # mlp.recipe:3:5
%10 = add_bias %9 %4 [5 2]  # mlp.recipe:3:5
%11 = softmax_cross_entropy %10 %5 []  # mlp.recipe:9:1
# backward
%12 = const 1 []  # mlp.recipe:9:1
%13 = softmax_cross_entropy_grad %12 %10 %5 [5 2]  # mlp.recipe:9:1
%14 = sum_rows %13 [2] -> grad(l2.bias)  # mlp.recipe:3:5
%15 = matmul %13 %3 [5 3]  # mlp.recipe:3:5
%16 = matmul %13 %8 transA [2 3] -> grad(l2.weight)  # mlp.recipe:3:5
%17 = relu_grad %15 %7 [5 3]  # mlp.recipe:2:5
%18 = sum_rows %17 [3] -> grad(l1.bias)  # mlp.recipe:2:5
%19 = matmul %17 %0 transA [3 4] -> grad(l1.weight)  # mlp.recipe:2:5
`
	if got := p.String(); got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
}

func TestNoInputGradient(t *testing.T) {
	g := New()
	loss, _ := mlp(g, []int{6, 5, 4, 3}, 2, rand.New(rand.NewPCG(1, 1)))
	p := compile(t, g, Options{Loss: loss})
	matmuls := 0
	for _, in := range p.code[p.nfwd:] {
		if in.op == opMatMul {
			matmuls++
		}
	}
	if matmuls != 5 { // 3 weight gradients + 2 hidden-activation gradients, none for x
		t.Errorf("%d backward matmuls, want 5:\n%s", matmuls, p)
	}
}

func TestTrainingReducesLoss(t *testing.T) {
	g := New()
	r := rand.New(rand.NewPCG(3, 3))
	loss, params := mlp(g, []int{8, 16, 3}, 12, r)
	p := compile(t, g, Options{Loss: loss})
	fill(p, r, 3)
	var first, last float32
	for step := range 50 {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if step == 0 {
			first = p.Value(loss).Data[0]
		}
		last = p.Value(loss).Data[0]
		for _, q := range params {
			for i := range q.Value.Data {
				q.Value.Data[i] -= 0.5 * q.Grad.Data[i]
			}
		}
	}
	if !(last < first/2) {
		t.Errorf("loss went from %g to %g in 50 SGD steps on one batch", first, last)
	}
}

func TestProgramAccessors(t *testing.T) {
	g := New()
	a := tensor.NewParam("a", 2)
	b := tensor.NewParam("b", 2)
	c := tensor.NewParam("c", 2)
	copy(a.Value.Data, []float32{1, 2})
	copy(b.Value.Data, []float32{3, 4})
	copy(c.Value.Data, []float32{5, 6})
	x := g.Input("x", 2)
	unused := g.Input("unused", 7)
	na, nb, nc := g.Param(a), g.Param(b), g.Param(c)
	if g.Param(a) != na {
		t.Error("Param twice gave two nodes")
	}
	sum := g.Add(g.Add(na, nb), x)
	other := g.Mul(nc, x) // an output the loss does not use
	loss := g.SumAll(sum)
	p := compile(t, g, Options{Loss: loss, Outputs: []*Node{other}})
	if got := p.Params(); !slices.Equal(got, []*tensor.Param{a, b, c}) {
		t.Errorf("Params = %v", got)
	}
	if p.Input("nope") != nil || p.Input("unused") == nil || len(p.Input("unused").Data) != 7 {
		t.Error("Input lookup")
	}
	_ = unused
	copy(p.Input("x").Data, []float32{10, 20})
	c.Grad.Data[0] = 9
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	// a and b share one gradient node: one is written in place, the other copied.
	for _, q := range []*tensor.Param{a, b} {
		if !slices.Equal(q.Grad.Data, []float32{1, 1}) {
			t.Errorf("%s.Grad = %v", q.Name, q.Grad.Data)
		}
	}
	if !slices.Equal(c.Grad.Data, []float32{0, 0}) {
		t.Errorf("c.Grad = %v, want zeroed", c.Grad.Data)
	}
	if !slices.Equal(p.Value(other).Data, []float32{50, 120}) || p.Value(loss).Data[0] != 40 {
		t.Errorf("values %v %v", p.Value(other).Data, p.Value(loss).Data)
	}
	if p.Value(na) != a.Value || p.Value(g.Neg(x)) != nil {
		t.Error("Value of a param or of a node outside the program")
	}
}

func TestSharedParamAcrossPrograms(t *testing.T) {
	g := New()
	w := tensor.NewParam("w", 1, 2)
	x := g.Input("x", 1, 2)
	y := g.MatMul(x, g.Param(w), false, true)
	train := compile(t, g, Options{Loss: g.SumAll(y)})
	eval := compile(t, g, Options{Outputs: []*Node{y}})
	copy(train.Input("x").Data, []float32{1, 2})
	copy(eval.Input("x").Data, []float32{1, 2})
	if err := train.Run(); err != nil {
		t.Fatal(err)
	}
	w.Value.Data[0], w.Value.Data[1] = 3, 4 // an optimizer step
	if err := eval.Run(); err != nil {
		t.Fatal(err)
	}
	if eval.Value(y).Data[0] != 11 || !slices.Equal(w.Grad.Data, []float32{1, 2}) {
		t.Errorf("eval sees %v, grad %v", eval.Value(y).Data, w.Grad.Data)
	}
	w.Value = tensor.New(1, 2) // replaced tensor of the same size: picked up
	w.Value.Data[0] = 1
	if err := eval.Run(); err != nil || eval.Value(y).Data[0] != 1 {
		t.Errorf("replaced value: %v %v", err, eval.Value(y).Data)
	}
	w.Value = tensor.New(3)
	if err := eval.Run(); err == nil || !strings.Contains(err.Error(), "param w") {
		t.Errorf("resized param: %v", err)
	}
}

func TestDropoutDeterminism(t *testing.T) {
	run := func(seed uint64) []float32 {
		g := New()
		x := g.Input("x", 64)
		y := g.Dropout(g.Dropout(x, 0.5), 0.2)
		p := compile(t, g, Options{Outputs: []*Node{y}})
		p.SetTraining(true)
		p.Seed(seed)
		kernelsFill(p.Input("x").Data, 1)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		first := slices.Clone(p.Value(y).Data)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if slices.Equal(first, p.Value(y).Data) {
			t.Error("second run drew the same masks")
		}
		return first
	}
	a, b, c := run(42), run(42), run(43)
	if !slices.Equal(a, b) {
		t.Error("same seed, different dropout")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds, same dropout")
	}
}

func kernelsFill(d []float32, v float32) {
	for i := range d {
		d[i] = v
	}
}

func TestRunDoesNotAllocate(t *testing.T) {
	for _, sizes := range [][]int{{8, 16, 4}, {256, 128, 10}} {
		g := New()
		r := rand.New(rand.NewPCG(5, 5))
		loss, _ := mlp(g, sizes, 64, r)
		g.SetOrigin("")
		p := compile(t, g, Options{Loss: loss})
		fill(p, r, sizes[len(sizes)-1])
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() { p.Run() }); n != 0 {
			t.Errorf("MLP %v: Run allocates %v times per call", sizes, n)
		}
	}
}

func TestDropoutRunDoesNotAllocate(t *testing.T) {
	g := New()
	w := tensor.NewParam("w", 32)
	loss := g.MeanAll(g.Gelu(g.Dropout(g.Mul(g.Input("x", 32), g.Param(w)), 0.5)))
	p := compile(t, g, Options{Loss: loss})
	p.Run()
	if n := testing.AllocsPerRun(20, func() { p.Run() }); n != 0 {
		t.Errorf("Run allocates %v times per call", n)
	}
}

func TestLossWithoutParamsAndEvalLeavesGrads(t *testing.T) {
	g := New()
	w := tensor.NewParam("w", 2)
	w.Grad.Data[0] = 5
	x := g.Input("x", 2)
	lossNoParam := g.MeanAll(g.Square(x))
	p := compile(t, g, Options{Loss: lossNoParam})
	copy(p.Input("x").Data, []float32{1, 3})
	if err := p.Run(); err != nil || p.Value(lossNoParam).Data[0] != 5 {
		t.Errorf("loss without params: %v %v", err, p.Value(lossNoParam).Data)
	}
	y := g.Mul(x, g.Param(w))
	eval := compile(t, g, Options{Outputs: []*Node{y}})
	if err := eval.Run(); err != nil || w.Grad.Data[0] != 5 {
		t.Errorf("forward-only run touched gradients: %v %v", err, w.Grad.Data)
	}
}

// TestStopGradCutsGradient: in sum(StopGrad(x·wᵀ)) + sum(x·vᵀ) the loss reaches w only
// through StopGrad, so w gets a zero gradient and no backward instruction, and v the
// column sums of x.
func TestStopGradCutsGradient(t *testing.T) {
	g := New()
	w, v := tensor.NewParam("w", 2, 3), tensor.NewParam("v", 2, 3)
	x := g.Input("x", 4, 3)
	dense := func(p *tensor.Param) *Node { return g.MatMul(x, g.Param(p), false, true) }
	loss := g.Add(g.SumAll(g.StopGrad(dense(w))), g.SumAll(dense(v)))
	p := compile(t, g, Options{Loss: loss})
	want := `%0 = input x [4 3]
%1 = param w [2 3]
%2 = param v [2 3]
%3 = matmul %0 %1 transB [4 2]
%4 = stop_grad %3 [4 2]
%5 = sum_all %4 []
%6 = matmul %0 %2 transB [4 2]
%7 = sum_all %6 []
%8 = add %5 %7 []
# backward
%9 = const 1 []
%10 = expand %9 scale=1 [4 2]
%11 = matmul %10 %0 transA [2 3] -> grad(v)
`
	if got := p.String(); got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
	copy(p.Input("x").Data, []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	kernelsFill(w.Grad.Data, 9) // stale
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.Grad.Data, make([]float32, 6)) || !slices.Equal(v.Grad.Data, []float32{22, 26, 30, 22, 26, 30}) {
		t.Errorf("w.Grad = %v, want zeros; v.Grad = %v, want column sums of x", w.Grad.Data, v.Grad.Data)
	}
}

// TestLossOnlyThroughCut: a loss that reaches its only parameter through an op that
// passes no gradient compiles to an empty backward pass and zeroes the gradient.
func TestLossOnlyThroughCut(t *testing.T) {
	for _, c := range []struct {
		name string
		cut  func(g *Graph, x *Node) *Node
	}{
		{"stop_grad", (*Graph).StopGrad},
		{"greater", func(g *Graph, x *Node) *Node { return g.Greater(x, 0) }},
		{"one_hot_argmax", (*Graph).OneHotArgmax},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := New()
			w := tensor.NewParam("w", 2, 3)
			copy(w.Value.Data, []float32{1, -2, 3, -4, 5, -6})
			loss := g.SumAll(c.cut(g, g.Mul(g.Param(w), g.Input("x", 2, 3))))
			p := compile(t, g, Options{Loss: loss})
			kernelsFill(p.Input("x").Data, 1)
			kernelsFill(w.Grad.Data, 9)
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			if len(p.code) != p.nfwd || !slices.Equal(p.Params(), []*tensor.Param{w}) {
				t.Errorf("want an empty backward pass and Params [w]:\n%s", p)
			}
			if !slices.Equal(w.Grad.Data, make([]float32, 6)) {
				t.Errorf("w.Grad = %v, want zeros", w.Grad.Data)
			}
		})
	}
}

// TestPseudoLabelListing: a logistic loss on hard pseudo-labels kept where the
// student's own softmax is confident, both taken behind StopGrad. The backward pass
// differentiates softplus and the student only, and Run does not allocate.
func TestPseudoLabelListing(t *testing.T) {
	g := New()
	g.SetOrigin("pl.recipe:4:9")
	w := tensor.NewParam("w", 3, 4)
	z := g.MatMul(g.Input("x", 2, 4), g.Param(w), false, true)
	target := g.StopGrad(z)
	keep := g.Mul(g.OneHotArgmax(target), g.Greater(g.Softmax(target, -1), 0.5))
	loss := g.MeanAll(g.Mul(g.Softplus(g.Neg(z)), keep))
	p := compile(t, g, Options{Loss: loss})
	want := `%0 = input x [2 4]  # pl.recipe:4:9
%1 = param w [3 4]  # pl.recipe:4:9
%2 = matmul %0 %1 transB [2 3]  # pl.recipe:4:9
%3 = stop_grad %2 [2 3]  # pl.recipe:4:9
%4 = one_hot_argmax %3 [2 3]  # pl.recipe:4:9
%5 = softmax %3 axis=1 [2 3]  # pl.recipe:4:9
%6 = greater %5 t=0.5 [2 3]  # pl.recipe:4:9
%7 = mul %4 %6 [2 3]  # pl.recipe:4:9
%8 = neg %2 [2 3]  # pl.recipe:4:9
%9 = softplus %8 [2 3]  # pl.recipe:4:9
%10 = mul %9 %7 [2 3]  # pl.recipe:4:9
%11 = mean_all %10 []  # pl.recipe:4:9
# backward
%12 = const 1 []  # pl.recipe:4:9
%13 = expand %12 scale=0.16666667 [2 3]  # pl.recipe:4:9
%14 = mul %13 %7 [2 3]  # pl.recipe:4:9
%15 = sigmoid %8 [2 3]  # pl.recipe:4:9
%16 = mul %14 %15 [2 3]  # pl.recipe:4:9
%17 = neg %16 [2 3]  # pl.recipe:4:9
%18 = matmul %17 %0 transA [3 4] -> grad(w)  # pl.recipe:4:9
`
	if got := p.String(); got != want {
		t.Errorf("listing:\n%s\nwant:\n%s", got, want)
	}
	// Logits [3 0 0] (softmax 0.909: kept, label 0) and [0 0 0] (softmax 1/3: masked).
	copy(p.Input("x").Data, []float32{1, 0, 0, 0, 0, 1, 0, 0})
	copy(w.Value.Data, []float32{3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	sp, sg := math.Log1p(math.Exp(-3)), 1/(1+math.Exp(3)) // softplus(-3), sigmoid(-3)
	if l := p.Value(loss).Data[0]; math.Abs(float64(l)-sp/6) > 1e-7 {
		t.Errorf("loss %g, want softplus(-3)/6 = %g", l, sp/6)
	}
	if gw := w.Grad.Data; math.Abs(float64(gw[0])+sg/6) > 1e-7 || !slices.Equal(gw[1:], make([]float32, 11)) {
		t.Errorf("w.Grad = %v, want -sigmoid(-3)/6 = %g then zeros", gw, -sg/6)
	}
	if n := testing.AllocsPerRun(20, func() { p.Run() }); n != 0 {
		t.Errorf("Run allocates %v times per call", n)
	}
}
