package stdlib

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/schedule"
)

// moe is a mixture-of-experts layer (PAPERS.md 2.6, G1–G2): E experts, each linear
// [units, inputs] or, with hidden units, a small MLP inputs → hidden (ReLU) → units, and
// a router that sends each row to some of them; only the chosen experts are evaluated.
func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{
			Name: "moe", Kind: sig.Layer,
			Doc: "Mixture of experts y = Σ_e G_e(x)·E_e(x) with E experts, linear (E_e(x) = x·W_eᵀ + b_e; weight [E units inputs], bias [E units]) or, with hidden > 0, " +
				"MLPs E_e(x) = relu(x·H_eᵀ + c_e)·W_eᵀ + b_e (hidden_weight [E hidden inputs], hidden_bias [E hidden], weight [E units hidden], bias [E units]), and a router: " +
				"topk is the noisy top-k softmax gate (G1), dense the temperature softmax gate that skips experts below threshold (G2), activation the same after a sigmoid (G2). " +
				"With balance α > 0 the training loss gains the switch balance term α·E·Σ_e f_e·P_e, and with importance w > 0 Shazeer et al.'s importance term w·CV(Σ_x G(x))². Reports each expert's load, the gate entropy and the dropped share.",
			Params: []sig.Param{
				tensorP("x", "input of shape [B inputs]"),
				intP("units", nil, "outputs of each expert", positive),
				intP("experts", 4.0, "number of experts E", atLeastTwo),
				intP("hidden", 0.0, "hidden ReLU units of each expert; 0 makes the experts linear", nonNegative),
				intP("k", 2.0, "experts per row for the topk gate", positive),
				enumP("gate", "topk", "the router: topk, dense or activation", "topk", "dense", "activation"),
				boolP("noise", true, "topk: add N(0,1)·softplus(x·W_noise) to the gate scores while training (Shazeer et al.)"),
				boolP("normalize", true, "topk: the chosen experts' weights are a softmax over the k chosen (Shazeer et al.); false keeps their probabilities under the softmax over all E (Switch Transformer), which is what lets a top-1 router learn"),
				{Name: "temperature", Type: sig.Scalar, Default: 1.0, Doc: "dense and activation gates: the softmax temperature τ (a number or schedule, annealed high to low)", Check: positive},
				numP("threshold", 1e-3, "dense and activation gates: experts whose weight is below this are skipped; below 1, since the weights sum to 1", fraction),
				numP("capacity", 0.0, "capacity factor c: each expert takes at most ⌈c·B·k/E⌉ rows of a batch, in order, the rest are dropped; 0 is unlimited", nonNegative),
				{Name: "balance", Type: sig.Scalar, Default: 0.01, Doc: "α of the load-balancing term added to the training loss (a number or schedule); 0 turns it off", Check: nonNegative},
				{Name: "importance", Type: sig.Scalar, Default: 0.0, Doc: "w of the importance term w·CV(Σ_x G(x))² added to the training loss (a number or schedule; PAPERS G1's alternative to balance, usually 0.1); 0 leaves it out", Check: nonNegative},
			},
			Shape: func(in []sig.Shape, a sig.Args) (sig.Shape, error) {
				if a.Int("k") > a.Int("experts") {
					return nil, &sig.ArgError{Param: "k", Msg: fmt.Sprintf("k = %d experts per row, but there are only %d experts", a.Int("k"), a.Int("experts"))}
				}
				return denseShape(in, a)
			},
			Weights: func(in []sig.Shape, a sig.Args) []sig.Weight {
				e, u, i, h := a.Int("experts"), a.Int("units"), in[0][1], a.Int("hidden")
				var w []sig.Weight // the experts' weights stack one layer per expert
				if h > 0 {
					w = []sig.Weight{{Name: "hidden_weight", Shape: sig.Shape{e, h, i}, Stacked: true}, {Name: "hidden_bias", Shape: sig.Shape{e, h}, Stacked: true}}
					i = h
				}
				w = append(w, sig.Weight{Name: "weight", Shape: sig.Shape{e, u, i}, Stacked: true}, sig.Weight{Name: "bias", Shape: sig.Shape{e, u}, Stacked: true},
					sig.Weight{Name: "gate_weight", Shape: sig.Shape{e, in[0][1]}}, sig.Weight{Name: "gate_bias", Shape: sig.Shape{e}})
				if a.Str("gate") == "topk" && a.Bool("noise") {
					w = append(w, sig.Weight{Name: "noise_weight", Shape: sig.Shape{e, in[0][1]}})
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
	experts, units, k, hidden := a.Int("experts"), a.Int("units"), a.Int("k"), a.Int("hidden")
	var hw, hb *graph.Node
	fanIn := inputs
	if hidden > 0 {
		hw = b.Weight("hidden_weight", []int{experts, hidden, inputs}, inputs, uniformInit)
		hb = b.Weight("hidden_bias", []int{experts, hidden}, inputs, uniformInit)
		fanIn = hidden
	}
	w := b.Weight("weight", []int{experts, units, fanIn}, fanIn, uniformInit)
	bias := b.Weight("bias", []int{experts, units}, fanIn, uniformInit)
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
	var y *graph.Node
	if hidden > 0 {
		// every expert's hidden layer in its own block of [B E·hidden]; the blocks of
		// experts a row does not use hold only the bias, and the output MoE never reads them
		act := g.Reshape(g.MoE(x, gate, hw, capacity, graph.MoEOutBlocks), rows, experts, hidden)
		act = g.Reshape(g.Relu(g.AddBias(act, hb)), rows, experts*hidden)
		y = g.MoE(act, gate, w, capacity, graph.MoEInBlocks)
	} else {
		y = g.MoE(x, gate, w, capacity, 0)
	}
	y = g.Add(y, g.MatMul(gate, bias, false, false))
	if alpha := a.Scalar("balance"); alpha != (schedule.Constant{}) {
		f := g.Mean(g.OneHotArgmax(h), 0) // share of rows whose first choice is e
		term := g.Mul(g.SumAll(g.Mul(f, g.Mean(probs, 0))), g.Const(float32(experts)))
		b.AuxLoss(g.Mul(term, b.Scalar(alpha)))
	}
	if w := a.Scalar("importance"); w != (schedule.Constant{}) {
		b.AuxLoss(g.Mul(cvSquared(g, g.Sum(gate, 0)), b.Scalar(w)))
	}
	b.Report("load", g.Mean(g.Greater(gate, 0), 0))
	b.Report("gate_entropy", g.MeanAll(g.Neg(g.Sum(g.Mul(gate, g.Log(g.Clamp(gate, 1e-12, 1))), 1))))
	b.Report("dropped", g.MoEDropped(gate, capacity))
	return y
}

// cvSquared returns the squared coefficient of variation of a vector, its population
// variance over its squared mean, with tensor2tensor's ε = 10⁻¹⁰ in the denominator
// (cv_squared in Shazeer et al.'s expert_utils.py) so that an all-zero vector gives 0.
func cvSquared(g *graph.Graph, v *graph.Node) *graph.Node {
	mean := g.MeanAll(v)
	dev := g.Add(v, g.Neg(mean))
	return g.Div(g.MeanAll(g.Mul(dev, dev)), g.Add(g.Mul(mean, mean), g.Const(1e-10)))
}

// zeroInit leaves a new weight at zero.
func zeroInit([]float32, int, *rand.Rand) {}

// renormalise divides each row by its sum (a row of zeros stays zero).
func renormalise(g *graph.Graph, x *graph.Node) *graph.Node {
	return g.ScaleRows(x, g.Div(g.Const(1), g.Clamp(g.Sum(x, 1), 1e-12, math.MaxFloat32)))
}
