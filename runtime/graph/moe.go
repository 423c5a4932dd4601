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

// MoEForm says how an MoE reads its input and writes its output. Two MoEs with the
// same gate and capacity route alike, so an expert that is a small MLP is one MoE with
// MoEOutBlocks (its hidden layer), an activation, and one with MoEInBlocks (its output).
type MoEForm uint8

const (
	// MoEInBlocks: x is [B, E·in] and expert e reads block e of each row, not the whole row.
	MoEInBlocks MoEForm = 1 << iota
	// MoEOutBlocks: the result is [B, E·out] with expert e's outputs, not scaled by the
	// gate, in block e of the rows routed to it (zero elsewhere); the gate then only
	// routes and gets no gradient.
	MoEOutBlocks
)

// MoE returns Σ_e gate[:, e]·(x·w[e]ᵀ) for x [B, in], gate [B, E] and expert weights
// w [E, out, in]: [B, out] (form 0; other forms above). Expert e runs only on the rows
// whose gate entry is nonzero, in row order and, when capacity > 0, on at most capacity
// of them; the rows beyond it are dropped (that expert adds nothing to them). Expert
// biases are MatMul(gate, b).
func (g *Graph) MoE(x, gate, w *Node, capacity int, form MoEForm) *Node {
	in, out := w.Shape[2], w.Shape[1]
	if form&MoEInBlocks != 0 {
		in *= w.Shape[0]
	}
	if form&MoEOutBlocks != 0 {
		out *= w.Shape[0]
	}
	if len(x.Shape) != 2 || len(gate.Shape) != 2 || len(w.Shape) != 3 || gate.Shape[0] != x.Shape[0] ||
		gate.Shape[1] != w.Shape[0] || in != x.Shape[1] {
		g.fail("moe: expects x [B %d], gate [B E] and weights [E out in], got %s, %s and %s", in, shp(x.Shape), shp(gate.Shape), shp(w.Shape))
	}
	return g.node(opMoE, []int{x.Shape[0], out}, attr{count: capacity, form: form}, x, gate, w)
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
		if n.attr.form&MoEOutBlocks != 0 {
			return nil
		}
		return g.node(opMoEGradGate, gate.Shape, at, gy, x, w)
	}
	return g.node(opMoEGradW, w.Shape, at, gy, x, gate)
}

// moePlan is an MoE instruction's routing and scratch space, sized for every row going
// to every expert so that Run never allocates.
type moePlan struct {
	rows, experts, in, out, capacity int // in and out of one expert
	form                             MoEForm
	routed                           [][]int32 // rows each expert runs on
	xs, ys                           []float32 // gathered inputs [rows, in] and outputs [rows, out]
	fwd, back, wgrad                 kernels.Gemm
}

func newMoEPlan(rows, experts, in, out, capacity int, form MoEForm) *moePlan {
	p := &moePlan{rows: rows, experts: experts, in: in, out: out, capacity: capacity, form: form,
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

// inRow is row t of an MoE input (or its gradient) as expert e reads it.
func (p *moePlan) inRow(x []float32, t int32, e int) []float32 {
	if p.form&MoEInBlocks == 0 {
		return x[int(t)*p.in : (int(t)+1)*p.in]
	}
	o := (int(t)*p.experts + e) * p.in
	return x[o : o+p.in]
}

// outRow is the part of row t of an MoE output (or its gradient) expert e writes.
func (p *moePlan) outRow(y []float32, t int32, e int) []float32 {
	if p.form&MoEOutBlocks == 0 {
		return y[int(t)*p.out : (int(t)+1)*p.out]
	}
	o := (int(t)*p.experts + e) * p.out
	return y[o : o+p.out]
}

// gatherIn copies expert e's input rows into xs.
func (p *moePlan) gatherIn(x []float32, rows []int32, e int) {
	for r, t := range rows {
		copy(p.xs[r*p.in:(r+1)*p.in], p.inRow(x, t, e))
	}
}

// gatherGrad copies the output gradient of expert e's rows into ys, scaled by their
// gate entries when the output is the gated sum.
func (p *moePlan) gatherGrad(dy, gate []float32, rows []int32, e int) {
	for r, t := range rows {
		d, s := p.ys[r*p.out:(r+1)*p.out], p.outRow(dy, t, e)
		if p.form&MoEOutBlocks != 0 {
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
	p.gatherIn(x, rows, e)
	p.fwd.M = len(rows)
	p.fwd.Run(p.ys, p.xs, w[e*p.out*p.in:(e+1)*p.out*p.in], false)
}

// forward computes y = Σ_e gate_e·(x·w[e]ᵀ) over the routed rows, experts in order
// (or writes each expert's outputs into its block).
func (p *moePlan) forward(y, x, gate, w []float32) {
	p.route(gate)
	clear(y)
	for e, rows := range p.routed {
		if len(rows) == 0 {
			continue
		}
		p.expert(e, rows, x, w)
		for r, t := range rows {
			src, dst := p.ys[r*p.out:(r+1)*p.out], p.outRow(y, t, e)
			if p.form&MoEOutBlocks != 0 {
				copy(dst, src)
				continue
			}
			gte := gate[int(t)*p.experts+e]
			for j, v := range src {
				dst[j] += gte * v
			}
		}
	}
}

// gradX is dx_t = Σ_e gate_te·dy_t·w[e] (each term in its block for MoEInBlocks, and
// with dy_t's block e and no gate factor for MoEOutBlocks). The gradients reuse the
// forward's routing.
func (p *moePlan) gradX(dx, dy, gate, w []float32) {
	clear(dx)
	for e, rows := range p.routed {
		if len(rows) == 0 {
			continue
		}
		p.gatherGrad(dy, gate, rows, e)
		p.back.M = len(rows)
		p.back.Run(p.xs, p.ys, w[e*p.out*p.in:(e+1)*p.out*p.in], false)
		for r, t := range rows {
			dst := p.inRow(dx, t, e)
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
		p.gatherGrad(dy, gate, rows, e)
		p.gatherIn(x, rows, e)
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
