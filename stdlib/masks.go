package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/runtime/schedule"
)

func sparsityP(def any) sig.Param {
	return sig.Param{Name: "sparsity", Type: sig.Number, Default: def, Doc: "share of the weights pruned, in [0, 1)", Check: fraction}
}

func init() {
	registerInits()
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "magnitude", Kind: sig.Criterion,
			Doc: "Pruning to the mask's sparsity keeps the largest |w|, over all masked weights together (global) or in each layer (PAPERS.md M2). A constant sparsity prunes once, at the start.",
			Params: []sig.Param{enumP("scope", "layer", "compare weights across all masked layers or within each", "layer", "global"),
				timeP("every", sig.TimeValue{Amount: 100, Unit: "steps"}, "steps between prunings while the sparsity changes (Δt)")}},
		Mask: func(a Args) any { return mask.Criterion{Scope: a.Str("scope"), Every: max(a.Steps("every"), 1)} },
	})
	registerRegrow()
	registerPruned()
}

// registerInits adds the ways a mask can start.
func registerInits() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "random", Kind: sig.MaskInit,
			Doc: "Random mask with an exact count per layer; layer densities uniform, ER or ERK with the dense-layer fallback (PAPERS.md M1).",
			Params: []sig.Param{sparsityP(nil), enumP("distribution", "erk", "how the sparsity is spread over layers", "uniform", "er", "erk"),
				numP("power", 1.0, "ERK: exponent of the raw layer score", positive)}},
		Mask: func(a Args) any {
			return mask.Init{Kind: "random", Sparsity: a.Float("sparsity"), Distribution: a.Str("distribution"), Power: a.Float("power")}
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "nm", Kind: sig.MaskInit,
			Doc:    "N:M structured sparsity: in every group of m consecutive weights along the input dimension keep the n largest |w|, recomputed from the weights every step (PAPERS.md M3).",
			Params: []sig.Param{intP("n", nil, "weights kept per group", positive), intP("m", nil, "group size", positive)},
			Check:  checkNM},
		Mask: func(a Args) any { return mask.Init{Kind: "nm", N: a.Int("n"), M: a.Int("m")} },
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "block", Kind: sig.MaskInit,
			Doc:    "Block sparsity: keep the size×size blocks of largest L2 norm.",
			Params: []sig.Param{sparsityP(nil), intP("size", 4.0, "side of a block", positive)}},
		Mask: func(a Args) any {
			return mask.Init{Kind: "block", Sparsity: a.Float("sparsity"), Block: a.Int("size")}
		},
	})
}

func checkNM(a sig.Args) error {
	n, m := a.Int("n"), a.Int("m")
	if n >= m {
		return &sig.ArgError{Param: "n", Msg: fmt.Sprintf("n (%d) must be less than m (%d): an N:M mask keeps n of every m weights", n, m)}
	}
	return nil
}

// registerRegrow adds dynamic sparse training rules (PAPERS.md M4).
func registerRegrow() {
	for _, r := range []struct{ name, doc string }{
		{"set", "SET: drop the smallest |w| and regrow as many weights at random positions (PAPERS.md M4)."},
		{"rigl", "RigL: drop the smallest |w| and regrow where the dense gradient is largest (PAPERS.md M4)."},
	} {
		rule := r.name
		mustRegister(&Entry{
			Signature: sig.Signature{Name: rule, Kind: sig.Regrow, Doc: r.doc,
				Params: []sig.Param{
					{Name: "fraction", Type: sig.Scalar, Optional: true, Doc: "share of active weights replaced at each update; default cosine(0.3 -> 0) over [0, until]", Check: unitInterval},
					timeP("every", sig.TimeValue{Amount: 100, Unit: "steps"}, "steps between updates (ΔT)"),
					timeP("until", sig.TimeValue{Amount: 75, Unit: "%"}, "last update (T_end)")}},
			Mask: func(a Args) any {
				f := a.Scalar("fraction")
				if f == nil {
					f = schedule.Cosine{From: 0.3, To: 0, Start: 0, End: a.Steps("until")}
				}
				return mask.Regrow{Rule: rule, Fraction: f, Every: max(a.Steps("every"), 1), Until: a.Steps("until")}
			},
		})
	}
}

// registerPruned adds what pruned weights may do (PAPERS.md RP1, M3, M5).
func registerPruned() {
	add := func(name, doc string, params []sig.Param, build func(a Args) mask.Pruned) {
		mustRegister(&Entry{Signature: sig.Signature{Name: name, Kind: sig.Pruned, Doc: doc, Params: params},
			Mask: func(a Args) any { return build(a) }})
	}
	add("zero", "Pruned weights are exactly zero and receive no gradient; their optimizer state is zeroed too.", nil,
		func(Args) mask.Pruned { return mask.Pruned{Rule: "zero"} })
	add("ste", "Straight-through: the forward pass uses the masked weights, the backward pass updates all weights densely.", nil,
		func(Args) mask.Pruned { return mask.Pruned{Rule: "ste"} })
	add("srste", "SR-STE: straight-through plus a decay λ·(1−M)⊙W pulling pruned weights toward zero (PAPERS.md M3).",
		[]sig.Param{numP("decay", 2e-4, "λ_W", nonNegative)},
		func(a Args) mask.Pruned { return mask.Pruned{Rule: "srste", Decay: a.Float("decay")} })
	add("decay", "Progressive gradient flow (MdGf): pruned weights are scaled by β(t) in the forward pass, dense gradient (PAPERS.md M3).",
		[]sig.Param{withCheck(scalarP("beta", nil, "β(t), from 1 (dense) to 0 (hard mask), like linear(1 -> 0, until: 50%)"), unitInterval)},
		func(a Args) mask.Pruned { return mask.Pruned{Rule: "decay", Beta: a.Scalar("beta")} })
	add("shrink", "ISS-P: after each step the pruned share of smallest |w| is multiplied by ρ instead of zeroed (PAPERS.md M5).",
		[]sig.Param{withCheck(scalarP("rho", 0.99, "ρ, the factor per step"), nonNegative)},
		func(a Args) mask.Pruned { return mask.Pruned{Rule: "shrink", Rho: a.Scalar("rho")} })
}
