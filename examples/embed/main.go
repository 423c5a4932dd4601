// Command embed shows roux embedded in a Go program: it registers a loss of its own,
// label-smoothed cross-entropy, and trains a recipe that uses it. The recipe is checked
// against the new loss's signature exactly like a built-in: a misspelled argument or a
// smoothing outside [0, 1) is a positioned error before any training.
//
//	go run ./examples/embed
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/stdlib"
)

// smoothCE is (1−ε)·CE(logits, y) + ε·mean over classes of −log softmax(logits): the
// cross-entropy against labels smoothed toward the uniform distribution.
var smoothCE = &stdlib.Entry{
	Signature: sig.Signature{
		Name: "smooth_ce", Kind: sig.Loss,
		Doc: "Cross-entropy against labels smoothed toward uniform by a share ε.",
		Params: []sig.Param{
			{Name: "logits", Type: sig.Tensor, Doc: "unnormalised scores, one column per class"},
			{Name: "labels", Type: sig.Labels, Doc: "class labels, like train.y"},
			{Name: "smoothing", Type: sig.Number, Default: 0.1, Doc: "ε, the share moved to the uniform distribution",
				Check: func(v any) string {
					if f := v.(float64); f < 0 || f >= 1 {
						return fmt.Sprintf("must be at least 0 and less than 1, got %g", f)
					}
					return ""
				}},
		},
		Shape: func([]sig.Shape, sig.Args) (sig.Shape, error) { return sig.Shape{}, nil },
	},
	Build: func(b *stdlib.Builder, in []*graph.Node, a stdlib.Args) *graph.Node {
		g, eps := b.G, float32(a.Float("smoothing"))
		ce := g.SoftmaxCrossEntropy(in[0], in[1])
		uniform := g.Neg(g.MeanAll(g.LogSoftmax(in[0], -1)))
		return g.Add(g.Mul(g.Const(1-eps), ce), g.Mul(g.Const(eps), uniform))
	},
}

const recipe = `recipe "spirals with a custom loss"
data train = spirals(n: 1500, classes: 3, noise: 0.1)
data test  = spirals(n: 600, classes: 3, noise: 0.1, seed: 2)
model net {
    h1  = dense(input(2), 64) |> tanh
    h2  = dense(h1, 64) |> tanh
    out = dense(h2, 3)
}
loss = smooth_ce(net(train.x), train.y, smoothing: 0.05)
optimizer = adam(lr: cosine(0.01 -> 0.001))
train {
    epochs = 40
    batch  = 64
    seed   = 1
    eval test every 10 epochs: accuracy, loss
}
`

func main() {
	if err := run(os.Stdout, recipe); err != nil {
		log.Fatal(err)
	}
}

// run registers the loss, checks and trains the recipe, and reports each evaluation.
func run(w io.Writer, src string) error {
	if _, known := stdlib.Default.Entry(smoothCE.Name); !known {
		if err := stdlib.Register(smoothCE); err != nil {
			return err
		}
	}
	r, err := roux.Compile("embedded.recipe", []byte(src))
	if re, ok := roux.AsRecipeError(err); ok {
		return fmt.Errorf("the recipe has mistakes:\n%s", re.Print())
	}
	if err != nil {
		return err
	}
	s, err := roux.NewSession(r, roux.Options{})
	if err != nil {
		return err
	}
	return s.Train(context.Background(), roux.Hooks{AfterEval: func(e roux.EvalResult) {
		fmt.Fprintf(w, "epoch %2.0f: test accuracy %.2f%%, loss %.4f\n", e.Epoch, 100*e.Metrics["accuracy"], e.Metrics["loss"])
	}})
}
