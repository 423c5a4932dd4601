package stdlib

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{
			Name: "dense", Kind: sig.Layer,
			Doc: "Fully connected layer y = x·Wᵀ + b, weight [units, inputs] (PyTorch's layout).",
			Params: []sig.Param{
				tensorP("x", "input of shape [B inputs]"),
				intP("units", nil, "number of outputs", positive),
				boolP("bias", true, "add a learned bias"),
				enumP("init", "uniform", "weight initialisation: uniform is PyTorch's default U(±1/√inputs); he and xavier are normal", "uniform", "he", "xavier"),
			},
			Shape:   denseShape,
			Weights: denseWeights,
		},
		Build: buildDense,
	})
}

func denseShape(in []sig.Shape, a sig.Args) (sig.Shape, error) {
	if len(in[0]) != 2 {
		msg := fmt.Sprintf("expects a [B inputs] matrix, got shape %s", in[0])
		if len(in[0]) > 2 {
			msg += "; flatten it first, like dense(flatten(x), n)"
		}
		return nil, &sig.ArgError{Param: "x", Msg: msg}
	}
	return sig.Shape{in[0][0], a.Int("units")}, nil
}

func denseWeights(in []sig.Shape, a sig.Args) []sig.Weight {
	w := []sig.Weight{{Name: "weight", Shape: sig.Shape{a.Int("units"), in[0][1]}}}
	if a.Bool("bias") {
		w = append(w, sig.Weight{Name: "bias", Shape: sig.Shape{a.Int("units")}})
	}
	return w
}

func buildDense(b *Builder, in []*graph.Node, a Args) *graph.Node {
	x, units := in[0], a.Int("units")
	fanIn := x.Shape[1]
	w := b.Weight("weight", []int{units, fanIn}, fanIn, weightInit(a.Str("init"), units))
	var y *graph.Node
	if sp := b.sparse("weight"); sp != nil {
		y = b.G.SparseLinear(x, w, *sp)
	} else {
		y = b.G.MatMul(x, w, false, true)
	}
	if a.Bool("bias") {
		y = b.G.AddBias(y, b.Weight("bias", []int{units}, fanIn, uniformInit))
	}
	return y
}

// weightInit returns the initialiser a dense layer's init argument names.
func weightInit(name string, fanOut int) Init {
	switch name {
	case "he":
		return func(w []float32, fanIn int, rng *rand.Rand) { normalInit(w, math.Sqrt(2/float64(fanIn)), rng) }
	case "xavier":
		return func(w []float32, fanIn int, rng *rand.Rand) {
			normalInit(w, math.Sqrt(2/float64(fanIn+fanOut)), rng)
		}
	}
	return uniformInit
}

// uniformInit is PyTorch's nn.Linear default: U(-1/√fanIn, 1/√fanIn) for weight and bias.
func uniformInit(w []float32, fanIn int, rng *rand.Rand) {
	bound := 1 / math.Sqrt(float64(fanIn))
	for i := range w {
		w[i] = float32((rng.Float64()*2 - 1) * bound)
	}
}

func normalInit(w []float32, std float64, rng *rand.Rand) {
	for i := range w {
		w[i] = float32(rng.NormFloat64() * std)
	}
}
