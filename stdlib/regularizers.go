package stdlib

import (
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/regularize"
)

// Penalties for regularize declarations (PAPERS.md 2.4): L1 and L2 added to the gradient
// (MaskSparsity, R1), group lasso as a proximal step after each update (R2). Each may be
// restricted to the weights a mask prunes, with pruned_by: MASK.
func init() {
	strength := sig.Param{Name: "strength", Type: sig.Scalar, Doc: "the penalty's weight λ (a number or schedule)", Check: nonNegative}
	prunedBy := sig.Param{Name: "pruned_by", Type: sig.MaskName, Optional: true, Doc: "penalise only the weights this mask prunes (MaskSparsity); a group only when all its weights are pruned"}
	add := func(name, doc string, params []sig.Param, p func(a Args) regularize.Penalty) {
		mustRegister(&Entry{Signature: sig.Signature{Name: name, Kind: sig.Regular, Doc: doc, Params: params}, Regularize: p})
	}
	add("l1_penalty", "λ·Σ|w|, added to the gradient as λ·sign(w).", []sig.Param{strength, prunedBy},
		func(Args) regularize.Penalty { return regularize.L1() })
	add("l2_penalty", "λ·½Σw², added to the gradient as λ·w.", []sig.Param{strength, prunedBy},
		func(Args) regularize.Penalty { return regularize.L2() })
	add("group_lasso", "λ·Σ_g ‖w_g‖₂ over each weight's rows (outputs) or columns (inputs), applied after each update by block soft-thresholding with the step's learning rate, which zeroes whole groups.",
		[]sig.Param{strength, enumP("over", "rows", "the groups: rows (output units, filters) or columns (inputs, channels)", "rows", "columns"), prunedBy},
		func(a Args) regularize.Penalty { return regularize.GroupLasso(a.Str("over") == "rows") })
}
