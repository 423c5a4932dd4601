package schedule

import (
	"strings"
	"testing"
)

func TestValidateAcceptsGoodSchedules(t *testing.T) {
	good := []Schedule{
		Constant{1}, Linear{0, 1, 0, 4680}, Cosine{0.1, 0, 468, 4680}, Cubic{0, 0.9, 1170, 3510},
		Poly{1, 0, 2, 0, 4680}, Exponential{From: 1, Rate: 0.9, Every: 468}, Step{0.1, 0.1, 1000},
		Piecewise{[]int{1000, 2000}, []float64{0.1, 0.01, 0.001}}, Linear{1, 3, 5, 5},
		Warmup{468, Cosine{0.1, 0, 0, 4680}},
		Then{Linear{0, 1, 0, 100}, 100, Binary{'*', Constant{0.5}, Cosine{1, 0, 100, 4680}}},
	}
	for _, s := range good {
		if err := Validate(s, 4680); err != nil {
			t.Errorf("Validate(%v) = %v", s, err)
		}
	}
	if err := Validate(Cosine{0.1, 0, 0, 1e6}, 0); err != nil {
		t.Errorf("unknown total: %v", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cases := []struct {
		s    Schedule
		want []string
	}{
		{Cosine{0.1, 0, 100, 50}, []string{"cosine: window ends at step 50 before it starts at step 100"}},
		{Linear{0, 1, -1, 10}, []string{"linear: start at step -1 is before the run starts"}},
		{Cubic{0, 0.9, 0, 5000}, []string{"cubic: end at step 5000 is after the run ends at step 4680"}},
		{Poly{1, 0, 0, 0, 10}, []string{"poly: power 0 is not positive"}},
		{Exponential{From: 1, Rate: 0, Every: 0}, []string{"exponential: period of 0 steps", "exponential: rate 0 is not positive"}},
		{Step{1, 0.5, 0}, []string{"step: period of 0 steps, want at least 1"}},
		{Piecewise{[]int{100, 200}, []float64{1, 2}}, []string{"piecewise: 2 values for 2 boundaries, want 3"}},
		{Piecewise{[]int{200, 100}, []float64{1, 2, 3}}, []string{"piecewise: boundary 100 is not after boundary 200"}},
		{Piecewise{[]int{100, 100}, []float64{1, 2, 3}}, []string{"piecewise: boundary 100 is not after boundary 100"}},
		{Piecewise{[]int{-1, 9000}, []float64{1, 2, 3}}, []string{"piecewise: boundary at step -1", "piecewise: boundary at step 9000 is after"}},
		{Warmup{9000, nil}, []string{"warmup: end at step 9000 is after the run ends at step 4680", "warmup: missing schedule"}},
		{Then{Cosine{1, 0, 10, 5}, 5000, Step{1, 1, 0}}, []string{"cosine: window ends", "then: switch at step 5000", "step: period"}},
		{Binary{'%', Constant{1}, nil}, []string{`unknown operator '%'`, "operand of '%': missing schedule"}},
		{nil, []string{"missing schedule"}},
	}
	for _, k := range cases {
		err := Validate(k.s, 4680)
		if err == nil {
			t.Errorf("Validate(%v) = nil, want %q", k.s, k.want)
			continue
		}
		for _, w := range k.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Validate(%v) = %q, want it to mention %q", k.s, err, w)
			}
		}
	}
}

// TestValidSchedulesAreFinite: a schedule that passes Validate is a number at every step,
// including the extremes of int.
func TestValidSchedulesAreFinite(t *testing.T) {
	all := []Schedule{
		Linear{0, 1, 0, 10}, Cosine{0.1, 0, 0, 10}, Cubic{0, 0.9, 2, 8}, Poly{1, 0, 0.5, 0, 10},
		Exponential{From: 1, Rate: 0.5, Every: 1}, Step{1, 0.5, 1}, Piecewise{[]int{5}, []float64{1, 2}},
		Warmup{5, Cosine{1, 0, 0, 10}}, Then{Constant{1}, 5, Constant{2}}, Binary{'/', Constant{1}, Constant{4}},
	}
	for _, s := range all {
		if err := Validate(s, 10); err != nil {
			t.Fatalf("Validate(%v) = %v", s, err)
		}
		for _, step := range []int{-1 << 62, -1, 0, 1, 5, 9, 10, 11, 1 << 62} {
			if v := s.At(step); v != v {
				t.Errorf("%v at step %d is NaN", s, step)
			}
		}
	}
}
