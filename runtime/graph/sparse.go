package graph

import (
	"github.com/roux-ml/roux/runtime/kernels"
)

// SparseCrossover is the density (share of a weight's entries in its mask) below
// which SparseLinear runs the compressed sparse kernels instead of Gemm. It is
// measured, not chosen: on a LeNet 784→300 layer at batch 128, the three sparse
// kernels (forward, input gradient, weight gradient) beat Gemm below about 20–27%
// density, by 1.5–1.9× at 10% and 3.5–5× at 1%, and lose above about 25%. Measured
// again after the kernel work of a later session: the three together 1.15× faster
// at 20% (434 µs against 498), 2.1× at 10%, 8.7× at 1%, 0.44× at 50%, crossing near
// 23%; a first layer's forward and weight gradient alone break even at 20%. After the
// helpers' polling changed, the three cross near 27% and a first layer's two near 25%;
// at 25% the three are 1.04–1.09× faster (436–455 µs against 471–486). A later
// session measured 444 µs against 481 at 25% and 369 at 20%, and moved the line from
// 0.20 to 0.25: the 90% ERK LeNet's second layer (23% dense) then runs sparse, and
// its epoch took 0.224–0.239 s instead of 0.253–0.263 (four alternating pairs):
//
//	go test -run XXX -bench 'Sparse$' ./runtime/kernels
//
// It is a variable only so that tests can force either path (1 or 0).
var SparseCrossover = 0.25

// Sparsity is the mask of a weight in the compressed form SparseLinear computes
// with.
type Sparsity struct {
	// CSR holds the mask's pattern, rows the weight's outputs; its owner calls Build
	// whenever the mask changes. SparseLinear refreshes its values from the weight at
	// every run.
	CSR *kernels.CSR
	// DenseGrad, if not nil, is read at every run: when it is true, the weight's
	// gradient is the dense dyᵀ·x (for example on the steps where RigL ranks pruned
	// weights by their gradient).
	DenseGrad *bool
}

// sparse reports whether the kernels should be the sparse ones at the mask's
// current density.
func (s *Sparsity) sparse() bool {
	c := s.CSR
	return float64(c.NNZ()) < SparseCrossover*float64(c.Rows*c.Cols)
}

// denseGrad reports whether the weight gradient must be dense.
func (s *Sparsity) denseGrad() bool {
	return !s.sparse() || (s.DenseGrad != nil && *s.DenseGrad)
}

// SparseLinear returns x·(w⊙M)ᵀ for x [B, in] and w [out, in], M being the pattern
// of sp.CSR: a dense layer whose weight is masked, as MatMul(x, w, false, true)
// computes it when w is zero outside M.
//
// Below SparseCrossover density it runs kernels.SpMMT on the CSR (its values
// gathered from w first), the input gradient with kernels.SpMM and the weight
// gradient with kernels.SDDMM, scattered into a dense [out, in] gradient that is zero
// outside M. At or above the crossover it runs Gemm on w as MatMul does, and its
// weight gradient is dense; so is it when *sp.DenseGrad is set. Either way the
// gradient at the entries of M is the same, and the density is read at every run,
// so a mask that gets sparser during training switches to the sparse kernels.
func (g *Graph) SparseLinear(x, w *Node, sp Sparsity) *Node {
	if len(x.Shape) != 2 || len(w.Shape) != 2 || x.Shape[1] != w.Shape[1] {
		g.fail("sparse_linear: input %s and weight %s do not match (want [B in] and [out in])", shp(x.Shape), shp(w.Shape))
	}
	if c := sp.CSR; c == nil || c.Rows != w.Shape[0] || c.Cols != w.Shape[1] {
		g.fail("sparse_linear: the CSR is nil or not built for the weight %s", shp(w.Shape))
	}
	return g.node(opSparseLinear, []int{x.Shape[0], w.Shape[0]}, attr{sp: &sp}, x, w)
}

// sparseGrad is grad for SparseLinear: the input gradient reads gy and w, the
// weight gradient gy and x.
func (g *Graph) sparseGrad(n, gy *Node, i int) *Node {
	x, w := n.in[0], n.in[1]
	if i == 0 {
		return g.node(opSparseGradInput, x.Shape, n.attr, gy, w)
	}
	return g.node(opSparseGradWeight, w.Shape, n.attr, gy, x)
}

// sparseDims plans the Gemm of the dense path and, for the weight gradient, the
// buffer SDDMM writes the gradient at the nonzeros into (as long as the weight, the
// most nonzeros a mask can have).
func (c *compiler) sparseDims(in *instr, n *Node) {
	a, b := n.in[0].Shape, n.in[1].Shape
	switch n.op {
	case opSparseLinear: // x [B, in], w [out, in]
		in.gemm = &kernels.Gemm{TransB: true, M: a[0], N: b[0], K: a[1]}
		in.n = a[0]
	case opSparseGradInput: // gy [B, out], w [out, in]
		in.gemm = &kernels.Gemm{M: a[0], N: b[1], K: a[1]}
		in.n = a[0]
	case opSparseGradWeight: // gy [B, out], x [B, in]
		in.gemm = &kernels.Gemm{TransA: true, M: a[1], N: b[1], K: a[0]}
		in.n = a[0]
		in.src[2] = c.alloc(n.Shape)
	}
}

// stepSparse runs a SparseLinear instruction or one of its gradients; in.n is the
// batch. Values held transposed (layout.go) are read and written as they are.
func (p *Program) stepSparse(in *instr, d, x, y, z []float32) {
	sp := in.node.attr.sp
	csr := sp.CSR
	switch {
	case in.op == opSparseLinear && sp.sparse():
		csr.SetValues(y)
		kernels.SpMMTOf(in.dense(tDst, d), in.dense(0, x), csr, in.n)
	case in.op == opSparseGradInput && sp.sparse():
		kernels.SpMMOf(in.dense(tDst, d), in.dense(0, x), csr, in.n)
	case in.op == opSparseGradWeight && !sp.denseGrad():
		g := z[:csr.NNZ()]
		kernels.SDDMMOf(g, in.dense(0, x), in.dense(1, y), csr, in.n)
		scatter(d, g, csr)
	default:
		in.runGemm(d, x, y)
	}
}

// scatter sets the dense [Rows, Cols] d to the values g at the CSR's nonzeros, in
// their order, and to zero elsewhere.
func scatter(d, g []float32, csr *kernels.CSR) {
	clear(d)
	for o := range csr.Rows {
		row := d[o*csr.Cols : (o+1)*csr.Cols]
		lo, hi := csr.RowPtr[o], csr.RowPtr[o+1]
		for k, i := range csr.Col[lo:hi] {
			row[i] = g[int(lo)+k]
		}
	}
}
