package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/schedule"
)

func rangeP(doc string) sig.Param { return sig.Param{Name: "range", Type: sig.Range, Doc: doc} }

// window registers a schedule that moves across a range between from and until.
func window(name, doc string, from, until sig.TimeValue, make func(a, b float64, s, e int) schedule.Schedule) {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: name, Kind: sig.Schedule, Doc: doc,
			Params: []sig.Param{rangeP("start and end values, like 0.1 -> 0"),
				timeP("from", from, "when the change starts"), timeP("until", until, "when the change ends")}},
		Schedule: func(a Args) schedule.Schedule {
			x, y := a.Range("range")
			return make(x, y, a.Steps("from"), a.Steps("until"))
		},
	})
}

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "constant", Kind: sig.Schedule, Doc: "The same value all the time.",
			Params: []sig.Param{numP("value", nil, "the value", nil)}},
		Schedule: func(a Args) schedule.Schedule { return schedule.Constant{Value: a.Float("value")} },
	})
	window("linear", "Straight line from the first value to the second between from and until.", start, end,
		func(a, b float64, s, e int) schedule.Schedule {
			return schedule.Linear{From: a, To: b, Start: s, End: e}
		})
	window("cosine", "Half cosine from the first value to the second between from and until.", start, end,
		func(a, b float64, s, e int) schedule.Schedule {
			return schedule.Cosine{From: a, To: b, Start: s, End: e}
		})
	window("cubic", "Gradual pruning's cubic curve (Zhu & Gupta): fast change early, flat at the end; PAPERS.md S1.",
		sig.TimeValue{Amount: 25, Unit: "%"}, sig.TimeValue{Amount: 75, Unit: "%"},
		func(a, b float64, s, e int) schedule.Schedule {
			return schedule.Cubic{From: a, To: b, Start: s, End: e}
		})
	registerDecays()
}

func registerDecays() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "exponential", Kind: sig.Schedule,
			Doc: "value·rate^k after k periods of every (PyTorch's ExponentialLR with every: 1 epoch).",
			Params: []sig.Param{numP("value", nil, "the starting value", nil), numP("rate", nil, "factor per period", positive),
				timeP("every", sig.TimeValue{Amount: 1, Unit: "epochs"}, "length of one period"),
				boolP("smooth", false, "decay continuously instead of once per period")}},
		Schedule: func(a Args) schedule.Schedule {
			return schedule.Exponential{From: a.Float("value"), Rate: a.Float("rate"), Every: max(a.Steps("every"), 1), Stepwise: !a.Bool("smooth")}
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "step", Kind: sig.Schedule, Doc: "value·factor^⌊t/every⌋ (PyTorch's StepLR).",
			Params: []sig.Param{numP("value", nil, "the starting value", nil), numP("factor", 0.1, "factor applied at each period", nil),
				timeP("every", nil, "length of one period, like 10 epochs")}},
		Schedule: func(a Args) schedule.Schedule {
			return schedule.Step{Value: a.Float("value"), Factor: a.Float("factor"), Every: max(a.Steps("every"), 1)}
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "piecewise", Kind: sig.Schedule, Doc: "values[i] between the times at[i-1] and at[i].",
			Params: []sig.Param{{Name: "values", Type: sig.List, Elem: sig.Number, Doc: "the values, one more than the times"},
				{Name: "at", Type: sig.List, Elem: sig.Time, Doc: "the times at which the value changes"}},
			Check: checkPiecewise},
		Schedule: func(a Args) schedule.Schedule {
			return schedule.Piecewise{Boundaries: a.StepList("at"), Values: a.Floats("values")}
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "warmup", Kind: sig.Schedule,
			Doc:    "Rises linearly from 0 over duration; write warmup(d) then s to rise to s's value and continue with s.",
			Params: []sig.Param{timeP("duration", nil, "how long the warmup lasts")}},
		Schedule: func(a Args) schedule.Schedule {
			return schedule.Warmup{Steps: a.Steps("duration"), Then: schedule.Constant{Value: 1}}
		},
	})
}

func checkPiecewise(a sig.Args) error {
	values, _ := a["values"].([]any)
	at, _ := a["at"].([]any)
	if len(values) != len(at)+1 {
		return &sig.ArgError{Param: "values", Msg: fmt.Sprintf("needs one value more than there are times: %d values for %d times", len(values), len(at))}
	}
	for _, v := range values {
		if _, ok := v.(float64); !ok {
			return &sig.ArgError{Param: "values", Msg: "values must be numbers"}
		}
	}
	for _, t := range at {
		if _, ok := t.(sig.TimeValue); !ok {
			return &sig.ArgError{Param: "at", Msg: "at must list times, like [10 epochs, 20 epochs]"}
		}
	}
	return nil // the checker orders the times once it knows the run's steps per epoch
}
