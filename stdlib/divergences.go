package stdlib

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

// Losses between distributions and per-sample distances for loss mixtures (PAPERS.md
// section 2.3): each reduces to its mean over samples, or with reduce: none gives one
// value per sample ([B]) to be weighted and reduced in the recipe.
func init() {
	logits := tensorP("logits", "unnormalised scores, one column per class")
	addPer := func(name, doc string, params []sig.Param, shape func(in []sig.Shape, a sig.Args) error, per func(b *Builder, in []*graph.Node, a Args) *graph.Node) {
		mustRegister(&Entry{Signature: sig.Signature{Name: name, Kind: sig.Loss, Doc: doc, Params: append(params, reduceP), Shape: perSampleShape(shape)},
			Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node { return reduce(b.G, per(b, in, a), a) }})
	}
	addPer("soft_cross_entropy", "Cross-entropy of logits against soft targets (rows of class probabilities): −Σ target·log softmax(logits).",
		[]sig.Param{logits, tensorP("target", "class probabilities, one row per sample")}, pairOfRows,
		func(b *Builder, in []*graph.Node, _ Args) *graph.Node {
			return b.G.Neg(b.G.Sum(b.G.Mul(in[1], b.G.LogSoftmax(in[0], 1)), 1))
		})
	addPer("kl", "KL(softmax(target) ‖ softmax(logits)) per sample; both arguments are logits. Wrap a target that must not be trained in stopgrad(...).",
		[]sig.Param{tensorP("target", "logits of the target distribution"), logits}, pairOfRows,
		func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return klRows(b.G, in[0], in[1]) })
	addPer("js", "Jensen–Shannon divergence between softmax(a) and softmax(b) per sample (symmetric; both arguments are logits).",
		[]sig.Param{tensorP("a", "logits"), tensorP("b", "logits")}, pairOfRows,
		func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return jsRows(b.G, in[0], in[1]) })
	addPer("bce", "Binary cross-entropy of logits against targets in [0, 1], softplus(z) − z·y, averaged over each sample's values (stable at every logit).",
		[]sig.Param{logits, tensorP("target", "targets in [0, 1], shaped like the logits")}, pairShape,
		func(b *Builder, in []*graph.Node, _ Args) *graph.Node {
			g := b.G
			return rowMean(g, g.Sub(g.Softplus(in[0]), g.Mul(in[0], in[1])))
		})
	addPer("cauchy", "Cauchy distance log(1 + ‖prediction − target‖²/(2c²)) per sample (PAPERS.md L8; the form there is marked unverified).",
		[]sig.Param{tensorP("prediction", "predicted values"), tensorP("target", "target values"), numP("c", 1.0, "the scale c", positive)}, pairShape,
		func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			g := b.G
			c := a.Float("c")
			sq := rowSum(g, g.Square(g.Sub(in[0], in[1])))
			return g.Log(g.Add(g.Const(1), g.Mul(sq, g.Const(float32(1/(2*c*c))))))
		})
	mustRegister(&Entry{Signature: sig.Signature{Name: "stopgrad", Kind: sig.Op, Doc: "Its argument, passing no gradient back: a target such as a teacher's prediction.",
		Params: []sig.Param{tensorP("x", "the target")}, Shape: func(in []sig.Shape, _ sig.Args) (sig.Shape, error) { return in[0], nil }},
		Build: func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return b.G.StopGrad(in[0]) }})
}

var reduceP = enumP("reduce", "mean", "mean: the mean over samples; none: one value per sample, to weight and reduce in the recipe", "mean", "none")

// perSampleShape checks the inputs and gives [] or, with reduce: none, [B].
func perSampleShape(check func(in []sig.Shape, a sig.Args) error) func(in []sig.Shape, a sig.Args) (sig.Shape, error) {
	return func(in []sig.Shape, a sig.Args) (sig.Shape, error) {
		if err := check(in, a); err != nil {
			return nil, err
		}
		if a.Str("reduce") == "none" {
			return sig.Shape{sig.Batch}, nil
		}
		return sig.Shape{}, nil
	}
}

func pairShape(in []sig.Shape, _ sig.Args) error {
	if !in[0].Equal(in[1]) {
		return &sig.ArgError{Param: "target", Msg: fmt.Sprintf("both arguments must have the same shape, got %s and %s", in[0], in[1])}
	}
	return nil
}

func pairOfRows(in []sig.Shape, a sig.Args) error {
	if len(in[0]) != 2 {
		return &sig.ArgError{Msg: fmt.Sprintf("expects rows of class scores [B classes], got %s", in[0])}
	}
	return pairShape(in, a)
}

// reduce is the mean of per-sample values, or the values themselves with reduce: none.
func reduce(g *graph.Graph, per *graph.Node, a Args) *graph.Node {
	if a.Str("reduce") == "none" {
		return per
	}
	return g.MeanAll(per)
}

// rowSum sums each sample's values: [B ...] to [B].
func rowSum(g *graph.Graph, x *graph.Node) *graph.Node { return perRow(g, x, g.Sum) }

// rowMean averages each sample's values: [B ...] to [B].
func rowMean(g *graph.Graph, x *graph.Node) *graph.Node { return perRow(g, x, g.Mean) }

// perRow reduces each sample's values with a reduction over axis 1.
func perRow(g *graph.Graph, x *graph.Node, reduce func(*graph.Node, int) *graph.Node) *graph.Node {
	if len(x.Shape) > 2 {
		x = g.Flatten(x)
	}
	if len(x.Shape) == 1 {
		return x
	}
	return reduce(x, 1)
}

// klRows is KL(softmax(p) ‖ softmax(q)) for each row of logits p and q.
func klRows(g *graph.Graph, p, q *graph.Node) *graph.Node {
	lp := g.LogSoftmax(p, 1)
	return g.Sum(g.Mul(g.Softmax(p, 1), g.Sub(lp, g.LogSoftmax(q, 1))), 1)
}

// jsRows is ½KL(P‖M) + ½KL(Q‖M) with M = (P+Q)/2, for each row of logits a and b.
func jsRows(g *graph.Graph, a, b *graph.Node) *graph.Node {
	p, q := g.Softmax(a, 1), g.Softmax(b, 1)
	lm := g.Log(g.Clamp(g.Mul(g.Add(p, q), g.Const(0.5)), 1e-12, 1))
	kp := g.Sum(g.Mul(p, g.Sub(g.LogSoftmax(a, 1), lm)), 1)
	kq := g.Sum(g.Mul(q, g.Sub(g.LogSoftmax(b, 1), lm)), 1)
	return g.Mul(g.Add(kp, kq), g.Const(0.5))
}

// ceRows is each row's cross-entropy −log softmax(logits)[label].
func ceRows(g *graph.Graph, logits, labels *graph.Node) *graph.Node {
	return g.Neg(g.Sum(g.Mul(g.OneHot(labels, logits.Shape[1]), g.LogSoftmax(logits, 1)), 1))
}

// logSumExpRows is log Σ_k exp(x_k) for each row, shifted by the row's (constant) maximum.
func logSumExpRows(g *graph.Graph, x *graph.Node) *graph.Node {
	m := g.StopGrad(g.Max(x, 1))
	return g.Add(m, g.Log(g.Sum(g.Exp(g.AddRows(x, g.Neg(m))), 1)))
}

// logK is log of the number of classes of rows of logits.
func logK(x *graph.Node) float32 { return float32(math.Log(float64(x.Shape[1]))) }
