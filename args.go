package roux

import (
	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/stdlib"
)

// args converts a checked call's arguments into what its implementation takes: times
// become step numbers, numbers-or-schedules become schedules, selectors their matches.
func (s *Session) args(c *check.Call) stdlib.Args {
	a := stdlib.Args{}
	for i, p := range c.Sig.Params {
		if v := c.Args[i]; v != nil && p.Type != sig.Tensor && p.Type != sig.Labels {
			if x := s.arg(p, v); x != nil {
				a[p.Name] = x
			}
		}
	}
	return a
}

// arg converts one argument value.
func (s *Session) arg(p sig.Param, v check.Value) any {
	switch p.Type {
	case sig.Scalar:
		return s.scalar(v)
	case sig.Time:
		return s.steps(v.(*check.Const).V.(sig.TimeValue))
	case sig.Range:
		r := v.(*check.Range)
		return [2]float64{constFloat(r.From), constFloat(r.To)}
	case sig.Selector:
		return v.(*check.Selector).Matches
	case sig.List:
		return s.list(p, v.(*check.List))
	}
	if k, ok := v.(*check.Const); ok {
		return k.V
	}
	return nil
}

func constFloat(v check.Value) float64 { return v.(*check.Const).V.(float64) }

func (s *Session) list(p sig.Param, l *check.List) any {
	if p.Elem == sig.Time {
		out := make([]int, len(l.Elems))
		for i, e := range l.Elems {
			out[i] = s.steps(e.(*check.Const).V.(sig.TimeValue))
		}
		return out
	}
	out := make([]float64, len(l.Elems))
	for i, e := range l.Elems {
		out[i] = constFloat(e)
	}
	return out
}

// steps converts a time to a step number of this run.
func (s *Session) steps(t sig.TimeValue) int {
	return check.Steps(t, s.stepsPerEpoch, s.totalSteps)
}

// scalar lowers a number or schedule expression.
func (s *Session) scalar(v check.Value) schedule.Schedule {
	switch v := v.(type) {
	case *check.Const:
		return schedule.Constant{Value: v.V.(float64)}
	case *check.ScheduleRef:
		return s.scalar(v.S.Value)
	case *check.Arith:
		return schedule.Binary{Op: v.Op[0], X: s.scalar(v.X), Y: s.scalar(v.Y)}
	case *check.Neg:
		return schedule.Binary{Op: '*', X: schedule.Constant{Value: -1}, Y: s.scalar(v.X)}
	case *check.Then:
		return s.then(v)
	case *check.Call:
		e, _ := stdlib.Default.Entry(v.Sig.Name)
		return e.Schedule(s.args(v))
	}
	panic("roux: not a schedule")
}

// then joins two schedules at the first one's end. After a warmup the second schedule
// is reached smoothly; a second schedule whose from was left out starts at the switch.
func (s *Session) then(v *check.Then) schedule.Schedule {
	first := v.First.(*check.Call)
	switchAt := s.endOf(first)
	second := s.startingAt(v.Second, switchAt)
	if first.Sig.Name == "warmup" {
		return schedule.Warmup{Steps: switchAt, Then: second}
	}
	return schedule.Then{First: s.scalar(first), Switch: switchAt, Second: second}
}

// endOf is the step at which a schedule with a duration or an until ends.
func (s *Session) endOf(c *check.Call) int {
	if t, ok := c.Const["duration"].(sig.TimeValue); ok {
		return s.steps(t)
	}
	return s.steps(c.Const["until"].(sig.TimeValue))
}

// startingAt lowers a schedule whose from, when left out, becomes step at.
func (s *Session) startingAt(v check.Value, at int) schedule.Schedule {
	c, ok := v.(*check.Call)
	if !ok {
		return s.scalar(v)
	}
	for i, p := range c.Sig.Params {
		if p.Name == "from" && !c.Given[i] {
			e, _ := stdlib.Default.Entry(c.Sig.Name)
			a := s.args(c)
			a["from"] = at
			return e.Schedule(a)
		}
	}
	return s.scalar(v)
}
