package schedule

import (
	"fmt"
	"math"
)

// Warmup ramps linearly from 0 at step 0 to Then.At(Steps) at step Steps, and follows Then from
// Steps on, so the value is continuous at the switch. "warmup(1 epoch) then cosine(...)" is a
// Warmup whose Then is the cosine; whether the cosine's window starts at 0 or at Steps is the
// caller's choice. With Steps 0 it is Then at every step.
type Warmup struct {
	Steps int
	Then  Schedule
}

// At returns the value at step.
func (s Warmup) At(step int) float64 {
	switch {
	case step >= s.Steps || s.Steps <= 0:
		return s.Then.At(step)
	case step <= 0:
		return 0
	}
	return s.Then.At(s.Steps) * float64(step) / float64(s.Steps)
}

// String returns a form like "warmup(390) then cosine(0.1 -> 0, from 390 until 4680)".
func (s Warmup) String() string {
	return fmt.Sprintf("warmup(%d) then %v", s.Steps, s.Then)
}

// Then follows First before step Switch and Second from Switch on. Second sees the global step,
// not the step since Switch.
type Then struct {
	First  Schedule
	Switch int
	Second Schedule
}

// At returns the value at step.
func (s Then) At(step int) float64 {
	if step < s.Switch {
		return s.First.At(step)
	}
	return s.Second.At(step)
}

// String returns a form like "linear(0 -> 1, from 0 until 100) until 100 then 1".
func (s Then) String() string {
	return fmt.Sprintf("%v until %d then %v", s.First, s.Switch, s.Second)
}

// Binary combines two schedules step by step with Op, one of + - * /, as in the recipe
// expressions "0.5 * cosine(...)" and "a + b". A constant operand is a Constant. An unknown Op
// gives NaN (Validate reports it); division follows IEEE 754 (x/0 is ±Inf or NaN).
type Binary struct {
	Op   byte
	X, Y Schedule
}

// At returns X.At(step) Op Y.At(step).
func (s Binary) At(step int) float64 {
	x, y := s.X.At(step), s.Y.At(step)
	switch s.Op {
	case '+':
		return x + y
	case '-':
		return x - y
	case '*':
		return x * y
	case '/':
		return x / y
	}
	return math.NaN()
}

// String returns a form like "0.5 * cosine(0.1 -> 0, from 0 until 100)", with parentheses only
// where precedence needs them.
func (s Binary) String() string {
	p := precedence(s)
	x, y := s.X.String(), s.Y.String()
	if precedence(s.X) < p {
		x = "(" + x + ")"
	}
	if q := precedence(s.Y); q < p || q == p && (s.Op == '-' || s.Op == '/') {
		y = "(" + y + ")"
	}
	return x + " " + string(s.Op) + " " + y
}

// precedence is how tightly a schedule binds when printed as an operand: Warmup and Then are
// loosest, then + and -, then * and /, then single schedules.
func precedence(s Schedule) int {
	switch s := s.(type) {
	case Binary:
		if s.Op == '*' || s.Op == '/' {
			return 2
		}
		return 1
	case Warmup, Then:
		return 0
	}
	return 3
}

// Shift is a schedule whose own time starts at step Start: it gives S.At(step − Start),
// so a phase of a procedure can have a schedule of its own.
type Shift struct {
	S     Schedule
	Start int
}

// At returns S at the step counted from Start.
func (s Shift) At(step int) float64 { return s.S.At(step - s.Start) }

// String is S's form, with the start it is shifted to.
func (s Shift) String() string { return fmt.Sprintf("%s from step %d", s.S, s.Start) }
