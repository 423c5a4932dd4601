package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// router is a top-k softmax gate over logits h: softmax over the k kept entries.
func router(g *Graph, h *Node, k int) *Node {
	m := g.TopKMask(h, k)
	e := g.Mul(g.Exp(g.AddRows(h, g.Neg(g.StopGrad(g.Max(h, 1))))), m)
	return g.ScaleRows(e, g.Div(g.Const(1), g.Sum(e, 1)))
}

// spread draws router logits whose entries are far apart, so that a finite-difference
// step never changes which experts a row picks.
func separated(r *rand.Rand) float32 { return float32(r.IntN(9)-4) + 0.2*r.Float32() }

// TestMoEGradients checks the gradients of MoE with respect to the inputs, the router
// logits and the expert weights, with and without an expert capacity that drops rows.
func TestMoEGradients(t *testing.T) {
	for _, capacity := range []int{0, 2} {
		checkGrad(t, gradCase{name: "moe", shapes: [][]int{{5, 4}, {5, 3}, {3, 2, 4}},
			gen: separated,
			build: func(g *Graph, x []*Node) *Node {
				return g.MoE(x[0], router(g, x[1], 2), x[2], capacity, 0)
			}})
		// experts that are small MLPs: a hidden MoE writing blocks, an activation, and
		// an output MoE reading them (a square: smooth and never saturated)
		// with one bias per expert [E hidden] added to the blocks seen as [B E hidden]
		checkGrad(t, gradCase{name: "moe mlp", shapes: [][]int{{5, 4}, {5, 3}, {3, 2, 4}, {3, 2}, {3, 3, 2}},
			gen: separated,
			build: func(g *Graph, x []*Node) *Node {
				gate := router(g, x[1], 2)
				h := g.AddBias(g.Reshape(g.MoE(x[0], gate, x[2], capacity, MoEOutBlocks), 5, 3, 2), x[3])
				h = g.Reshape(g.Mul(h, h), 5, 6)
				return g.MoE(h, gate, x[4], capacity, MoEInBlocks)
			}})
	}
}

// TestMoEForward compares MoE with the dense sum over experts it replaces, and checks
// that a capacity drops the later rows routed to a full expert.
func TestMoEForward(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const rows, experts, in, out = 6, 3, 4, 2
	x, w := randoms(r, rows*in), randoms(r, experts*out*in)
	gate := []float32{ // each row picks two of the three experts
		0.5, 0.5, 0, 0.7, 0, 0.3, 0, 0.4, 0.6, 0.1, 0.9, 0, 0, 0.2, 0.8, 0.6, 0, 0.4,
	}
	for _, capacity := range []int{0, 2} {
		g := New()
		xn, gn, wn := g.Input("x", rows, in), g.Input("gate", rows, experts), g.Input("w", experts, out, in)
		y := g.MoE(xn, gn, wn, capacity, 0)
		dropped := g.MoEDropped(gn, capacity)
		p := compile(t, g, Options{Outputs: []*Node{y, dropped}})
		copy(p.Input("x").Data, x)
		copy(p.Input("gate").Data, gate)
		copy(p.Input("w").Data, w)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		for row := range rows {
			for o := range out {
				var want float64
				for e := range experts {
					if gate[row*experts+e] == 0 {
						continue
					}
					if capacity > 0 && countBefore(gate, row, e, experts) >= capacity {
						continue
					}
					var dot float64
					for i := range in {
						dot += float64(w[(e*out+o)*in+i]) * float64(x[row*in+i])
					}
					want += float64(gate[row*experts+e]) * dot
				}
				if got := p.Value(y).Data[row*out+o]; math.Abs(float64(got)-want) > 1e-5 {
					t.Fatalf("capacity %d: y[%d][%d] = %v, want %v", capacity, row, o, got, want)
				}
			}
		}
		// 12 choices, four per expert; with capacity 2 each expert drops its last two rows
		wantDropped := map[int]float32{0: 0, 2: 6.0 / 12}[capacity]
		if got := p.Value(dropped).Data[0]; math.Abs(float64(got-wantDropped)) > 1e-6 {
			t.Fatalf("capacity %d: dropped %v, want %v", capacity, got, wantDropped)
		}
	}
}

// TestMoEBlocksForward compares experts that are MLPs (a hidden MoE writing one block
// per expert, ReLU, an output MoE reading the blocks) with the sum over experts written
// out, and checks that the blocks of experts a row does not use stay zero.
func TestMoEBlocksForward(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const rows, experts, in, hidden, out = 6, 3, 4, 5, 2
	x, w1, w2 := randoms(r, rows*in), randoms(r, experts*hidden*in), randoms(r, experts*out*hidden)
	gate := []float32{
		0.5, 0.5, 0, 0.7, 0, 0.3, 0, 0.4, 0.6, 0.1, 0.9, 0, 0, 0.2, 0.8, 0.6, 0, 0.4,
	}
	for _, capacity := range []int{0, 2} {
		g := New()
		xn, gn := g.Input("x", rows, in), g.Input("gate", rows, experts)
		w1n, w2n := g.Input("w1", experts, hidden, in), g.Input("w2", experts, out, hidden)
		h := g.MoE(xn, gn, w1n, capacity, MoEOutBlocks)
		y := g.MoE(g.Relu(h), gn, w2n, capacity, MoEInBlocks)
		p := compile(t, g, Options{Outputs: []*Node{h, y}})
		copy(p.Input("x").Data, x)
		copy(p.Input("gate").Data, gate)
		copy(p.Input("w1").Data, w1)
		copy(p.Input("w2").Data, w2)
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		for row := range rows {
			want := make([]float64, out)
			for e := range experts {
				used := gate[row*experts+e] != 0 && (capacity == 0 || countBefore(gate, row, e, experts) < capacity)
				for j := range hidden {
					var a float64
					for i := range in {
						a += float64(w1[(e*hidden+j)*in+i]) * float64(x[row*in+i])
					}
					if !used {
						a = 0
					}
					if got := p.Value(h).Data[(row*experts+e)*hidden+j]; math.Abs(float64(got)-a) > 1e-5 {
						t.Fatalf("capacity %d: hidden block %d of row %d [%d] = %v, want %v", capacity, e, row, j, got, a)
					}
					for o := range out {
						want[o] += float64(gate[row*experts+e]) * float64(w2[(e*out+o)*hidden+j]) * max(a, 0)
					}
				}
			}
			for o := range out {
				if got := p.Value(y).Data[row*out+o]; math.Abs(float64(got)-want[o]) > 1e-5 {
					t.Fatalf("capacity %d: y[%d][%d] = %v, want %v", capacity, row, o, got, want[o])
				}
			}
		}
	}
}

// countBefore counts the rows before row that chose expert e.
func countBefore(gate []float32, row, e, experts int) int {
	n := 0
	for t := range row {
		if gate[t*experts+e] != 0 {
			n++
		}
	}
	return n
}

// TestTopKMask keeps the k largest of each row, the first of ties.
func TestTopKMask(t *testing.T) {
	g := New()
	x := g.Input("x", 2, 4)
	m := g.TopKMask(x, 2)
	p := compile(t, g, Options{Outputs: []*Node{m}})
	copy(p.Input("x").Data, []float32{0.1, 3, 2, 3, -1, -1, -1, -2})
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1, 0, 1, 1, 1, 0, 0}
	if got := p.Value(m).Data; !slices.Equal(got, want) {
		t.Fatalf("top-2 mask %v, want %v", got, want)
	}
}
