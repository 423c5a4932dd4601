package schedule

import (
	"errors"
	"fmt"
)

// Validate checks a schedule and every schedule inside it for a run of total steps: windows
// that end before they start or lie outside [0, total], periods below one step, a Piecewise
// whose lengths or boundaries do not fit, an unknown Binary operator, a missing (nil) schedule.
// A total of 0 or less means the length of the run is unknown and skips the upper bounds.
// All problems are returned, joined with errors.Join; nil means every window, period and
// operand is well formed (a Binary division may still meet a zero).
// Schedules of other types are accepted as they are.
func Validate(s Schedule, total int) error {
	if s == nil {
		return errors.New("missing schedule")
	}
	if c, ok := s.(checker); ok {
		return c.check(total)
	}
	return nil
}

// checker is implemented by the schedules of this package.
type checker interface {
	check(total int) error
}

func (s Constant) check(int) error { return nil }

func (s Linear) check(total int) error { return checkWindow("linear", s.Start, s.End, total) }

func (s Cosine) check(total int) error { return checkWindow("cosine", s.Start, s.End, total) }

func (s Cubic) check(total int) error { return checkWindow("cubic", s.Start, s.End, total) }

func (s Poly) check(total int) error {
	err := checkWindow("poly", s.Start, s.End, total)
	if s.Power <= 0 {
		err = errors.Join(err, fmt.Errorf("poly: power %s is not positive", num(s.Power)))
	}
	return err
}

func (s Exponential) check(total int) error {
	return errors.Join(
		checkPoint("exponential", "start", s.Start, total),
		checkEvery("exponential", s.Every),
		checkPositive("exponential", "rate", s.Rate))
}

func (s Step) check(int) error { return checkEvery("step", s.Every) }

func (s Piecewise) check(total int) error {
	var errs []error
	if len(s.Values) != len(s.Boundaries)+1 {
		errs = append(errs, fmt.Errorf("piecewise: %d values for %d boundaries, want %d",
			len(s.Values), len(s.Boundaries), len(s.Boundaries)+1))
	}
	for i, b := range s.Boundaries {
		if i > 0 && b <= s.Boundaries[i-1] {
			errs = append(errs, fmt.Errorf("piecewise: boundary %d is not after boundary %d", b, s.Boundaries[i-1]))
		}
		errs = append(errs, checkPoint("piecewise", "boundary", b, total))
	}
	return errors.Join(errs...)
}

func (s Warmup) check(total int) error {
	return errors.Join(checkPoint("warmup", "end", s.Steps, total), child("warmup", s.Then, total))
}

func (s Then) check(total int) error {
	return errors.Join(child("then", s.First, total), checkPoint("then", "switch", s.Switch, total),
		child("then", s.Second, total))
}

func (s Binary) check(total int) error {
	var err error
	switch s.Op {
	case '+', '-', '*', '/':
	default:
		err = fmt.Errorf("unknown operator %q between schedules", s.Op)
	}
	op := fmt.Sprintf("operand of %q", s.Op)
	return errors.Join(child(op, s.X, total), err, child(op, s.Y, total))
}

// child validates a schedule inside another one, naming the outer one if the inner is missing.
func child(outer string, s Schedule, total int) error {
	if s == nil {
		return fmt.Errorf("%s: missing schedule", outer)
	}
	return Validate(s, total)
}

// checkWindow checks 0 <= start <= end <= total.
func checkWindow(name string, start, end, total int) error {
	if end < start {
		return fmt.Errorf("%s: window ends at step %d before it starts at step %d", name, end, start)
	}
	return errors.Join(checkPoint(name, "start", start, total), checkPoint(name, "end", end, total))
}

// checkPoint checks 0 <= step <= total (total <= 0: no upper bound).
func checkPoint(name, what string, step, total int) error {
	switch {
	case step < 0:
		return fmt.Errorf("%s: %s at step %d is before the run starts", name, what, step)
	case total > 0 && step > total:
		return fmt.Errorf("%s: %s at step %d is after the run ends at step %d", name, what, step, total)
	}
	return nil
}

// checkEvery checks that a period is at least one step.
func checkEvery(name string, every int) error {
	if every < 1 {
		return fmt.Errorf("%s: period of %d steps, want at least 1", name, every)
	}
	return nil
}

// checkPositive checks that a parameter is positive.
func checkPositive(name, what string, v float64) error {
	if !(v > 0) {
		return fmt.Errorf("%s: %s %s is not positive", name, what, num(v))
	}
	return nil
}
