package schedule

import (
	"fmt"
	"math"
	"strings"
)

// Exponential decays from From by a factor Rate every Every steps after Start:
// From * Rate^((step-Start)/Every). The decay is continuous unless Stepwise is set, in which case
// the exponent is floor((step-Start)/Every), as PyTorch's ExponentialLR stepped once per epoch
// (Every = steps per epoch). It is From before Start and has no end. The decay a*exp(-c*t) is
// Rate = exp(-c), Every = 1. An Every below 1 counts as 1 (Validate reports it).
type Exponential struct {
	From, Rate float64
	Every      int
	Start      int
	Stepwise   bool
}

// At returns the value at step.
func (s Exponential) At(step int) float64 {
	if step <= s.Start {
		return s.From
	}
	k := float64(step-s.Start) / float64(max(s.Every, 1))
	if s.Stepwise {
		k = math.Floor(k)
	}
	return s.From * math.Pow(s.Rate, k)
}

// String returns a form like "exponential(0.1, rate 0.5 every 100, from 0)", with ", stepwise"
// before the closing parenthesis when the decay is stepwise.
func (s Exponential) String() string {
	kind := ""
	if s.Stepwise {
		kind = ", stepwise"
	}
	return fmt.Sprintf("exponential(%s, rate %s every %d, from %d%s)", num(s.From), num(s.Rate), s.Every, s.Start, kind)
}

// Step multiplies Value by Factor every Every steps: Value * Factor^floor(step/Every), PyTorch's
// StepLR. It is Value before step 0; an Every below 1 never decays (Validate reports it).
type Step struct {
	Value, Factor float64
	Every         int
}

// At returns the value at step.
func (s Step) At(step int) float64 {
	if step <= 0 || s.Every < 1 {
		return s.Value
	}
	return s.Value * math.Pow(s.Factor, float64(step/s.Every))
}

// String returns a form like "step(0.1, factor 0.1 every 3000)".
func (s Step) String() string {
	return fmt.Sprintf("step(%s, factor %s every %d)", num(s.Value), num(s.Factor), s.Every)
}

// Piecewise is constant between boundaries: Values[0] before Boundaries[0], Values[i] on
// [Boundaries[i-1], Boundaries[i]), and the last value from the last boundary on (PyTorch's
// MultiStepLR with explicit values). It needs len(Values) == len(Boundaries)+1 and increasing
// boundaries; Validate checks both. A malformed Piecewise returns its last value past the end
// of Values, and NaN if it has no values.
type Piecewise struct {
	Boundaries []int
	Values     []float64
}

// At returns the value at step.
func (s Piecewise) At(step int) float64 {
	if len(s.Values) == 0 {
		return math.NaN()
	}
	i := 0
	for i < len(s.Boundaries) && step >= s.Boundaries[i] {
		i++
	}
	return s.Values[min(i, len(s.Values)-1)]
}

// String returns a form like "piecewise(0.1 until 100, 0.01 until 200, 0.001)".
func (s Piecewise) String() string {
	parts := make([]string, len(s.Values))
	for i, v := range s.Values {
		parts[i] = num(v)
		if i < len(s.Boundaries) {
			parts[i] += fmt.Sprintf(" until %d", s.Boundaries[i])
		}
	}
	return "piecewise(" + strings.Join(parts, ", ") + ")"
}
