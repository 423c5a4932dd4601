package graph

import "github.com/roux-ml/roux/runtime/kernels"

// CompactLinear returns x·W̃ᵀ for x [B, in] where the weight W̃ [csr.Rows, csr.Cols]
// exists only compressed: values [nnz] holds its nonzeros in csr's order, and csr its
// fixed pattern. Forward, input gradient and weight gradient run the sparse kernels,
// and the weight's gradient is [nnz] too, so nothing of size rows·cols is ever
// allocated: this is what lets a 65536×65536 layer at 99.9% sparsity train.
func (g *Graph) CompactLinear(x, values *Node, csr *kernels.CSR) *Node {
	if len(x.Shape) != 2 || x.Shape[1] != csr.Cols || len(values.Shape) != 1 || values.Shape[0] != csr.NNZ() {
		g.fail("compact_linear: input %s and values %s do not match a %d×%d pattern with %d nonzeros (want [B %d] and [%d])",
			shp(x.Shape), shp(values.Shape), csr.Rows, csr.Cols, csr.NNZ(), csr.Cols, csr.NNZ())
	}
	return g.node(opCompactLinear, []int{x.Shape[0], csr.Rows}, attr{sp: &Sparsity{CSR: csr}}, x, values)
}

// compactGrad is grad for CompactLinear: the input gradient reads gy (the values are
// already in the CSR), the values' gradient gy and x.
func (g *Graph) compactGrad(n, gy *Node, i int) *Node {
	if i == 0 {
		return g.node(opCompactGradInput, n.in[0].Shape, n.attr, gy)
	}
	return g.node(opCompactGradValues, n.in[1].Shape, n.attr, gy, n.in[0])
}

// stepCompact runs CompactLinear or one of its gradients; in.n is the batch.
func (p *Program) stepCompact(in *instr, d, x, y []float32) {
	csr := in.node.attr.sp.CSR
	switch in.op {
	case opCompactLinear:
		csr.SetVal(y)
		kernels.SpMMT(d, x, csr, in.n)
	case opCompactGradInput:
		kernels.SpMM(d, x, csr, in.n)
	case opCompactGradValues:
		kernels.SDDMM(d, x, y, csr, in.n)
	}
}
