package stdlib

import (
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "cross_entropy", Kind: sig.Loss,
			Doc: "Softmax cross-entropy of logits [B classes] against class labels (fused and numerically stable when used plainly), with optional label smoothing and UDA's training-signal annealing (PAPERS.md L3).",
			Params: []sig.Param{tensorP("logits", "unnormalised scores, one column per class"), labelsP("labels", "class labels, like train.y"),
				numP("smoothing", 0.0, "label smoothing ε: the target puts 1−ε on the label and ε spread evenly over all classes", fraction),
				reduceP,
				enumP("tsa", "none", "training-signal annealing: samples whose label probability exceeds η_t = α_t(1−1/K)+1/K are left out, α_t linear t/T, exp exp(5(t/T−1)) or log 1−exp(−5t/T)", "none", "linear", "exp", "log"),
				timeP("tsa_until", end, "T, when the annealing threshold reaches 1")},
			Check: func(a sig.Args) error {
				if a.Str("tsa") != "none" && a.Str("reduce") == "none" {
					return &sig.ArgError{Param: "tsa", Msg: "tsa averages over the samples it keeps, so it needs reduce: mean"}
				}
				return nil
			},
			Shape: perSampleShape(func([]sig.Shape, sig.Args) error { return nil })},
		Build: crossEntropy,
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "mse", Kind: sig.Loss, Doc: "Mean squared difference between two tensors of the same shape (with reduce: none, each sample's mean).",
			Params: []sig.Param{tensorP("prediction", "predicted values"), tensorP("target", "target values"), reduceP},
			Shape:  perSampleShape(pairShape)},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			if a.Str("reduce") == "none" {
				return rowMean(b.G, b.G.Square(b.G.Sub(in[0], in[1])))
			}
			return b.G.MSE(in[0], in[1])
		},
	})
	for _, m := range []struct{ name, doc string }{
		{"accuracy", "Share of samples whose highest-scoring class is the label."},
		{"loss", "The recipe's loss, averaged over the evaluated samples (for a loss mixture: the cross-entropy of the evaluated model)."},
		{"clean_accuracy", "On a data set with label_noise: share of samples whose highest-scoring class is the true label."},
		{"memorized", "On a data set with label_noise: share of the corrupted samples predicted as their corrupted label."},
	} {
		mustRegister(&Entry{Signature: sig.Signature{Name: m.name, Kind: sig.Metric, Doc: m.doc}})
	}
}
