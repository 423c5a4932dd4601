package roux

import (
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/kernels"
)

// sparseLayers routes masked dense layers to graph.SparseLinear; tests turn it off
// to compare with the masked-dense MatMul.
var sparseLayers = true

// sparsity returns the compressed mask a dense layer's weight (by path) computes
// with, or nil for the masked-dense MatMul: when the weight is unmasked, not 2-D,
// or its mask's pruned rule is not "zero" (the other rules compute with dense
// effective weights or need dense gradients every step). Whether the sparse
// kernels run is decided by SparseLinear at every step from the mask's density
// (graph.SparseCrossover), so a mask that gets sparser during training moves to
// them. The mask engine rebuilds the CSR whenever the mask changes, and asks for the
// dense gradient on RigL's regrowth steps (mask.Layer.DenseGrad). Replica r ≥ 1 of a
// data-parallel step gets its own copy of the CSR.
func (s *Session) sparsity(path string, replica int) *graph.Sparsity {
	p := s.weights.byPath[path]
	if !sparseLayers || p == nil || len(p.Value.Shape) != 2 || s.prunedRule(path) != "zero" {
		return nil
	}
	lay := s.maskLayer(p)
	if lay.CSR == nil {
		lay.CSR = &kernels.CSR{}
		lay.BuildCSR()
	}
	csr := lay.CSR
	if replica > 0 {
		csr = lay.ReplicaCSR(replica)
	}
	return &graph.Sparsity{CSR: csr, DenseGrad: &lay.DenseGrad}
}

// prunedRule returns the pruned rule of the mask that selects path: the running
// mask's once built, the recipe's before; "" for an unmasked weight.
func (s *Session) prunedRule(path string) string {
	for _, m := range s.masks {
		for _, l := range m.Layers {
			if l.Param.Name == path {
				return m.Pruned.Rule
			}
		}
	}
	for _, m := range s.recipe.Masks {
		for _, w := range m.Params {
			if w.Path == path {
				return s.maskSpec(m).Pruned.Rule
			}
		}
	}
	return ""
}
