package roux

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/roux-ml/roux/runtime/checkpoint"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// ScheduleNames lists what Schedule accepts: the recipe's named schedules in declaration
// order, then optimizer.lr, then MASK.sparsity for every mask with a sparsity schedule.
func (s *Session) ScheduleNames() []string {
	var out []string
	for _, sc := range s.recipe.Schedules {
		out = append(out, sc.Name)
	}
	out = append(out, "optimizer.lr")
	for _, m := range s.recipe.Masks {
		if m.Sparsity != nil {
			out = append(out, m.Name+".sparsity")
		}
	}
	return out
}

// Schedule returns a schedule of the run by a name from ScheduleNames: a named schedule,
// the optimizer's learning rate (optimizer.lr) or a mask's target sparsity (MASK.sparsity).
func (s *Session) Schedule(name string) (schedule.Schedule, bool) {
	for _, sc := range s.recipe.Schedules {
		if sc.Name == name {
			return s.scalar(sc.Value), true
		}
	}
	if name == "optimizer.lr" {
		return s.trainer.Update.LR, true
	}
	for _, m := range s.recipe.Masks {
		if m.Sparsity != nil && name == m.Name+".sparsity" {
			return s.scalar(m.Sparsity), true
		}
	}
	return nil, false
}

// Mask returns the 0/1 entries of a masked weight's mask (1 active, 0 pruned), shaped
// like the weight, or nil if no mask covers the weight. The slice is the live mask: it
// changes as training prunes and regrows, and must not be written.
func (s *Session) Mask(path string) []float32 {
	if l, ok := s.layers[path]; ok {
		return l.Mask
	}
	return nil
}

// ProgramText is the compiled training program for the recipe's batch size as stable
// text (graph.Program.String): one line per leaf and instruction, with recipe positions.
func (s *Session) ProgramText() (string, error) {
	c, err := s.trainProgram(s.recipe.DrawSize(s.recipe.Stream))
	if err != nil {
		return "", err
	}
	return c.Prog.String(), nil
}

// TrainSteps runs n steps (at most the remaining ones), evaluating as the recipe's eval
// commands say and once more if the run reaches its end. It stops early, with ctx's error,
// when ctx is cancelled. Recipes with a procedure are refused: Train runs those whole.
func (s *Session) TrainSteps(ctx context.Context, h Hooks, n int) error {
	if s.recipe.Procedure != nil {
		return fmt.Errorf("the recipe has a procedure, which runs whole; use Train")
	}
	return s.trainSteps(ctx, h, min(n, s.totalSteps-s.trainer.Clock.Step))
}

// Continue restores a checkpoint of another recipe, as Load(dir, true) does, and then
// carries on where it stopped: the clock, N̄'s sum and the data position are restored
// too, so a setting changed mid-run takes effect from the checkpoint's step on.
func (s *Session) Continue(dir string) error {
	if err := s.Load(dir, true); err != nil {
		return err
	}
	c, err := checkpoint.Load(dir)
	if err != nil {
		return err
	}
	if c.Meta.Step > s.totalSteps {
		return fmt.Errorf("the checkpoint is at step %d but this recipe runs only %d steps", c.Meta.Step, s.totalSteps)
	}
	var st sessionState
	if err := json.Unmarshal(c.Meta.Extra["session"], &st); err != nil {
		return fmt.Errorf("%s: session state: %w", dir, err)
	}
	s.trainer.Clock.Step, s.paramSteps = c.Meta.Step, st.ParamSteps
	if err := s.setDataState(st); err != nil {
		return err
	}
	for _, m := range s.masks {
		if err := m.Enforce(c.Meta.Step); err != nil {
			return err
		}
	}
	return nil
}

// ScheduleOf lowers a named schedule of another compiled recipe with this session's run
// length, so a REPL can evaluate an expression written against the running recipe.
func (s *Session) ScheduleOf(r *Recipe, name string) (schedule.Schedule, bool) {
	tmp := &Session{recipe: r, stepsPerEpoch: s.stepsPerEpoch, totalSteps: s.totalSteps}
	for _, sc := range r.Schedules {
		if sc.Name == name {
			return tmp.scalar(sc.Value), true
		}
	}
	return nil, false
}

// TrainStats returns the training statistics averaged over the steps since the last
// evaluation, without resetting them: a loss mixture's (mask_ratio, adawac_beta0, ...)
// and a mixture-of-experts layer's ("net.h load[e]", "net.h gate_entropy", "net.h dropped").
// Evaluations report the same averages in EvalResult.Train.
func (s *Session) TrainStats() map[string]float64 { return s.stats.peek() }

// FormatStats prints training statistics sorted by name, "name value, name value".
func FormatStats(st map[string]float64) string {
	names := slices.Sorted(maps.Keys(st))
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s %.4f", k, st[k])
	}
	return strings.Join(parts, ", ")
}

// State returns non-trainable session state by path, or nil: a layer's running
// statistics (net.bn.running_mean), a per-sample loss's state (loss.elr.target,
// loss.adawac.logodds) or a mean teacher's weight (teacher.h1.weight).
func (s *Session) State(path string) *tensor.Tensor { return s.weights.states[path] }

// States lists the paths of the session's state in creation order.
func (s *Session) States() []string { return slices.Clone(s.weights.stateOf) }

// StateView returns the named reading a loss declared for per-sample state (AdaWAC's
// loss.adawac.beta0 of loss.adawac.logodds), or ok false.
func (s *Session) StateView(path string) (name string, of func(float32) float64, ok bool) {
	v, ok := s.stateViews[path]
	return v.path, v.of, ok
}

// StateGroups tells, for per-sample state on a data set with label noise, which rows are
// corrupted samples (for example to split AdaWAC's weights by group); nil otherwise.
func (s *Session) StateGroups(path string) []bool {
	d := s.sampleStates[path]
	if d == nil || s.data[d].TrueY == nil {
		return nil
	}
	ds := s.data[d]
	out := make([]bool, ds.Len())
	for i := range out {
		out[i] = ds.Corrupted(i)
	}
	return out
}
