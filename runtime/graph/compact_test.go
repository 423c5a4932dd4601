package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// testPattern is a fixed 3×5 pattern with 7 nonzeros.
func testPattern() *kernels.CSR {
	return &kernels.CSR{Rows: 3, Cols: 5, RowPtr: []int32{0, 2, 5, 7}, Col: []int32{0, 3, 1, 2, 4, 0, 4}, Val: make([]float32, 7)}
}

// TestCompactLinearGradients checks the input and values gradients.
func TestCompactLinearGradients(t *testing.T) {
	checkGrad(t, gradCase{name: "compact_linear", shapes: [][]int{{4, 5}, {7}},
		build: func(g *Graph, x []*Node) *Node { return g.CompactLinear(x[0], x[1], testPattern()) }})
}

// TestCompactLinearMatchesMaskedDense compares the forward and both gradients with
// MatMul on the dense weight that is zero outside the pattern.
func TestCompactLinearMatchesMaskedDense(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	csr := testPattern()
	vals, dense := tensor.NewParam("vals", 7), tensor.NewParam("w", 3, 5)
	for o := range 3 {
		for k := csr.RowPtr[o]; k < csr.RowPtr[o+1]; k++ {
			v := r.Float32()*2 - 1
			vals.Value.Data[k] = v
			dense.Value.Data[o*5+int(csr.Col[k])] = v
		}
	}
	x := randoms(r, 4*5)
	run := func(build func(g *Graph, xn *Node) *Node) (y []float32, gx []float32) {
		g := New()
		xp := tensor.NewParam("x", 4, 5)
		copy(xp.Value.Data, x)
		out := build(g, g.Param(xp))
		p := compile(t, g, Options{Loss: g.SumAll(g.Mul(out, out)), Outputs: []*Node{out}})
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		return append([]float32(nil), p.Value(out).Data...), append([]float32(nil), xp.Grad.Data...)
	}
	y1, gx1 := run(func(g *Graph, xn *Node) *Node { return g.CompactLinear(xn, g.Param(vals), csr) })
	y2, gx2 := run(func(g *Graph, xn *Node) *Node { return g.MatMul(xn, g.Param(dense), false, true) })
	for i := range y1 {
		if math.Abs(float64(y1[i]-y2[i])) > 1e-5 {
			t.Fatalf("y[%d] = %v, dense %v", i, y1[i], y2[i])
		}
	}
	for i := range gx1 {
		if math.Abs(float64(gx1[i]-gx2[i])) > 1e-5 {
			t.Fatalf("dx[%d] = %v, dense %v", i, gx1[i], gx2[i])
		}
	}
	for o := range 3 {
		for k := csr.RowPtr[o]; k < csr.RowPtr[o+1]; k++ {
			if a, b := vals.Grad.Data[k], dense.Grad.Data[o*5+int(csr.Col[k])]; math.Abs(float64(a-b)) > 1e-5 {
				t.Fatalf("values gradient %d = %v, dense %v", k, a, b)
			}
		}
	}
}

// TestFeedTransposed checks that a run fed transposed gives the bits of a run fed as
// usual, that the next run reads the input's own buffer again, and that an input
// another op reads is not fed transposed.
func TestFeedTransposed(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	vals := tensor.NewParam("vals", 7)
	copy(vals.Value.Data, randoms(r, 7))
	build := func(other bool) (*Program, *Node) {
		g := New()
		x := g.Input("x", 4, 5)
		out := g.Relu(g.CompactLinear(x, g.Param(vals), testPattern()))
		loss := g.SumAll(g.Mul(out, out))
		if other {
			loss = g.Add(loss, g.SumAll(x))
		}
		return compile(t, g, Options{Loss: loss, Outputs: []*Node{out}}), out
	}
	p, out := build(false)
	run := func(x []float32, transposed bool) (y, gv []float32) {
		if transposed {
			rows := []int32{0, 1, 2, 3}
			ok := p.FeedTransposed(p.Input("x"), func(xt []float32, ld int) { kernels.GatherT(xt, ld, x, rows, 5) })
			if !ok {
				t.Fatal("FeedTransposed refused an input only a compact layer reads")
			}
			copy(p.Input("x").Data, randoms(r, 20)) // unread
		} else {
			copy(p.Input("x").Data, x)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		return slices.Clone(p.Value(out).Data), slices.Clone(vals.Grad.Data)
	}
	x1, x2 := randoms(r, 20), randoms(r, 20)
	y1, g1 := run(x1, false)
	y2, g2 := run(x2, false)
	for _, c := range []struct {
		x      []float32
		y, g   []float32
		transp bool
	}{{x1, y1, g1, true}, {x2, y2, g2, false}, {x2, y2, g2, true}, {x1, y1, g1, false}} {
		y, g := run(c.x, c.transp)
		if !slices.Equal(y, c.y) || !slices.Equal(g, c.g) {
			t.Fatalf("fed transposed %v: y %v grad %v, want %v %v", c.transp, y, g, c.y, c.g)
		}
	}
	if q, _ := build(true); q.FeedTransposed(q.Input("x"), func([]float32, int) { t.Fatal("fill called") }) {
		t.Error("FeedTransposed accepted an input another op reads")
	}
}

// TestChainTransposed trains a chain of sparse layers at batch 32: a compact layer,
// a masked layer on the sparse kernels (10% dense) and one on Gemm (60% dense, above
// SparseCrossover), with biases, ReLUs and a residual sum between them, and a dense
// output layer. Compile holds the hidden values and their gradients transposed, and
// the loss, the output and every gradient must be the bits of the program that holds
// them all row-major. At batch 20 (not a multiple of 16) nothing is transposed. The
// input is a parameter, so its gradient, which the first layer's input gradient
// writes, must stay row-major.
func TestChainTransposed(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	pattern := func(rows, cols int, density float64, w []float32) *kernels.CSR {
		mask := make([]float32, rows*cols)
		for i := range mask {
			if r.Float64() < density {
				mask[i] = 1
			} else if w != nil {
				w[i] = 0
			}
		}
		c := &kernels.CSR{}
		c.Build(mask, make([]float32, rows*cols), rows, cols)
		return c
	}
	c1 := pattern(24, 40, 0.3, nil)
	params := []*tensor.Param{nil, tensor.NewParam("v1", c1.NNZ()), tensor.NewParam("b1", 24),
		tensor.NewParam("w2", 24, 24), tensor.NewParam("b2", 24), tensor.NewParam("w3", 24, 24), tensor.NewParam("w4", 3, 24)}
	for _, p := range params[1:] {
		copy(p.Value.Data, randoms(r, p.Value.Size()))
	}
	c2 := pattern(24, 24, 0.1, params[3].Value.Data)
	c3 := pattern(24, 24, 0.6, params[5].Value.Data)
	for _, batch := range []int{32, 20} {
		params[0] = tensor.NewParam("x", batch, 40)
		copy(params[0].Value.Data, randoms(r, batch*40))
		run := func(off bool) (listing string, out [][]float32) {
			defer func(v bool) { transposeOff = v }(transposeOff)
			transposeOff = off
			g := New()
			pn := func(i int) *Node { return g.Param(params[i]) }
			h1 := g.Relu(g.AddBias(g.CompactLinear(pn(0), pn(1), c1), pn(2)))
			h2 := g.Relu(g.AddBias(g.SparseLinear(h1, pn(3), Sparsity{CSR: c2}), pn(4)))
			h3 := g.Relu(g.SparseLinear(h2, pn(5), Sparsity{CSR: c3}))
			logits := g.MatMul(g.Add(h1, h3), pn(6), false, true)
			loss := g.SumAll(g.Mul(logits, logits))
			p := compile(t, g, Options{Loss: loss, Outputs: []*Node{logits}})
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			out = [][]float32{slices.Clone(p.Value(loss).Data), slices.Clone(p.Value(logits).Data)}
			for _, q := range params {
				out = append(out, slices.Clone(q.Grad.Data))
			}
			return p.String(), out
		}
		listing, got := run(false)
		_, want := run(true)
		if n := strings.Count(listing, " transposed"); (batch == 32) != (n > 0) {
			t.Fatalf("batch %d: %d values held transposed:\n%s", batch, n, listing)
		}
		for i := range want {
			if !slices.EqualFunc(got[i], want[i], func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
				t.Fatalf("batch %d: result %d differs with transposed values: %v, want %v", batch, i, got[i], want[i])
			}
		}
	}
}
