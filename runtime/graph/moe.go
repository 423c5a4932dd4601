package graph

import (
	"math"

	"github.com/roux-ml/roux/runtime/kernels"
)

// Mixture-of-experts primitives (PAPERS.md 2.6): a router picks experts per row
// (TopKMask), and MoE evaluates each expert only on the rows routed to it, so a step
// costs k of E experts' products, not E.

// TopKMask returns, for each row of x [B, E], 1 at its k largest values (the first on
// ties) and 0 elsewhere. It passes no gradient: it is the router's choice.
func (g *Graph) TopKMask(x *Node, k int) *Node {
	if len(x.Shape) != 2 || k < 1 || k > x.Shape[1] {
		g.fail("top_k_mask: expects [B E] scores and 1 ≤ k ≤ E, got %s and k = %d", shp(x.Shape), k)
	}
	return g.node(opTopKMask, x.Shape, attr{count: k}, x)
}

// GaussianNoise returns values drawn from N(0, 1), shaped like x, in training mode and
// zeros otherwise: the exploration noise of a noisy top-k gate. It passes no gradient.
func (g *Graph) GaussianNoise(x *Node) *Node { return g.node(opGaussian, x.Shape, attr{}, x) }

// MoE returns Σ_e gate[:, e]·(x·w[e]ᵀ) for x [B, in], gate [B, E] and expert weights
// w [E, out, in]: [B, out]. Expert e runs only on the rows whose gate entry is nonzero,
// in row order and, when capacity > 0, on at most capacity of them; the rows beyond it
// are dropped (that expert adds nothing to them). Expert biases are MatMul(gate, b).
func (g *Graph) MoE(x, gate, w *Node, capacity int) *Node {
	if len(x.Shape) != 2 || len(gate.Shape) != 2 || len(w.Shape) != 3 || gate.Shape[0] != x.Shape[0] ||
		gate.Shape[1] != w.Shape[0] || w.Shape[2] != x.Shape[1] {
		g.fail("moe: expects x [B in], gate [B E] and weights [E out in], got %s, %s and %s", shp(x.Shape), shp(gate.Shape), shp(w.Shape))
	}
	return g.node(opMoE, []int{x.Shape[0], w.Shape[1]}, attr{count: capacity}, x, gate, w)
}

// MoEDropped returns the share of the router's (row, expert) choices in gate [B, E]
// that an expert capacity drops: a scalar for the metrics. It passes no gradient.
func (g *Graph) MoEDropped(gate *Node, capacity int) *Node {
	return g.node(opMoEDropped, nil, attr{count: capacity}, gate)
}

// moeGrad is the gradient of MoE with respect to input i.
func (g *Graph) moeGrad(n, gy *Node, i int) *Node {
	x, gate, w := n.in[0], n.in[1], n.in[2]
	at := attr{by: n} // the gradients share the forward's routing
	switch i {
	case 0:
		return g.node(opMoEGradX, x.Shape, at, gy, gate, w)
	case 1:
		return g.node(opMoEGradGate, gate.Shape, at, gy, x, w)
	}
	return g.node(opMoEGradW, w.Shape, at, gy, x, gate)
}

// moePlan is an MoE instruction's routing and scratch space, sized for every row going
// to every expert so that Run never allocates.
type moePlan struct {
	rows, experts, in, out, capacity int
	routed                           [][]int32 // rows each expert runs on
	xs, ys                           []float32 // gathered inputs [rows, in] and outputs [rows, out]
	fwd, back, wgrad                 kernels.Gemm
}

func newMoEPlan(rows, experts, in, out, capacity int) *moePlan {
	p := &moePlan{rows: rows, experts: experts, in: in, out: out, capacity: capacity,
		routed: make([][]int32, experts), xs: make([]float32, rows*in), ys: make([]float32, rows*out),
		fwd:   kernels.Gemm{TransB: true, N: out, K: in}, // xs·w[e]ᵀ
		back:  kernels.Gemm{N: in, K: out},               // dys·w[e]
		wgrad: kernels.Gemm{TransA: true, M: out, N: in}, // dysᵀ·xs
	}
	for e := range p.routed {
		p.routed[e] = make([]int32, 0, rows)
	}
	return p
}

// moeDropped is the share of the (row, expert) choices in gate that a capacity drops.
func moeDropped(gate []float32, rows, experts, capacity int) float32 {
	chosen, dropped := 0, 0
	for e := range experts {
		n := 0
		for t := range rows {
			if gate[t*experts+e] != 0 {
				chosen++
				n++
				if capacity > 0 && n > capacity {
					dropped++
				}
			}
		}
	}
	if chosen == 0 {
		return 0
	}
	return float32(dropped) / float32(chosen)
}

// route lists each expert's rows from the gate.
func (p *moePlan) route(gate []float32) {
	for e := range p.routed {
		r := p.routed[e][:0]
		for t := range p.rows {
			if gate[t*p.experts+e] == 0 {
				continue
			}
			if p.capacity > 0 && len(r) == p.capacity {
				continue
			}
			r = append(r, int32(t))
		}
		p.routed[e] = r
	}
}

// gather copies the listed rows of src ([rows, width]) into dst, scaled by the gate
// entries of expert e when scale is set.
func (p *moePlan) gather(dst, src []float32, width int, rows []int32, gate []float32, e int, scale bool) {
	for r, t := range rows {
		d, s := dst[r*width:(r+1)*width], src[int(t)*width:(int(t)+1)*width]
		if !scale {
			copy(d, s)
			continue
		}
		gte := gate[int(t)*p.experts+e]
		for j, v := range s {
			d[j] = gte * v
		}
	}
}

// expert sets ys to expert e's outputs x·w[e]ᵀ on its rows (gathered into xs).
func (p *moePlan) expert(e int, rows []int32, x, w []float32) {
	p.gather(p.xs, x, p.in, rows, nil, e, false)
	p.fwd.M = len(rows)
	p.fwd.Run(p.ys, p.xs, w[e*p.out*p.in:(e+1)*p.out*p.in], false)
}

// forward computes y = Σ_e gate_e·(x·w[e]ᵀ) over the routed rows, experts in order.
func (p *moePlan) forward(y, x, gate, w []float32) {
	p.route(gate)
	clear(y)
	for e, rows := range p.routed {
		if len(rows) == 0 {
			continue
		}
		p.expert(e, rows, x, w)
		for r, t := range rows {
			gte := gate[int(t)*p.experts+e]
			dst := y[int(t)*p.out : (int(t)+1)*p.out]
			for j, v := range p.ys[r*p.out : (r+1)*p.out] {
				dst[j] += gte * v
			}
		}
	}
}

// gradX is dx_t = Σ_e gate_te·dy_t·w[e]. The gradients reuse the forward's routing.
func (p *moePlan) gradX(dx, dy, gate, w []float32) {
	clear(dx)
	for e, rows := range p.routed {
		if len(rows) == 0 {
			continue
		}
		p.gather(p.ys, dy, p.out, rows, gate, e, true)
		p.back.M = len(rows)
		p.back.Run(p.xs, p.ys, w[e*p.out*p.in:(e+1)*p.out*p.in], false)
		for r, t := range rows {
			dst := dx[int(t)*p.in : (int(t)+1)*p.in]
			for j, v := range p.xs[r*p.in : (r+1)*p.in] {
				dst[j] += v
			}
		}
	}
}

// gradGate is dgate_te = dy_t·(w[e]·x_t) for the rows the forward routed to e, 0
// elsewhere (the bias part comes from MatMul(gate, b)'s own gradient).
func (p *moePlan) gradGate(dg, dy, x, w []float32) {
	clear(dg)
	for e, rows := range p.routed {
		if len(rows) == 0 {
			continue
		}
		p.expert(e, rows, x, w)
		for r, t := range rows {
			var dot float32
			g := dy[int(t)*p.out : (int(t)+1)*p.out]
			for j, v := range p.ys[r*p.out : (r+1)*p.out] {
				dot += g[j] * v
			}
			dg[int(t)*p.experts+e] = dot
		}
	}
}

// gradW is dw[e] = Σ_t gate_te·dy_tᵀ·x_t over the rows routed to e.
func (p *moePlan) gradW(dw, dy, x, gate []float32) {
	for e, rows := range p.routed {
		d := dw[e*p.out*p.in : (e+1)*p.out*p.in]
		if len(rows) == 0 {
			clear(d)
			continue
		}
		p.gather(p.ys, dy, p.out, rows, gate, e, true)
		p.gather(p.xs, x, p.in, rows, nil, e, false)
		p.wgrad.K = len(rows)
		p.wgrad.Run(d, p.ys, p.xs, false)
	}
}

// topKMask writes each row's top-k indicator.
func topKMask(d, x []float32, rows, n, k int) {
	clear(d)
	for r := range rows {
		row, out := x[r*n:(r+1)*n], d[r*n:(r+1)*n]
		for range k {
			best, arg := float32(math.Inf(-1)), -1
			for j, v := range row {
				if out[j] == 0 && (arg < 0 || v > best) {
					best, arg = v, j
				}
			}
			out[arg] = 1
		}
	}
}

// gaussian fills d with N(0, 1) draws (Box–Muller on the program's generator).
func (p *Program) gaussian(d []float32) {
	if !p.training {
		clear(d)
		return
	}
	for i := 0; i < len(d); i += 2 {
		u1 := (float64(p.pcg.Uint64()>>11) + 0.5) / (1 << 53)
		u2 := float64(p.pcg.Uint64()>>11) / (1 << 53)
		r := math.Sqrt(-2 * math.Log(u1))
		d[i] = float32(r * math.Cos(2*math.Pi*u2))
		if i+1 < len(d) {
			d[i+1] = float32(r * math.Sin(2*math.Pi*u2))
		}
	}
}
