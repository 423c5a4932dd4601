package optim

import (
	"math"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Adam is PyTorch's torch.optim.Adam: WeightDecay is an L2 penalty added to the gradient
// before the moments are updated, and both moments are bias-corrected:
//
//	g = grad + WeightDecay*w
//	m = Beta1*m + (1-Beta1)*g
//	v = Beta2*v + (1-Beta2)*g*g
//	w = w - lr/(1-Beta1^t) * m / (sqrt(v)/sqrt(1-Beta2^t) + Eps)
//
// where t counts the updates the parameter has received, starting at 1. Use NewAdam for
// PyTorch's defaults; the zero value has Beta1 = Beta2 = Eps = 0.
type Adam struct {
	Beta1, Beta2, Eps, WeightDecay float32

	moments
}

// NewAdam returns Adam with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay.
func NewAdam() *Adam {
	return &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// Step applies one Adam update to every parameter that has a gradient.
func (o *Adam) Step(params []*tensor.Param, lr float32) {
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		c := o.next(p, lr, o.Beta1, o.Beta2, o.Eps)
		adamUpdate(p.Value.Data, p.Grad.Data, p.Active, o.state[p], c, o.WeightDecay, 1)
	}
}

// AdamW is PyTorch's torch.optim.AdamW: weight decay is decoupled from the gradient,
// w = w*(1 - lr*WeightDecay), followed by the Adam update of the raw gradient (see Adam).
// Use NewAdamW for PyTorch's defaults; the zero value has Beta1 = Beta2 = Eps = 0.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float32

	moments
}

// NewAdamW returns AdamW with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01.
func NewAdamW() *AdamW {
	return &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
}

// Step applies one AdamW update to every parameter that has a gradient.
func (o *AdamW) Step(params []*tensor.Param, lr float32) {
	decay := float32(1 - float64(lr)*float64(o.WeightDecay))
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		c := o.next(p, lr, o.Beta1, o.Beta2, o.Eps)
		adamUpdate(p.Value.Data, p.Grad.Data, p.Active, o.state[p], c, 0, decay)
	}
}

// moments holds the per-parameter state Adam and AdamW share: the slots "m" and "v" and the
// update count t.
type moments struct {
	state map[*tensor.Param]*adamState
}

// adamState is one parameter's Adam state: its slots and its update count.
type adamState struct {
	slots []Slot // m, v
	t     int
}

// adamCoef holds the scalars of one Adam update, computed in float64 like PyTorch's Python
// floats and rounded once to float32.
type adamCoef struct {
	b1, b2   float32 // moment decay
	w1, w2   float32 // 1-b1, 1-b2
	stepSize float32 // lr / (1 - b1^t)
	bc2Sqrt  float32 // sqrt(1 - b2^t)
	eps      float32
}

// Slots returns the parameter's first and second moments, as the slots "m" and "v".
func (o *moments) Slots(p *tensor.Param) []Slot {
	return o.get(p).slots
}

// Count returns the number of updates p has received.
func (o *moments) Count(p *tensor.Param) int {
	return o.get(p).t
}

// SetCount sets the number of updates p has received, for restoring a checkpoint.
func (o *moments) SetCount(p *tensor.Param, n int) {
	o.get(p).t = n
}

// get returns p's state, allocating it on first use.
func (o *moments) get(p *tensor.Param) *adamState {
	if st, ok := o.state[p]; ok {
		return st
	}
	if o.state == nil {
		o.state = make(map[*tensor.Param]*adamState)
	}
	st := &adamState{slots: []Slot{{Name: "m", Value: zeroLike(p)}, {Name: "v", Value: zeroLike(p)}}}
	o.state[p] = st
	return st
}

// next counts one more update of p and returns the coefficients of that update.
func (o *moments) next(p *tensor.Param, lr, b1, b2, eps float32) adamCoef {
	st := o.get(p)
	st.t++
	t := float64(st.t)
	bc1 := 1 - math.Pow(float64(b1), t)
	bc2 := 1 - math.Pow(float64(b2), t)
	return adamCoef{
		b1: b1, b2: b2,
		w1: float32(1 - float64(b1)), w2: float32(1 - float64(b2)),
		stepSize: float32(float64(lr) / bc1),
		bc2Sqrt:  float32(math.Sqrt(bc2)),
		eps:      eps,
	}
}

// adamUpdate applies one Adam update to w from g, with L2 penalty wd added to the gradient
// (Adam) or after multiplying w by decay (AdamW; Adam passes decay 1, which changes
// nothing), at every entry or at those active lists.
func adamUpdate(w, g []float32, active []int32, st *adamState, c adamCoef, wd, decay float32) {
	m, v := st.slots[0].Value.Data, st.slots[1].Value.Data
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	if active == nil {
		for i, wi := range w {
			w[i], m[i], v[i] = c.rule(wi, g[i], m[i], v[i], wd, decay)
		}
		return
	}
	for _, i := range active {
		w[i], m[i], v[i] = c.rule(w[i], g[i], m[i], v[i], wd, decay)
	}
}

// rule is one entry's Adam update.
func (c *adamCoef) rule(w, g, m, v, wd, decay float32) (float32, float32, float32) {
	w *= decay
	if wd != 0 {
		g += wd * w
	}
	m = c.b1*m + c.w1*g
	v = c.b2*v + c.w2*g*g
	denom := sqrt32(v)/c.bc2Sqrt + c.eps
	return w - c.stepSize*m/denom, m, v // PyTorch: w + (-stepSize*m)/denom
}

// scale multiplies x by a in place.
func scale(x []float32, a float32) {
	for i := range x {
		x[i] *= a
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
