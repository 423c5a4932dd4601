package stdlib

import (
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/optim"
)

// Parameters every optimizer shares.
func commonOptParams(lr any, wd float64) []sig.Param {
	return []sig.Param{
		withCheck(scalarP("lr", lr, "learning rate: a number or a schedule"), nonNegative),
		withCheck(scalarP("weight_decay", wd, "weight decay: a number or a schedule"), nonNegative),
		{Name: "decay_on", Type: sig.Selector, Optional: true, Doc: "apply weight decay only to these parameters, like net.*.weight (default: all)"},
		numP("clip_norm", 0.0, "clip the gradients' joint L2 norm to this value before each step; 0 turns clipping off", nonNegative),
	}
}

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "sgd", Kind: sig.Optimizer,
			Doc: "Stochastic gradient descent with momentum and Nesterov momentum (PyTorch semantics).",
			Params: append(commonOptParams(nil, 0.0),
				withCheck(scalarP("momentum", 0.0, "momentum factor: a number or a schedule"), nonNegative),
				boolP("nesterov", false, "use Nesterov momentum"))},
		Optimizer: buildSGD,
	})
	for _, name := range []string{"adam", "adamw"} {
		wd, doc := 0.0, "Adam (PyTorch semantics; weight decay is added to the gradient)."
		if name == "adamw" {
			wd, doc = 0.01, "AdamW (PyTorch semantics; weight decay is decoupled from the gradient)."
		}
		mustRegister(&Entry{
			Signature: sig.Signature{Name: name, Kind: sig.Optimizer, Doc: doc,
				Params: append(commonOptParams(0.001, wd),
					numP("beta1", 0.9, "decay of the first moment", fraction),
					numP("beta2", 0.999, "decay of the second moment", fraction),
					numP("eps", 1e-8, "added to the denominator", positive))},
			Optimizer: buildAdam(name == "adamw"),
		})
	}
}

// withDecay builds the optimizer twice when weight decay is restricted by a selector:
// once for the selected parameters, once with no decay for the rest.
func withDecay(a Args, make func(noDecay bool) (optim.Optimizer, func(step int))) *Optimizer {
	opt, set := make(false)
	o := &Optimizer{Update: opt, LR: a.Scalar("lr"), ClipNorm: a.Float("clip_norm"), Set: set}
	if paths := a.Paths("decay_on"); paths != nil {
		nd, setNd := make(true)
		o.NoDecay, o.DecayOn = nd, paths
		o.Set = func(step int) { set(step); setNd(step) }
	}
	return o
}

func buildSGD(a Args) *Optimizer {
	return withDecay(a, func(noDecay bool) (optim.Optimizer, func(int)) {
		o := &optim.SGD{Nesterov: a.Bool("nesterov")}
		mom, wd := a.Scalar("momentum"), a.Scalar("weight_decay")
		return o, func(step int) {
			o.Momentum = float32(mom.At(step))
			if !noDecay {
				o.WeightDecay = float32(wd.At(step))
			}
		}
	})
}

func buildAdam(decoupled bool) func(a Args) *Optimizer {
	return func(a Args) *Optimizer {
		return withDecay(a, func(noDecay bool) (optim.Optimizer, func(int)) {
			b1, b2, eps := float32(a.Float("beta1")), float32(a.Float("beta2")), float32(a.Float("eps"))
			var o optim.Optimizer
			var decay *float32 // the weight-decay field of whichever Adam it is
			if decoupled {
				w := &optim.AdamW{Beta1: b1, Beta2: b2, Eps: eps}
				o, decay = w, &w.WeightDecay
			} else {
				w := &optim.Adam{Beta1: b1, Beta2: b2, Eps: eps}
				o, decay = w, &w.WeightDecay
			}
			wd := a.Scalar("weight_decay")
			return o, func(step int) {
				if !noDecay {
					*decay = float32(wd.At(step))
				}
			}
		})
	}
}
