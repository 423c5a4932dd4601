package graph

import (
	"math"
	"math/rand/v2"
	"slices"
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
