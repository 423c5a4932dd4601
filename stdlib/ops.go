package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

// unaryOps are the elementwise functions of one tensor.
var unaryOps = []struct {
	name, doc string
	f         func(g *graph.Graph, x *graph.Node) *graph.Node
}{
	{"relu", "max(x, 0)", (*graph.Graph).Relu},
	{"gelu", "Gaussian error linear unit (tanh approximation)", (*graph.Graph).Gelu},
	{"tanh", "hyperbolic tangent", (*graph.Graph).Tanh},
	{"sigmoid", "logistic function 1/(1+e^-x)", (*graph.Graph).Sigmoid},
	{"exp", "e^x", (*graph.Graph).Exp},
	{"log", "natural logarithm", (*graph.Graph).Log},
	{"sqrt", "square root", (*graph.Graph).Sqrt},
	{"square", "x²", (*graph.Graph).Square},
	{"abs", "|x|", (*graph.Graph).Abs},
}

func init() {
	for _, u := range unaryOps {
		f := u.f
		mustRegister(&Entry{
			Signature: sig.Signature{Name: u.name, Kind: sig.Op, Doc: "Elementwise " + u.doc + ".",
				Params: []sig.Param{tensorP("x", "input")}, Shape: sameShape},
			Build: func(b *Builder, in []*graph.Node, _ Args) *graph.Node { return f(b.G, in[0]) },
		})
	}
	registerParamOps()
	registerReductions()
}

func sameShape(in []sig.Shape, _ sig.Args) (sig.Shape, error) { return in[0], nil }

func registerParamOps() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "leaky_relu", Kind: sig.Op, Doc: "Elementwise x if x > 0, else slope·x.",
			Params: []sig.Param{tensorP("x", "input"), numP("slope", 0.01, "slope for negative inputs", nil)}, Shape: sameShape},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			return b.G.LeakyRelu(in[0], float32(a.Float("slope")))
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "clamp", Kind: sig.Op, Doc: "Elementwise min(max(x, min), max).",
			Params: []sig.Param{tensorP("x", "input"), numP("min", nil, "lower bound", nil), numP("max", nil, "upper bound", nil)},
			Shape: func(in []sig.Shape, a sig.Args) (sig.Shape, error) {
				if a.Float("min") > a.Float("max") {
					return nil, &sig.ArgError{Param: "max", Msg: fmt.Sprintf("max (%g) is below min (%g)", a.Float("max"), a.Float("min"))}
				}
				return in[0], nil
			}},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			return b.G.Clamp(in[0], float32(a.Float("min")), float32(a.Float("max")))
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "dropout", Kind: sig.Op, Doc: "Zeroes each element with probability rate while training and scales the rest by 1/(1-rate); identity in evaluation.",
			Params: []sig.Param{tensorP("x", "input"), numP("rate", 0.5, "probability of dropping an element", fraction)}, Shape: sameShape},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			return b.G.Dropout(in[0], float32(a.Float("rate")))
		},
	})
	for _, sm := range []struct {
		name, doc string
		f         func(*graph.Graph, *graph.Node, int) *graph.Node
	}{{"softmax", "Softmax along an axis (default the last).", (*graph.Graph).Softmax},
		{"log_softmax", "Logarithm of the softmax along an axis, computed stably.", (*graph.Graph).LogSoftmax}} {
		f := sm.f
		mustRegister(&Entry{
			Signature: sig.Signature{Name: sm.name, Kind: sig.Op, Doc: sm.doc,
				Params: []sig.Param{tensorP("x", "input"), intP("axis", -1.0, "axis, counted from 0; -1 is the last", nil)},
				Shape: func(in []sig.Shape, a sig.Args) (sig.Shape, error) {
					if _, err := axisOf(in[0], a); err != nil {
						return nil, err
					}
					return in[0], nil
				}},
			Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node { return f(b.G, in[0], a.Int("axis")) },
		})
	}
}

// axisOf resolves a possibly negative axis argument against a shape.
func axisOf(s sig.Shape, a sig.Args) (int, error) {
	ax := a.Int("axis")
	if ax < 0 {
		ax += len(s)
	}
	if ax < 0 || ax >= len(s) {
		return 0, &sig.ArgError{Param: "axis", Msg: fmt.Sprintf("axis %d is out of range for shape %s", a.Int("axis"), s)}
	}
	return ax, nil
}

// registerReductions adds sum, mean and max: over one axis, or over everything when the
// axis is left out (sum and mean only).
func registerReductions() {
	type reduceFns struct {
		axis func(*graph.Graph, *graph.Node, int) *graph.Node
		all  func(*graph.Graph, *graph.Node) *graph.Node
	}
	for name, f := range map[string]reduceFns{
		"sum":  {(*graph.Graph).Sum, (*graph.Graph).SumAll},
		"mean": {(*graph.Graph).Mean, (*graph.Graph).MeanAll},
		"max":  {(*graph.Graph).Max, nil},
	} {
		f, name := f, name
		axis := sig.Param{Name: "axis", Type: sig.Int, Optional: f.all != nil, Doc: "axis to reduce; left out: reduce everything to one number"}
		mustRegister(&Entry{
			Signature: sig.Signature{Name: name, Kind: sig.Op, Doc: "The " + name + " of a tensor along an axis.",
				Params: []sig.Param{tensorP("x", "input"), axis},
				Shape:  reduceShape},
			Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
				if !a.Has("axis") {
					return f.all(b.G, in[0])
				}
				return f.axis(b.G, in[0], a.Int("axis"))
			},
		})
	}
}

func reduceShape(in []sig.Shape, a sig.Args) (sig.Shape, error) {
	if _, ok := a["axis"]; !ok {
		return sig.Shape{}, nil
	}
	ax, err := axisOf(in[0], a)
	if err != nil {
		return nil, err
	}
	return append(append(sig.Shape{}, in[0][:ax]...), in[0][ax+1:]...), nil
}
