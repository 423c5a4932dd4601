package schedule

import "math"

// Linear moves linearly from From at step Start to To at step End; it is From before Start and
// To from End on.
type Linear struct {
	From, To   float64
	Start, End int
}

// At returns the value at step.
func (s Linear) At(step int) float64 {
	t, inside := progress(step, s.Start, s.End)
	if !inside {
		return ends(t, s.From, s.To)
	}
	return s.From + (s.To-s.From)*t
}

// String returns a form like "linear(0 -> 1, from 0 until 100)".
func (s Linear) String() string { return ramp("linear", s.From, s.To, s.Start, s.End, "") }

// Cosine follows a half cosine from From at step Start to To at step End,
// To + (From-To)*(1+cos(pi*t))/2 with t = (step-Start)/(End-Start) (PyTorch's
// CosineAnnealingLR, SGDR without restarts); it is From before Start and To from End on.
type Cosine struct {
	From, To   float64
	Start, End int
}

// At returns the value at step.
func (s Cosine) At(step int) float64 {
	t, inside := progress(step, s.Start, s.End)
	if !inside {
		return ends(t, s.From, s.To)
	}
	return s.To + (s.From-s.To)*(1+math.Cos(math.Pi*t))/2
}

// String returns a form like "cosine(0.1 -> 0, from 0 until 4680)".
func (s Cosine) String() string { return ramp("cosine", s.From, s.To, s.Start, s.End, "") }

// Poly decays polynomially from From at step Start to To at step End,
// To + (From-To)*(1-t)^Power with t = (step-Start)/(End-Start) (PyTorch's PolynomialLR when To
// is 0); it is From before Start and To from End on. Power 1 is Linear, Power 3 is Cubic.
type Poly struct {
	From, To   float64
	Power      float64
	Start, End int
}

// At returns the value at step.
func (s Poly) At(step int) float64 {
	return polyAt(s.From, s.To, s.Power, step, s.Start, s.End)
}

// String returns a form like "poly(1 -> 0, power 2, from 0 until 100)".
func (s Poly) String() string {
	return ramp("poly", s.From, s.To, s.Start, s.End, ", power "+num(s.Power))
}

// Cubic is the sparsity schedule of gradual magnitude pruning (Zhu & Gupta 2017):
// To + (From-To)*(1-t)^3 with t = (step-Start)/(End-Start), fast at first and flat at the end;
// it is From before Start and To from End on.
type Cubic struct {
	From, To   float64
	Start, End int
}

// At returns the value at step.
func (s Cubic) At(step int) float64 {
	return polyAt(s.From, s.To, 3, step, s.Start, s.End)
}

// String returns a form like "cubic(0 -> 0.9, from 250 until 750)".
func (s Cubic) String() string { return ramp("cubic", s.From, s.To, s.Start, s.End, "") }

// polyAt is To + (From-To)*(1-t)^power inside [start, end], from before and to after.
func polyAt(from, to, power float64, step, start, end int) float64 {
	t, inside := progress(step, start, end)
	if !inside {
		return ends(t, from, to)
	}
	return to + (from-to)*math.Pow(1-t, power)
}

// progress returns how far step is through the window [start, end], t in [0, 1], and whether
// step is strictly inside it. A window with start == end is a jump at start.
func progress(step, start, end int) (t float64, inside bool) {
	switch {
	case step >= end:
		return 1, false
	case step <= start:
		return 0, false
	}
	return float64(step-start) / float64(end-start), true
}

// ends returns from at t = 0 and to at t = 1, exactly.
func ends(t, from, to float64) float64 {
	if t == 0 {
		return from
	}
	return to
}
