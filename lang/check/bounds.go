package check

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/syntax"
)

// span is the set of values a schedule can take over training: from lo to hi, each end
// included unless marked open (exponential(1, rate: 0.5) comes ever closer to 0 but
// stays above it). A schedule's parameter check (a temperature must be positive) holds
// at every step when it holds at both ends, since the checks accept intervals.
type span struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

// point is the span of a constant.
func point(v float64) span { return span{lo: v, hi: v} }

// hull is the smallest span holding a and b.
func hull(a, b span) span {
	s := a
	if b.lo < s.lo || (b.lo == s.lo && !b.loOpen) {
		s.lo, s.loOpen = b.lo, b.loOpen
	}
	if b.hi > s.hi || (b.hi == s.hi && !b.hiOpen) {
		s.hi, s.hiOpen = b.hi, b.hiOpen
	}
	return s
}

// ends returns the values a check must accept for every value of s to pass: the
// ends, moved inside by the smallest step where they are open.
func (s span) ends() (lo, hi float64) {
	lo, hi = s.lo, s.hi
	if s.loOpen {
		lo = math.Nextafter(lo, math.Inf(1))
	}
	if s.hiOpen {
		hi = math.Nextafter(hi, math.Inf(-1))
	}
	return lo, hi
}

func (s span) String() string {
	return fmt.Sprintf("%s to %s", constText(s.lo), constText(s.hi))
}

// valueSpan returns the span of a number or schedule expression, or false when it cannot
// be bounded at check time (a division by a schedule that may be 0).
func valueSpan(v Value) (span, bool) {
	switch v := v.(type) {
	case *Const:
		f, ok := v.V.(float64)
		return point(f), ok
	case *Range:
		a, okA := valueSpan(v.From)
		b, okB := valueSpan(v.To)
		return hull(a, b), okA && okB
	case *ScheduleRef:
		return valueSpan(v.S.Value)
	case *Neg:
		s, ok := valueSpan(v.X)
		return span{lo: -s.hi, hi: -s.lo, loOpen: s.hiOpen, hiOpen: s.loOpen}, ok
	case *Then:
		a, okA := valueSpan(v.First)
		if c, ok := v.First.(*Call); ok && c.Sig.Name == "warmup" {
			a = point(0) // a warmup rises from 0 to where the second schedule starts
		}
		b, okB := valueSpan(v.Second)
		return hull(a, b), okA && okB
	case *Arith:
		return arithSpan(v)
	case *Call:
		return scheduleSpan(v)
	}
	return span{}, false
}

// scheduleSpan bounds a schedule of the catalogue.
func scheduleSpan(c *Call) (span, bool) {
	num := func(name string) float64 { f, _ := c.Const[name].(float64); return f }
	switch c.Sig.Name {
	case "constant":
		return point(num("value")), true
	case "linear", "cosine", "cubic": // each moves monotonically between its range's ends
		return valueSpan(c.Arg("range"))
	case "warmup": // from 0 up to 1, or to the schedule it leads into (Then)
		return span{lo: 0, hi: 1}, true
	case "exponential":
		return geometricSpan(num("value"), num("rate"))
	case "step":
		return geometricSpan(num("value"), num("factor"))
	case "piecewise":
		values, _ := c.Const["values"].([]any)
		var s span
		for i, v := range values {
			f, ok := v.(float64)
			if !ok {
				return span{}, false
			}
			if i == 0 {
				s = point(f)
			}
			s = hull(s, point(f))
		}
		return s, len(values) > 0
	}
	return span{}, false
}

// geometricSpan bounds value·r^k over k = 0, 1, 2, …
func geometricSpan(value, r float64) (span, bool) {
	switch {
	case value == 0 || r == 1:
		return point(value), true
	case r == 0:
		return hull(point(value), point(0)), true
	case r > 1:
		return hull(point(value), point(math.Copysign(math.Inf(1), value))), true
	case r > 0: // shrinks toward 0 without reaching it
		if value > 0 {
			return span{lo: 0, hi: value, loOpen: true}, true
		}
		return span{lo: value, hi: 0, hiOpen: true}, true
	case r >= -1: // alternates in sign, shrinking
		return hull(point(value), point(value*r)), true
	}
	return span{lo: math.Inf(-1), hi: math.Inf(1)}, true
}

// arithSpan bounds x op y by interval arithmetic.
func arithSpan(v *Arith) (span, bool) {
	x, okX := valueSpan(v.X)
	y, okY := valueSpan(v.Y)
	if !okX || !okY {
		return span{}, false
	}
	switch v.Op {
	case "+":
		return span{lo: x.lo + y.lo, hi: x.hi + y.hi, loOpen: x.loOpen || y.loOpen, hiOpen: x.hiOpen || y.hiOpen}, true
	case "-":
		return span{lo: x.lo - y.hi, hi: x.hi - y.lo, loOpen: x.loOpen || y.hiOpen, hiOpen: x.hiOpen || y.loOpen}, true
	case "*":
		return productSpan(x, y), true
	case "/":
		if y.lo < 0 && y.hi > 0 || y.lo == 0 && !y.loOpen || y.hi == 0 && !y.hiOpen {
			return span{}, false // the divisor may be 0
		}
		return productSpan(x, span{lo: 1 / y.hi, hi: 1 / y.lo, loOpen: y.hiOpen, hiOpen: y.loOpen}), true
	}
	return span{}, false
}

// productSpan bounds the products of a value of x and a value of y: the extremes are
// products of ends, open when either end is.
func productSpan(x, y span) span {
	type end struct {
		v    float64
		open bool
	}
	xs := []end{{x.lo, x.loOpen}, {x.hi, x.hiOpen}}
	ys := []end{{y.lo, y.loOpen}, {y.hi, y.hiOpen}}
	var s span
	first := true
	for _, a := range xs {
		for _, b := range ys {
			p := a.v * b.v
			if math.IsNaN(p) { // 0 · ∞: the finite side decides
				p = 0
			}
			q := span{lo: p, hi: p, loOpen: a.open || b.open, hiOpen: a.open || b.open}
			if first {
				s, first = q, false
				continue
			}
			s = hull(s, q)
		}
	}
	return s
}

// inRange reports whether every value the number or schedule v (written as e) can
// take passes check, and reports an error naming what when one does not; why, if
// not empty, ends the message.
func (c *checker) inRange(e syntax.Expr, v Value, what string, check func(any) string, why string) bool {
	s, ok := valueSpan(v)
	if !ok {
		return true // not bounded at check time
	}
	lo, hi := s.ends()
	msg := check(lo)
	if msg == "" {
		msg = check(hi)
	}
	if msg == "" {
		return true
	}
	if _, isConst := v.(*Const); !isConst {
		msg += ", since this schedule runs from " + s.String()
	}
	c.errorf(e.Pos(), "%s %s%s", what, msg, why)
	return false
}
