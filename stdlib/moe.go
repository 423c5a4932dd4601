package stdlib

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/schedule"
)

// moe is a mixture-of-experts layer (PAPERS.md 2.6, G1–G2): E linear experts
// [units, inputs] and a router that sends each row to some of them; only the chosen
// experts are evaluated.
func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{
			Name: "moe", Kind: sig.Layer,
			Doc: "Mixture of experts y = Σ_e G_e(x)·(x·W_eᵀ + b_e) with E linear experts (weight [E units inputs], bias [E units]) and a router: " +
				"topk is the noisy top-k softmax gate (G1), dense the temperature softmax gate that skips experts below threshold (G2), activation the same after a sigmoid (G2). " +
				"With balance α > 0 the training loss gains the switch balance term α·E·Σ_e f_e·P_e. Reports each expert's load, the gate entropy and the dropped share.",
			Params: []sig.Param{
				tensorP("x", "input of shape [B inputs]"),
				intP("units", nil, "outputs of each expert", positive),
				intP("experts", 4.0, "number of experts E", atLeastTwo),
				intP("k", 2.0, "experts per row for the topk gate", positive),
				enumP("gate", "topk", "the router: topk, dense or activation", "topk", "dense", "activation"),
				boolP("noise", true, "topk: add N(0,1)·softplus(x·W_noise) to the gate scores while training (Shazeer et al.)"),
				boolP("normalize", true, "topk: the chosen experts' weights are a softmax over the k chosen (Shazeer et al.); false keeps their probabilities under the softmax over all E (Switch Transformer), which is what lets a top-1 router learn"),
				{Name: "temperature", Type: sig.Scalar, Default: 1.0, Doc: "dense and activation gates: the softmax temperature τ (a number or schedule, annealed high to low)", Check: positive},
				numP("threshold", 1e-3, "dense and activation gates: experts whose weight is below this are skipped", nonNegative),
				numP("capacity", 0.0, "capacity factor c: each expert takes at most ⌈c·B·k/E⌉ rows of a batch, in order, the rest are dropped; 0 is unlimited", nonNegative),
				{Name: "balance", Type: sig.Scalar, Default: 0.01, Doc: "α of the load-balancing term added to the training loss (a number or schedule); 0 turns it off", Check: nonNegative},
			},
			Shape: func(in []sig.Shape, a sig.Args) (sig.Shape, error) {
				if a.Int("k") > a.Int("experts") {
					return nil, &sig.ArgError{Param: "k", Msg: fmt.Sprintf("k = %d experts per row, but there are only %d experts", a.Int("k"), a.Int("experts"))}
				}
				return denseShape(in, a)
			},
			Weights: func(in []sig.Shape, a sig.Args) []sig.Weight {
				e, u, i := a.Int("experts"), a.Int("units"), in[0][1]
				w := []sig.Weight{{Name: "weight", Shape: sig.Shape{e, u, i}}, {Name: "bias", Shape: sig.Shape{e, u}},
					{Name: "gate_weight", Shape: sig.Shape{e, i}}, {Name: "gate_bias", Shape: sig.Shape{e}}}
				if a.Str("gate") == "topk" && a.Bool("noise") {
					w = append(w, sig.Weight{Name: "noise_weight", Shape: sig.Shape{e, i}})
				}
				return w
			},
		},
		Build: buildMoE,
	})
}

func buildMoE(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g, x := b.G, in[0]
	rows, inputs := x.Shape[0], x.Shape[1]
	experts, units, k := a.Int("experts"), a.Int("units"), a.Int("k")
	w := b.Weight("weight", []int{experts, units, inputs}, inputs, uniformInit)
	bias := b.Weight("bias", []int{experts, units}, inputs, uniformInit)
	// the router starts at zero, as in Shazeer et al.: every expert equally likely, and
	// the noise (softplus(0)·N(0, 1)) makes the first choices random
	wg := b.Weight("gate_weight", []int{experts, inputs}, inputs, zeroInit)
	bg := b.Weight("gate_bias", []int{experts}, inputs, zeroInit)
	h := g.AddBias(g.MatMul(x, wg, false, true), bg) // the gate's scores [B E]
	var gate, probs *graph.Node
	if a.Str("gate") == "topk" {
		if a.Bool("noise") {
			wn := b.Weight("noise_weight", []int{experts, inputs}, inputs, zeroInit)
			h = g.Add(h, g.Mul(g.GaussianNoise(h), g.Softplus(g.MatMul(x, wn, false, true))))
		}
		probs = g.Softmax(h, 1)
		if a.Bool("normalize") {
			gate = renormalise(g, g.Mul(g.Exp(g.AddRows(h, g.Neg(g.StopGrad(g.Max(h, 1))))), g.TopKMask(h, k)))
		} else {
			gate = g.Mul(probs, g.TopKMask(h, k))
		}
	} else {
		if a.Str("gate") == "activation" {
			h = g.Sigmoid(h)
		}
		probs = g.Softmax(g.Mul(h, g.Div(g.Const(1), b.Scalar(a.Scalar("temperature")))), 1)
		gate = renormalise(g, g.Mul(probs, g.Greater(probs, float32(a.Float("threshold")))))
		k = experts // for the capacity: a dense gate may send a row anywhere
	}
	capacity := 0
	if c := a.Float("capacity"); c > 0 {
		capacity = int(math.Ceil(c * float64(rows*k) / float64(experts)))
	}
	y := g.Add(g.MoE(x, gate, w, capacity), g.MatMul(gate, bias, false, false))
	if alpha := a.Scalar("balance"); alpha != (schedule.Constant{}) {
		f := g.Mean(g.OneHotArgmax(h), 0) // share of rows whose first choice is e
		term := g.Mul(g.SumAll(g.Mul(f, g.Mean(probs, 0))), g.Const(float32(experts)))
		b.AuxLoss(g.Mul(term, b.Scalar(alpha)))
	}
	b.Report("load", g.Mean(g.Greater(gate, 0), 0))
	b.Report("gate_entropy", g.MeanAll(g.Neg(g.Sum(g.Mul(gate, g.Log(g.Clamp(gate, 1e-12, 1))), 1))))
	b.Report("dropped", g.MoEDropped(gate, capacity))
	return y
}

// zeroInit leaves a new weight at zero.
func zeroInit([]float32, int, *rand.Rand) {}

// renormalise divides each row by its sum (a row of zeros stays zero).
func renormalise(g *graph.Graph, x *graph.Node) *graph.Node {
	return g.ScaleRows(x, g.Div(g.Const(1), g.Clamp(g.Sum(x, 1), 1e-12, math.MaxFloat32)))
}
