package stdlib

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

// Consistency, noisy-label and adaptive-weighting losses (PAPERS.md L1, L2, L3, L5), built
// from graph ops so that every gradient is the composition's own.
func init() {
	logits, labels := tensorP("logits", "unnormalised scores, one column per class"), labelsP("labels", "class labels, like train.y")
	views := []sig.Param{tensorP("weak", "logits on the weak (or clean) view; no gradient flows through them"), tensorP("strong", "logits on the strong view")}
	add := func(s sig.Signature, build func(b *Builder, in []*graph.Node, a Args) *graph.Node) {
		s.Kind = sig.Loss
		mustRegister(&Entry{Signature: s, Build: build})
	}
	add(sig.Signature{Name: "uda", Views: true,
		Doc: "UDA consistency (PAPERS.md L3): mean over the batch of 1[max softmax(weak) > threshold]·KL(softmax(weak/temperature) ‖ softmax(strong)), the masked samples counted as zeros; reports the share of samples kept.",
		Params: append(views, numP("temperature", 0.4, "sharpening temperature of the target", positive),
			sig.Param{Name: "threshold", Type: sig.Scalar, Default: 0.8, Doc: "confidence threshold on the unsharpened weak probability (a number or schedule)", Check: unitInterval}, reduceP),
		Shape: perSampleShape(pairOfRows)}, uda)
	add(sig.Signature{Name: "fixmatch", Views: true,
		Doc:    "FixMatch consistency: mean over the batch of 1[max softmax(weak) > threshold]·CE(strong, argmax weak), the hard pseudo-label; reports the share of samples kept.",
		Params: append(views, sig.Param{Name: "threshold", Type: sig.Scalar, Default: 0.95, Doc: "confidence threshold (a number or schedule)", Check: unitInterval}, reduceP),
		Shape:  perSampleShape(pairOfRows)}, fixmatch)
	scalar := func(in []sig.Shape, _ sig.Args) (sig.Shape, error) { return sig.Shape{}, nil }
	add(sig.Signature{Name: "elr", PerSample: true,
		Doc:    "Early-learning regularisation (PAPERS.md L1): CE + λ·mean log(1 − ⟨t_i, p_i⟩), where each sample's target t_i ← β·t_i + (1−β)·p̂_i is a running average of its own predictions.",
		Params: []sig.Param{logits, labels, numP("beta", 0.7, "momentum β of the per-sample targets", fraction), numP("lambda", 3.0, "weight λ of the regulariser", nonNegative)},
		Shape:  scalar}, elr)
	add(sig.Signature{Name: "ldr", Doc: "LDR-KL loss (PAPERS.md L5): λ·log((1/K)Σ_k exp((c·1[k≠y] + z_k − z_y)/λ)) on logits normalised as softplus(z)/mean(softplus(z)).",
		Params: []sig.Param{logits, labels, numP("margin", 0.1, "margin c", nonNegative), numP("lambda", 10.0, "temperature λ", positive)},
		Shape:  scalar}, ldr)
	add(sig.Signature{Name: "aldr", PerSample: true,
		Doc: "ALDR-KL loss (PAPERS.md L5): LDR-KL with a temperature λ_i per sample, λ_i = λ₀ − λ₀·KL(p_i ‖ uniform)/(α·log K), plus −(α·log K/(2λ₀))·(λ_i − λ₀)²; logits normalised as z/(‖z‖₁/K).",
		Params: []sig.Param{logits, labels, numP("margin", 0.1, "margin c", nonNegative), numP("lambda", 10.0, "reference temperature λ₀", positive),
			numP("alpha", 2.0, "α > 1: how far λ_i may fall below λ₀", func(v any) string {
				if f, _ := v.(float64); f <= 1 {
					return fmt.Sprintf("must be greater than 1, got %g", f)
				}
				return ""
			})},
		Shape: scalar}, aldr)
	add(sig.Signature{Name: "adawac", PerSample: true,
		Doc:    "AdaWAC (PAPERS.md L2): mean_i β_i⁰·supervised_i + β_i¹·consistency_i, where each sample's weights on the simplex take the entropic mirror step β_i ∝ β_i ⊙ exp(lr·(supervised_i, consistency_i)) before the loss; both arguments are per-sample losses (reduce: none).",
		Params: []sig.Param{tensorP("supervised", "per-sample supervised loss [B]"), tensorP("consistency", "per-sample consistency loss [B]"), numP("lr", 1.0, "step size η of the mirror ascent", positive)},
		Shape: func(in []sig.Shape, _ sig.Args) (sig.Shape, error) {
			for i, name := range []string{"supervised", "consistency"} {
				if !in[i].Equal(sig.Shape{sig.Batch}) {
					return nil, &sig.ArgError{Param: name, Msg: fmt.Sprintf("%s must be one loss per sample [B] (reduce: none), got %s", name, in[i])}
				}
			}
			return sig.Shape{}, nil
		}}, adawac)
}

// crossEntropy is the fused mean cross-entropy, or the per-sample form when smoothing,
// reduce: none or training-signal annealing need it.
func crossEntropy(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g, z, y := b.G, in[0], in[1]
	eps, tsa := a.Float("smoothing"), a.Str("tsa")
	if eps == 0 && tsa == "none" && a.Str("reduce") == "mean" {
		return g.SoftmaxCrossEntropy(z, y)
	}
	ce := ceRows(g, z, y)
	per := ce
	if eps > 0 {
		uniform := g.Neg(g.Mean(g.LogSoftmax(z, 1), 1))
		per = g.Add(g.Mul(ce, g.Const(float32(1-eps))), g.Mul(uniform, g.Const(float32(eps))))
	}
	if tsa == "none" {
		return reduce(g, per, a)
	}
	eta := b.Scalar(tsaThreshold{kind: tsa, until: a.Steps("tsa_until"), classes: z.Shape[1]})
	keep := g.Sub(g.Const(1), g.Greater(g.Sub(g.Exp(g.Neg(ce)), eta), 0)) // 1 where p(label) ≤ η_t
	b.Report("tsa_threshold", eta)
	b.Report("tsa_kept", g.MeanAll(keep))
	return g.Div(g.SumAll(g.Mul(per, keep)), g.Clamp(g.SumAll(keep), 1, math.MaxFloat32))
}

// tsaThreshold is UDA's annealing threshold η_t = α_t·(1 − 1/K) + 1/K (PAPERS.md L3).
type tsaThreshold struct {
	kind           string
	until, classes int
}

func (s tsaThreshold) At(step int) float64 {
	t := min(float64(step)/float64(max(s.until, 1)), 1)
	var alpha float64
	switch s.kind {
	case "linear":
		alpha = t
	case "exp":
		alpha = math.Exp((t - 1) * 5)
	case "log":
		alpha = 1 - math.Exp(-5*t)
	}
	k := float64(s.classes)
	return alpha*(1-1/k) + 1/k
}

func (s tsaThreshold) String() string {
	return fmt.Sprintf("tsa_%s(%d classes, until %d)", s.kind, s.classes, s.until)
}

// confident is 1 for each row whose largest probability exceeds the threshold argument.
func confident(b *Builder, probs *graph.Node, a Args) *graph.Node {
	g := b.G
	m := g.Greater(g.Sub(g.Max(probs, 1), b.Scalar(a.Scalar("threshold"))), 0)
	b.Report("mask_ratio", g.MeanAll(m))
	return m
}

func uda(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g := b.G
	weak := g.StopGrad(in[0])
	m := confident(b, g.Softmax(weak, 1), a)
	sharp := g.Mul(weak, g.Const(float32(1/a.Float("temperature"))))
	return reduce(g, g.Mul(klRows(g, sharp, in[1]), m), a)
}

func fixmatch(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g := b.G
	weak := g.StopGrad(in[0])
	m := confident(b, g.Softmax(weak, 1), a)
	ce := g.Neg(g.Sum(g.Mul(g.OneHotArgmax(weak), g.LogSoftmax(in[1], 1)), 1))
	return reduce(g, g.Mul(ce, m), a)
}

func elr(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g, z := b.G, in[0]
	beta, lambda := float32(a.Float("beta")), float32(a.Float("lambda"))
	p := g.Clamp(g.Softmax(z, 1), 1e-4, 1-1e-4)
	ps := g.StopGrad(p)
	phat := g.ScaleRows(ps, g.Div(g.Const(1), g.Sum(ps, 1)))
	old, commit := b.SampleState("target", z.Shape[1], 0)
	target := g.Add(g.Mul(old, g.Const(beta)), g.Mul(phat, g.Const(1-beta)))
	commit(target)
	reg := g.MeanAll(g.Log(g.Sub(g.Const(1), g.Sum(g.Mul(target, p), 1))))
	return g.Add(g.SoftmaxCrossEntropy(z, in[1]), g.Mul(reg, g.Const(lambda)))
}

// marginRows is c·1[k≠y] + z_k − z_y for each row of (normalised) logits z.
func marginRows(g *graph.Graph, z, y *graph.Node, c float32) *graph.Node {
	onehot := g.OneHot(y, z.Shape[1])
	zy := g.Sum(g.Mul(z, onehot), 1)
	return g.Add(g.AddRows(z, g.Neg(zy)), g.Mul(g.Sub(g.Const(1), onehot), g.Const(c)))
}

func ldr(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g := b.G
	lambda := float32(a.Float("lambda"))
	sp := g.Softplus(in[0])
	z := g.ScaleRows(sp, g.Div(g.Const(1), g.Mean(sp, 1)))
	d := marginRows(g, z, in[1], float32(a.Float("margin")))
	lse := logSumExpRows(g, g.Mul(d, g.Const(1/lambda)))
	return g.MeanAll(g.Mul(g.Sub(lse, g.Const(logK(z))), g.Const(lambda)))
}

func aldr(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g := b.G
	l0, alpha := float32(a.Float("lambda")), float32(a.Float("alpha"))
	k, lk := float32(in[0].Shape[1]), logK(in[0])
	z := g.ScaleRows(in[0], g.Div(g.Const(k), g.Add(g.Sum(g.Abs(in[0]), 1), g.Const(1e-12))))
	old, commit := b.SampleState("lambda", 0, l0)
	p := g.Add(g.Softmax(g.ScaleRows(g.StopGrad(z), g.Div(g.Const(1), old)), 1), g.Const(1e-5))
	p = g.ScaleRows(p, g.Div(g.Const(1), g.Sum(p, 1)))
	kl := g.Sum(g.Mul(p, g.Log(g.Mul(p, g.Const(k)))), 1)
	lam := g.Sub(g.Const(l0), g.Mul(kl, g.Const(l0/(alpha*lk))))
	commit(lam)
	b.Report("aldr_lambda", g.MeanAll(lam))
	extra := g.Mul(g.Square(g.Sub(lam, g.Const(l0))), g.Const(-alpha*lk/(2*l0)))
	d := marginRows(g, z, in[1], float32(a.Float("margin")))
	lse := logSumExpRows(g, g.ScaleRows(d, g.Div(g.Const(1), lam)))
	return g.MeanAll(g.Add(g.Mul(g.Sub(lse, g.Const(lk)), lam), extra))
}

// adawac keeps each sample's weights as the log-odds a_i = log(β_i⁰/β_i¹): the mirror
// step is then a_i += lr·(ℓ_sup,i − ℓ_AC,i) and β_i⁰ = sigmoid(a_i), which is the same
// update without the underflow of multiplying weights by exponentials step after step.
func adawac(b *Builder, in []*graph.Node, a Args) *graph.Node {
	g := b.G
	sup, cons := in[0], in[1]
	old, commit := b.SampleState("logodds", 0, 0)
	b.StateView("logodds", "beta0", func(a float32) float64 { return 1 / (1 + math.Exp(-float64(a))) })
	next := g.Add(old, g.Mul(g.StopGrad(g.Sub(sup, cons)), g.Const(float32(a.Float("lr")))))
	commit(next)
	w := g.Sigmoid(next)
	b.Report("adawac_beta0", g.MeanAll(w))
	return g.MeanAll(g.Add(g.Mul(w, sup), g.Mul(g.Sub(g.Const(1), w), cons)))
}
