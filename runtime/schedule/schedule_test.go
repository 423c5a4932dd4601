package schedule

import (
	"math"
	"testing"
)

// point is one expected value of a schedule.
type point struct {
	step int
	want float64
}

// checkPoints compares s.At with the expected values, within 1e-15 relative (the values are
// written as decimals, the schedules compute in float64).
func checkPoints(t *testing.T, s Schedule, points ...point) {
	t.Helper()
	for _, p := range points {
		got := s.At(p.step)
		if math.Abs(got-p.want) > 1e-15*math.Max(1, math.Abs(p.want)) || math.IsNaN(got) {
			t.Errorf("%v at step %d = %.17g, want %.17g", s, p.step, got, p.want)
		}
	}
}

// checkExact requires bit-exact values: the ends of windows and the switch points.
func checkExact(t *testing.T, s Schedule, points ...point) {
	t.Helper()
	for _, p := range points {
		if got := s.At(p.step); got != p.want {
			t.Errorf("%v at step %d = %.17g, want exactly %.17g", s, p.step, got, p.want)
		}
	}
}

func TestConstant(t *testing.T) {
	checkExact(t, Constant{0.1}, point{math.MinInt, 0.1}, point{0, 0.1}, point{math.MaxInt, 0.1})
}

func TestLinear(t *testing.T) {
	down := Linear{From: 1, To: 0, Start: 100, End: 200}
	checkExact(t, down, point{math.MinInt, 1}, point{0, 1}, point{100, 1}, point{200, 0}, point{math.MaxInt, 0})
	checkPoints(t, down, point{125, 0.75}, point{150, 0.5}, point{175, 0.25}, point{110, 0.9})
	up := Linear{From: 0.1, To: 0.3, Start: 0, End: 4}
	checkExact(t, up, point{0, 0.1}, point{4, 0.3})
	checkPoints(t, up, point{1, 0.15}, point{2, 0.2}, point{3, 0.25})
}

// TestEmptyWindowIsAJump: with Start == End the value jumps at Start.
func TestEmptyWindowIsAJump(t *testing.T) {
	for _, s := range []Schedule{Linear{1, 3, 5, 5}, Cosine{1, 3, 5, 5}, Cubic{1, 3, 5, 5}, Poly{1, 3, 2, 5, 5}} {
		checkExact(t, s, point{4, 1}, point{5, 3}, point{6, 3})
	}
}

func TestCosine(t *testing.T) {
	s := Cosine{From: 0.1, To: 0, Start: 0, End: 100}
	checkExact(t, s, point{-1, 0.1}, point{0, 0.1}, point{50, 0.05}, point{100, 0}, point{101, 0})
	// 0.1*(1 ± cos(pi/4))/2 = 0.05 ± 0.05*0.70710678118654757
	checkPoints(t, s, point{25, 0.085355339059327379}, point{75, 0.014644660940672624})
	// From below To: the same curve upside down.
	up := Cosine{From: 0, To: 2, Start: 10, End: 20}
	checkExact(t, up, point{10, 0}, point{15, 1}, point{20, 2})
}

// TestCubicZhuGupta uses the test vector of PAPERS.md S1: from 0 to 0.9 over 25%..75% of a
// 1000-step run gives 0 at 25%, 0.52 at 37.5%, 0.787 at 50%, 0.886 at 62.5%, 0.9 at 75%
// (those are the exact 0.5203125 = 0.9*(1-0.75^3), 0.7875 = 0.9*(1-0.5^3) and
// 0.8859375 = 0.9*(1-0.25^3), rounded).
func TestCubicZhuGupta(t *testing.T) {
	s := Cubic{From: 0, To: 0.9, Start: 250, End: 750}
	checkExact(t, s, point{0, 0}, point{250, 0}, point{750, 0.9}, point{1000, 0.9})
	checkPoints(t, s, point{375, 0.5203125}, point{500, 0.7875}, point{625, 0.8859375})
	for _, p := range []point{{375, 0.52}, {500, 0.787}, {625, 0.886}} {
		if got := s.At(p.step); math.Abs(got-p.want) > 1e-3 {
			t.Errorf("cubic at %d = %v, PAPERS.md S1 gives %v", p.step, got, p.want)
		}
	}
}

// TestCubicReachesTargetExactly: the last step of the window is the target, bit for bit, for
// windows of every length (no accumulated rounding).
func TestCubicReachesTargetExactly(t *testing.T) {
	for end := 1; end < 200; end += 7 {
		s := Cubic{From: 0.05, To: 0.9, Start: 0, End: end}
		checkExact(t, s, point{end, 0.9}, point{end + 1, 0.9}, point{0, 0.05})
		if v := s.At(end - 1); !(v < 0.9) {
			t.Errorf("%v at step %d = %v, want below 0.9", s, end-1, v)
		}
	}
}

func TestPoly(t *testing.T) {
	s := Poly{From: 1, To: 0, Power: 2, Start: 0, End: 10}
	checkExact(t, s, point{0, 1}, point{10, 0})
	checkPoints(t, s, point{5, 0.25}, point{8, 0.04})
	lin := Poly{From: 1, To: 0, Power: 1, Start: 0, End: 8}
	for step := -2; step < 12; step++ {
		checkPoints(t, lin, point{step, Linear{1, 0, 0, 8}.At(step)})
	}
}

func TestExponential(t *testing.T) {
	s := Exponential{From: 1, Rate: 0.5, Every: 10, Start: 100}
	checkExact(t, s, point{0, 1}, point{100, 1}, point{110, 0.5}, point{120, 0.25})
	checkPoints(t, s, point{105, 0.70710678118654757}, point{115, 0.35355339059327379})
	s.Stepwise = true
	checkExact(t, s, point{105, 1}, point{109, 1}, point{110, 0.5}, point{119, 0.5}, point{120, 0.25})
}

func TestStep(t *testing.T) {
	s := Step{Value: 1, Factor: 0.5, Every: 30}
	checkExact(t, s, point{-5, 1}, point{0, 1}, point{29, 1}, point{30, 0.5}, point{59, 0.5}, point{60, 0.25}, point{90, 0.125})
	checkPoints(t, Step{Value: 0.1, Factor: 0.1, Every: 30}, point{30, 0.01}, point{60, 0.001})
}

func TestPiecewise(t *testing.T) {
	s := Piecewise{Boundaries: []int{100, 200}, Values: []float64{0.1, 0.01, 0.001}}
	checkExact(t, s, point{math.MinInt, 0.1}, point{99, 0.1}, point{100, 0.01}, point{199, 0.01},
		point{200, 0.001}, point{math.MaxInt, 0.001})
	checkExact(t, Piecewise{Values: []float64{7}}, point{0, 7}, point{1000, 7})
}

// TestMalformedPiecewiseDoesNotPanic: At is defined even where Validate fails.
func TestMalformedPiecewiseDoesNotPanic(t *testing.T) {
	short := Piecewise{Boundaries: []int{10, 20}, Values: []float64{1, 2}}
	checkExact(t, short, point{0, 1}, point{15, 2}, point{25, 2})
	if v := (Piecewise{Boundaries: []int{10}}).At(0); !math.IsNaN(v) {
		t.Errorf("piecewise without values = %v, want NaN", v)
	}
}

func TestWarmup(t *testing.T) {
	s := Warmup{Steps: 10, Then: Linear{From: 1, To: 0, Start: 10, End: 110}}
	checkExact(t, s, point{-3, 0}, point{0, 0}, point{10, 1}, point{60, 0.5}, point{110, 0}, point{200, 0})
	checkPoints(t, s, point{5, 0.5}, point{1, 0.1}, point{9, 0.9})
	if got := (Warmup{Steps: 0, Then: Constant{3}}).At(0); got != 3 {
		t.Errorf("warmup(0) at 0 = %v, want 3", got)
	}
}

// TestWarmupContinuity: the ramp ends on the value the next schedule starts from, whether the
// cosine's window starts at 0 or at the end of the warmup.
func TestWarmupContinuity(t *testing.T) {
	for _, then := range []Schedule{Cosine{0.1, 0, 0, 4680}, Cosine{0.1, 0, 468, 4680}, Step{0.1, 0.1, 100}} {
		s := Warmup{Steps: 468, Then: then}
		if s.At(468) != then.At(468) {
			t.Errorf("%v at the switch = %v, want %v", s, s.At(468), then.At(468))
		}
		if jump := s.At(468) - s.At(467); jump < 0 || jump > 1.01*then.At(468)/468 {
			t.Errorf("%v jumps by %v at the switch", s, jump)
		}
	}
}

func TestThen(t *testing.T) {
	s := Then{First: Constant{1}, Switch: 50, Second: Linear{From: 0.5, To: 0, Start: 0, End: 100}}
	// Second sees the global step: at 50 it is halfway through its own window.
	checkExact(t, s, point{0, 1}, point{49, 1}, point{50, 0.25}, point{100, 0})
}

func TestBinary(t *testing.T) {
	cos := Cosine{From: 0.1, To: 0, Start: 0, End: 100}
	lin := Linear{From: 0, To: 1, Start: 0, End: 100}
	checkPoints(t, Binary{'*', Constant{0.5}, cos}, point{0, 0.05}, point{50, 0.025}, point{100, 0})
	checkPoints(t, Binary{'+', lin, cos}, point{0, 0.1}, point{50, 0.55}, point{100, 1})
	checkPoints(t, Binary{'-', lin, Constant{1}}, point{0, -1}, point{50, -0.5})
	checkPoints(t, Binary{'/', cos, Constant{4}}, point{0, 0.025})
	if v := (Binary{'%', lin, cos}).At(0); !math.IsNaN(v) {
		t.Errorf("unknown operator gives %v, want NaN", v)
	}
}

// TestMonotone samples each schedule over a range around its window.
func TestMonotone(t *testing.T) {
	falling := []Schedule{
		Linear{1, 0, 10, 90}, Cosine{0.1, 0, 10, 90}, Cubic{0.9, 0, 10, 90}, Poly{1, 0.1, 0.5, 10, 90},
		Exponential{From: 1, Rate: 0.9, Every: 3, Start: 10}, Exponential{From: 1, Rate: 0.9, Every: 3, Stepwise: true},
		Step{1, 0.5, 7}, Piecewise{[]int{20, 50}, []float64{3, 2, 1}},
		Warmup{Steps: 0, Then: Cosine{0.1, 0, 0, 100}}, Binary{'*', Constant{2}, Cosine{1, 0, 0, 100}},
	}
	rising := []Schedule{
		Linear{0, 1, 10, 90}, Cosine{0, 1, 10, 90}, Cubic{0, 0.9, 10, 90}, Exponential{From: 1, Rate: 1.1, Every: 5},
		Warmup{Steps: 100, Then: Constant{0.1}}, Then{Linear{0, 1, 0, 50}, 50, Constant{1}},
	}
	for _, s := range falling {
		checkMonotone(t, s, -1)
	}
	for _, s := range rising {
		checkMonotone(t, s, 1)
	}
}

func checkMonotone(t *testing.T, s Schedule, sign float64) {
	t.Helper()
	prev := s.At(-5)
	for step := -4; step <= 120; step++ {
		v := s.At(step)
		if (v-prev)*sign < 0 {
			t.Errorf("%v is not monotone at step %d: %v after %v", s, step, v, prev)
			return
		}
		prev = v
	}
}

func TestString(t *testing.T) {
	cos := Cosine{From: 0.1, To: 0, Start: 0, End: 4680}
	a, b, c := Constant{1}, Linear{0, 1, 0, 10}, Constant{2}
	cases := []struct {
		s    Schedule
		want string
	}{
		{cos, "cosine(0.1 -> 0, from 0 until 4680)"},
		{Constant{2.5e-4}, "0.00025"},
		{Linear{0, 1, 0, 100}, "linear(0 -> 1, from 0 until 100)"},
		{Cubic{0, 0.9, 250, 750}, "cubic(0 -> 0.9, from 250 until 750)"},
		{Poly{1, 0, 2, 0, 100}, "poly(1 -> 0, power 2, from 0 until 100)"},
		{Exponential{From: 0.1, Rate: 0.5, Every: 100}, "exponential(0.1, rate 0.5 every 100, from 0)"},
		{Exponential{From: 1, Rate: 0.9, Every: 468, Start: 10, Stepwise: true}, "exponential(1, rate 0.9 every 468, from 10, stepwise)"},
		{Step{0.1, 0.1, 3000}, "step(0.1, factor 0.1 every 3000)"},
		{Piecewise{[]int{100, 200}, []float64{0.1, 0.01, 0.001}}, "piecewise(0.1 until 100, 0.01 until 200, 0.001)"},
		{Warmup{390, Cosine{0.1, 0, 390, 4680}}, "warmup(390) then cosine(0.1 -> 0, from 390 until 4680)"},
		{Then{Linear{0, 1, 0, 100}, 100, Constant{1}}, "linear(0 -> 1, from 0 until 100) until 100 then 1"},
		{Binary{'*', Constant{0.5}, cos}, "0.5 * cosine(0.1 -> 0, from 0 until 4680)"},
		{Binary{'*', Binary{'+', a, b}, c}, "(1 + linear(0 -> 1, from 0 until 10)) * 2"},
		{Binary{'+', Binary{'*', a, b}, c}, "1 * linear(0 -> 1, from 0 until 10) + 2"},
		{Binary{'-', a, Binary{'-', c, a}}, "1 - (2 - 1)"},
		{Binary{'-', Binary{'-', a, c}, a}, "1 - 2 - 1"},
		{Binary{'/', a, Binary{'*', c, a}}, "1 / (2 * 1)"},
		{Binary{'*', c, Warmup{5, a}}, "2 * (warmup(5) then 1)"},
	}
	for _, k := range cases {
		if got := k.s.String(); got != k.want {
			t.Errorf("String() = %q, want %q", got, k.want)
		}
	}
}

func TestClock(t *testing.T) {
	c := Clock{Step: 702, StepsPerEpoch: 468, TotalSteps: 4680}
	if c.Epoch() != 1.5 || c.Fraction() != 0.15 {
		t.Errorf("%+v: epoch %v fraction %v, want 1.5 and 0.15", c, c.Epoch(), c.Fraction())
	}
	if z := (Clock{}); z.Epoch() != 0 || z.Fraction() != 0 {
		t.Errorf("zero clock: epoch %v fraction %v, want 0 and 0", z.Epoch(), z.Fraction())
	}
	if end := (Clock{Step: 4680, StepsPerEpoch: 468, TotalSteps: 4680}); end.Epoch() != 10 || end.Fraction() != 1 {
		t.Errorf("end of run: epoch %v fraction %v", end.Epoch(), end.Fraction())
	}
}
