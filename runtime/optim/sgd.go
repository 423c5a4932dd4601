package optim

import "github.com/roux-ml/roux/runtime/tensor"

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

// Step applies one SGD update to every parameter that has a gradient.
func (o *SGD) Step(params []*tensor.Param, lr float32) {
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		w, g := p.Value.Data, p.Grad.Data
		switch {
		case o.Momentum == 0:
			sgdPlain(w, g, lr, o.WeightDecay)
		case o.Nesterov:
			sgdNesterov(w, g, o.Slots(p)[0].Value.Data, lr, o.Momentum, o.WeightDecay)
		default:
			sgdMomentum(w, g, o.Slots(p)[0].Value.Data, lr, o.Momentum, o.WeightDecay)
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

// sgdPlain is w -= lr*(g + wd*w).
func sgdPlain(w, g []float32, lr, wd float32) {
	g = g[:len(w)]
	for i, wi := range w {
		w[i] = wi - lr*(g[i]+wd*wi)
	}
}

// sgdMomentum is buf = mu*buf + (g + wd*w); w -= lr*buf.
func sgdMomentum(w, g, buf []float32, lr, mu, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	for i, wi := range w {
		b := mu*buf[i] + (g[i] + wd*wi)
		buf[i] = b
		w[i] = wi - lr*b
	}
}

// sgdNesterov is d = g + wd*w; buf = mu*buf + d; w -= lr*(d + mu*buf).
func sgdNesterov(w, g, buf []float32, lr, mu, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	for i, wi := range w {
		d := g[i] + wd*wi
		b := mu*buf[i] + d
		buf[i] = b
		w[i] = wi - lr*(d+mu*b)
	}
}
