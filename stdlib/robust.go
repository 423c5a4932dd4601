package stdlib

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

// Distance losses between a prediction and a target of the same shape, composed from
// graph ops (PAPERS.md L8): each is the mean over all entries (l1, huber) or over samples
// (pseudo_huber). Binary cross-entropy is not among them: composed from relu and abs its
// gradient is wrong at a logit of exactly 0, so it needs a fused op of its own.
func init() {
	pair := []sig.Param{tensorP("prediction", "predicted values"), tensorP("target", "target values")}
	same := func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
		if !in[0].Equal(in[1]) {
			return nil, &sig.ArgError{Param: "target", Msg: fmt.Sprintf("prediction and target must have the same shape, got %s and %s", in[0], in[1])}
		}
		return sig.Shape{}, nil
	}
	add := func(name, doc string, extra []sig.Param, build func(g *graph.Graph, p, t *graph.Node, a Args) *graph.Node) {
		mustRegister(&Entry{Signature: sig.Signature{Name: name, Kind: sig.Loss, Doc: doc, Params: append(append([]sig.Param(nil), pair...), extra...), Shape: same},
			Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node { return build(b.G, in[0], in[1], a) }})
	}
	add("l1", "Mean absolute difference.", nil, func(g *graph.Graph, p, t *graph.Node, _ Args) *graph.Node {
		return g.MeanAll(g.Abs(g.Sub(p, t)))
	})
	add("huber", "Mean Huber loss: ½d² where |d| ≤ delta, delta·(|d| − ½delta) beyond.",
		[]sig.Param{numP("delta", 1.0, "where the loss turns from quadratic to linear", positive)}, huber)
	add("pseudo_huber", "Mean over samples of √(‖prediction − target‖² + c²) − c (PAPERS.md L8, iCT); c defaults to 0.00054·√d for d features per sample.",
		[]sig.Param{{Name: "c", Type: sig.Number, Optional: true, Doc: "the scale c; default 0.00054·√(features per sample)", Check: positive}}, pseudoHuber)
}

// huber is ½c² + delta·(|d| − |c|) with c = d clamped to [−delta, delta]: ½d² inside the
// band, delta·|d| − ½delta² outside it.
func huber(g *graph.Graph, p, t *graph.Node, a Args) *graph.Node {
	delta := float32(a.Float("delta"))
	d := g.Sub(p, t)
	c := g.Clamp(d, -delta, delta)
	quad := g.Mul(g.Const(0.5), g.Square(c))
	lin := g.Mul(g.Const(delta), g.Sub(g.Abs(d), g.Abs(c)))
	return g.MeanAll(g.Add(quad, lin))
}

func pseudoHuber(g *graph.Graph, p, t *graph.Node, a Args) *graph.Node {
	features := 1
	for _, n := range p.Shape[1:] {
		features *= n
	}
	c := 0.00054 * math.Sqrt(float64(features))
	if a.Has("c") {
		c = a.Float("c")
	}
	d := g.Sub(p, t)
	if len(p.Shape) > 2 {
		d = g.Flatten(d)
	}
	sq := g.Square(d) // a sample's squared distance: one value, or summed over its features
	if len(p.Shape) > 1 {
		sq = g.Sum(sq, -1)
	}
	cc := float32(c)
	return g.MeanAll(g.Sub(g.Sqrt(g.Add(sq, g.Const(cc*cc))), g.Const(cc)))
}
