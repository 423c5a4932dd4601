package roux

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/runtime/sparse"
)

// MaskPlan is what a mask will do to one weight: its sparsity after the initial mask and
// its planned sparsity at 0%, 25%, 50%, 75% and 100% of the run, from the mask's schedule
// and the procedure's prune and unmask steps. With global magnitude pruning the plan
// gives the mask's overall sparsity, since the split between layers depends on the weights.
type MaskPlan struct {
	Mask    string
	Path    string
	Shape   []int
	Size    int
	Start   float64    // sparsity after the initial mask; NaN for an init registered from Go
	Targets [5]float64 // scheduled sparsity at 0, 25, 50, 75 and 100% of the run
	Rule    string     // what pruned weights do
	Regrow  string     // "", "set" or "rigl"
}

// Plan computes every masked weight's planned sparsity from the recipe alone, without
// loading data or training, so a user sees before a run whether the schedule reaches its
// target with the real step count.
func Plan(r *Recipe) ([]MaskPlan, error) {
	s := &Session{recipe: r, stepsPerEpoch: r.StepsPerEpoch(), totalSteps: r.TotalSteps()}
	var out []MaskPlan
	for _, m := range r.Masks {
		plans, err := s.maskPlan(m)
		if err != nil {
			return nil, err
		}
		out = append(out, plans...)
	}
	return out, nil
}

// planEvent is a procedure step that sets a mask's sparsity at a step of the run.
type planEvent struct {
	step     int
	sparsity float64
}

// procedureEvents walks a procedure without training and records, for one mask, the
// sparsity each of its prune and unmask steps leaves, starting from start.
func (s *Session) procedureEvents(steps []*check.Step, m *check.Mask, clock *int, sp *float64, out *[]planEvent) {
	for _, st := range steps {
		switch {
		case st.Op == "train":
			*clock += check.Steps(st.Time, s.stepsPerEpoch, s.totalSteps)
		case st.Op == "prune" && st.Mask == m && st.By > 0:
			*sp = 1 - (1-*sp)*(1-st.By)
		case st.Op == "prune" && st.Mask == m:
			*sp = st.To
		case st.Op == "unmask" && st.Mask == m:
			*sp = 0
		case st.Op == "repeat":
			for range st.Count {
				s.procedureEvents(st.Body, m, clock, sp, out)
			}
			continue
		case st.Op == "soup":
			s.procedureEvents(st.Body, m, clock, sp, out)
			continue
		default:
			continue
		}
		*out = append(*out, planEvent{*clock, *sp})
	}
}

func (s *Session) maskPlan(m *check.Mask) ([]MaskPlan, error) {
	spec := s.maskSpec(m)
	start, err := startSparsity(spec, m.Params)
	if err != nil {
		return nil, fmt.Errorf("%s: mask %s: %w", m.Pos, m.Name, err)
	}
	out := make([]MaskPlan, len(m.Params))
	for i, w := range m.Params {
		p := MaskPlan{Mask: m.Name, Path: w.Path, Shape: w.Shape, Size: size(w.Shape), Start: start[i], Rule: spec.Pruned.Rule}
		var events []planEvent
		clock, sp := 0, start[i]
		s.procedureEvents(s.recipe.Procedure, m, &clock, &sp, &events)
		for j := range p.Targets {
			at := s.totalSteps * j / 4
			p.Targets[j] = start[i]
			if spec.Target != nil {
				p.Targets[j] = spec.Target.At(at)
			}
			for _, e := range events {
				if e.step <= at {
					p.Targets[j] = e.sparsity
				}
			}
		}
		if spec.Regrow != nil {
			p.Regrow = spec.Regrow.Rule
		}
		out[i] = p
	}
	return out, nil
}

// startSparsity is each layer's sparsity after the initial mask.
func startSparsity(spec mask.Spec, ws []check.WeightPath) ([]float64, error) {
	out := make([]float64, len(ws))
	if spec.Target != nil {
		for i := range out {
			out[i] = spec.Target.At(0)
		}
	}
	in := spec.Init
	switch {
	case in == nil:
	case in.Custom != nil:
		for i := range out {
			out[i] = math.NaN() // known only once the init has run on the weights
		}
	case in.Kind == "random":
		shapes, stacks := make([][]int, len(ws)), make([]int, len(ws))
		for i, w := range ws {
			shapes[i], stacks[i] = w.Shape, w.Stack
		}
		dist := map[string]sparse.Distribution{"uniform": sparse.Uniform, "er": sparse.ER, "erk": sparse.ERK}[in.Distribution]
		d, err := sparse.StackedDensities(shapes, stacks, 1-in.Sparsity, dist, in.Power)
		if err != nil {
			return nil, err
		}
		for i, w := range ws {
			n := size(w.Shape)
			out[i] = 1 - float64(sparse.Count(n, d[i]))/float64(n)
		}
	case in.Kind == "nm":
		for i := range out {
			out[i] = 1 - float64(in.N)/float64(in.M)
		}
	default:
		for i := range out {
			out[i] = in.Sparsity
		}
	}
	return out, nil
}

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// PrintPlan writes the plan as a table.
func PrintPlan(w io.Writer, plans []MaskPlan, totalSteps int) {
	if len(plans) == 0 {
		return
	}
	fmt.Fprintf(w, "mask plan (%d steps):\n", totalSteps)
	fmt.Fprintf(w, "  %-8s %-20s %-12s %6s  %-34s %s\n", "mask", "parameter", "shape", "start", "target at 0/25/50/75/100%", "pruned")
	for _, p := range plans {
		t := make([]string, len(p.Targets))
		for i, v := range p.Targets {
			t[i] = planFigure(v)
		}
		rule := p.Rule
		if p.Regrow != "" {
			rule += ", regrow " + p.Regrow
		}
		fmt.Fprintf(w, "  %-8s %-20s %-12s %6s  %-34s %s\n", p.Mask, p.Path, fmt.Sprint(p.Shape), planFigure(p.Start), strings.Join(t, " "), rule)
	}
}

// planFigure prints a planned sparsity, or "?" when it is known only once training runs.
func planFigure(v float64) string {
	if math.IsNaN(v) {
		return "    ?"
	}
	return fmt.Sprintf("%.3f", v)
}
