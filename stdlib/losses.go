package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "cross_entropy", Kind: sig.Loss,
			Doc:    "Mean softmax cross-entropy of logits [B classes] against class labels (fused, numerically stable).",
			Params: []sig.Param{tensorP("logits", "unnormalised scores, one column per class"), labelsP("labels", "class labels, like train.y")},
			Shape:  func([]sig.Shape, sig.Args) (sig.Shape, error) { return sig.Shape{}, nil }},
		Build: func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return b.G.SoftmaxCrossEntropy(in[0], in[1]) },
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "mse", Kind: sig.Loss, Doc: "Mean squared difference between two tensors of the same shape.",
			Params: []sig.Param{tensorP("prediction", "predicted values"), tensorP("target", "target values")},
			Shape: func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
				if !in[0].Equal(in[1]) {
					return nil, &sig.ArgError{Param: "target", Msg: fmt.Sprintf("prediction and target must have the same shape, got %s and %s", in[0], in[1])}
				}
				return sig.Shape{}, nil
			}},
		Build: func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return b.G.MSE(in[0], in[1]) },
	})
	for _, m := range []struct{ name, doc string }{
		{"accuracy", "Share of samples whose highest-scoring class is the label."},
		{"loss", "The recipe's loss, averaged over the evaluated samples."},
	} {
		mustRegister(&Entry{Signature: sig.Signature{Name: m.name, Kind: sig.Metric, Doc: m.doc}})
	}
}
