package optim

import (
	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// SGD is stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight
// decay, with PyTorch's torch.optim.SGD semantics (dampening 0):
//
//	g = grad + WeightDecay*w
//	buf = Momentum*buf + g          (buf = g on the first step)
//	g = g + Momentum*buf  if Nesterov, else g = buf
//	w = w - lr*g
//
// With Momentum 0 the buffer is left untouched and g is applied directly. The zero value is
// plain SGD. The momentum buffer starts at zero, which makes the first update buf = g exactly
// as PyTorch's copy does; so a momentum that a schedule raises from 0 later starts cleanly.
// Slots always has the one slot "momentum", whatever Momentum is, so a checkpoint's layout does
// not depend on a hyperparameter's current value.
type SGD struct {
	Momentum    float32
	WeightDecay float32
	Nesterov    bool

	state map[*tensor.Param][]Slot
}

// Step applies one SGD update to every parameter that has a gradient, at its Active
// entries when it lists them.
func (o *SGD) Step(params []*tensor.Param, lr float32) {
	for _, p := range params {
		if p.Grad != nil {
			o.update(p, lr, 0, len(p.Value.Data), p.Active)
		}
	}
}

// update applies the rule to entries [lo, hi) of p, or to its entries listed in
// active (indexes into the whole parameter) when active is not nil.
func (o *SGD) update(p *tensor.Param, lr float32, lo, hi int, active []int32) {
	w, g := p.Value.Data[lo:hi], p.Grad.Data[lo:hi]
	switch {
	case o.Momentum == 0:
		sgdPlain(w, g, active, lr, o.WeightDecay)
	case o.Nesterov:
		sgdNesterov(w, g, o.Slots(p)[0].Value.Data[lo:hi], active, lr, o.Momentum, o.WeightDecay)
	default:
		sgdMomentum(w, g, o.Slots(p)[0].Value.Data[lo:hi], active, lr, o.Momentum, o.WeightDecay)
	}
}

// Ranged reports that StepPart can update params. It creates the momentum buffers
// StepPart will use, so that parts can run at once.
func (o *SGD) Ranged(params []*tensor.Param) bool {
	for _, p := range params {
		o.Slots(p)
	}
	return true
}

// StepPart applies the update of Step to entries PartRange(len, part, parts) of every
// parameter: parts calls with part = 0 … parts−1, on as many cores, are one Step, bit
// for bit, each core updating the entries whose gradients it summed. Ranged must have
// accepted params (it creates the state the parts then only read).
func (o *SGD) StepPart(params []*tensor.Param, lr float32, part, parts int) {
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		lo, hi := PartRange(len(p.Value.Data), part, parts)
		if p.Active != nil {
			o.update(p, lr, 0, len(p.Value.Data), p.ActiveIn(lo, hi))
		} else {
			o.update(p, lr, lo, hi, nil)
		}
	}
}

// Slots returns the parameter's momentum buffer, as the single slot "momentum".
func (o *SGD) Slots(p *tensor.Param) []Slot {
	if s, ok := o.state[p]; ok {
		return s
	}
	if o.state == nil {
		o.state = make(map[*tensor.Param][]Slot)
	}
	s := []Slot{{Name: "momentum", Value: zeroLike(p)}}
	o.state[p] = s
	return s
}

// The update rules run over every entry, or over the entries active lists; each loop
// applies one per-entry rule, which the compiler inlines.

// sgdPlain is w -= lr*(g + wd*w).
func sgdPlain(w, g []float32, active []int32, lr, wd float32) {
	g = g[:len(w)]
	if active == nil {
		for i, wi := range w {
			w[i] = wi - lr*(g[i]+wd*wi)
		}
		return
	}
	for _, i := range active {
		w[i] -= lr * (g[i] + wd*w[i])
	}
}

// sgdMomentum is buf = mu*buf + (g + wd*w); w -= lr*buf.
func sgdMomentum(w, g, buf []float32, active []int32, lr, mu, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	if active == nil {
		kernels.SGDMomentum(w, g, buf, lr, mu, wd)
		return
	}
	for _, i := range active {
		w[i], buf[i] = momentumRule(w[i], g[i], buf[i], lr, mu, wd)
	}
}

func momentumRule(w, g, buf, lr, mu, wd float32) (float32, float32) {
	b := mu*buf + (g + wd*w)
	return w - lr*b, b
}

// sgdNesterov is d = g + wd*w; buf = mu*buf + d; w -= lr*(d + mu*buf).
func sgdNesterov(w, g, buf []float32, active []int32, lr, mu, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	if active == nil {
		for i, wi := range w {
			w[i], buf[i] = nesterovRule(wi, g[i], buf[i], lr, mu, wd)
		}
		return
	}
	for _, i := range active {
		w[i], buf[i] = nesterovRule(w[i], g[i], buf[i], lr, mu, wd)
	}
}

func nesterovRule(w, g, buf, lr, mu, wd float32) (float32, float32) {
	d := g + wd*w
	b := mu*buf + d
	return w - lr*(d+mu*b), b
}
