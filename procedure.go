package roux

import (
	"context"
	"fmt"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// runProcedure runs a recipe's procedure steps in order (PAPERS.md 2.8 P1–P3).
func (s *Session) runProcedure(ctx context.Context, h Hooks, steps []*check.Step) error {
	for _, st := range steps {
		if err := s.procStep(ctx, h, st); err != nil {
			return fmt.Errorf("%s: %s: %w", st.Pos, st.Op, err)
		}
	}
	return nil
}

func (s *Session) procStep(ctx context.Context, h Hooks, st *check.Step) error {
	step := s.trainer.Clock.Step
	switch st.Op {
	case "train":
		return s.trainPhase(ctx, h, st)
	case "save":
		s.snapshots[st.Name] = cloneValues(s.weights.order)
	case "rewind":
		return s.rewind(s.snapshots[st.Name])
	case "prune":
		m := s.maskNamed(st.Mask.Name)
		target := st.To
		if st.By > 0 {
			target = 1 - (1-m.Sparsity())*(1-st.By)
		}
		return m.PruneTo(target, step)
	case "unmask":
		return s.maskNamed(st.Mask.Name).Lift(step)
	case "harden":
		return s.maskNamed(st.Mask.Name).Harden(step)
	case "repeat":
		for range st.Count {
			if err := s.runProcedure(ctx, h, st.Body); err != nil {
				return err
			}
		}
	case "soup":
		return s.soup(ctx, h, st)
	}
	return nil
}

// trainPhase trains for a stretch of the run, with its own learning-rate schedule if
// the step gives one (its times count from the start of the phase).
func (s *Session) trainPhase(ctx context.Context, h Hooks, st *check.Step) error {
	n := check.Steps(st.Time, s.stepsPerEpoch, s.totalSteps)
	if st.LR != nil {
		saved, total := s.trainer.Update.LR, s.totalSteps
		s.totalSteps = n // "end" and "%" in the phase's schedule mean the phase's end
		s.trainer.Update.LR = schedule.Shift{S: s.scalar(st.LR), Start: s.trainer.Clock.Step}
		s.totalSteps = total
		defer func() { s.trainer.Update.LR = saved }()
	}
	return s.trainSteps(ctx, h, n)
}

func (s *Session) maskNamed(name string) *mask.Mask {
	for _, m := range s.masks {
		if m.Name == name {
			return m
		}
	}
	panic("roux: the checker let an undeclared mask through: " + name)
}

func cloneValues(ps []*tensor.Param) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(ps))
	for i, p := range ps {
		out[i] = p.Value.Clone()
	}
	return out
}

// rewind restores the weights of a snapshot, keeps the current masks, and restarts the
// optimizer's state, as in lottery-ticket weight rewinding (PAPERS.md P1).
func (s *Session) rewind(snap []*tensor.Tensor) error {
	for i, p := range s.weights.order {
		copy(p.Value.Data, snap[i].Data)
	}
	s.resetOptimizer()
	return s.settleMasks()
}

func (s *Session) settleMasks() error {
	for _, m := range s.masks {
		if err := m.Enforce(s.trainer.Clock.Step); err != nil {
			return err
		}
	}
	return nil
}

// resetOptimizer zeroes every optimizer slot and Adam's step counts.
func (s *Session) resetOptimizer() {
	for _, g := range s.trainer.Update.Groups {
		for _, p := range g.Params {
			for _, sl := range g.Opt.Slots(p) {
				clear(sl.Value.Data)
			}
			if c, ok := g.Opt.(optim.Counter); ok {
				c.SetCount(p, 0)
			}
		}
	}
}

// soupStart is what every ingredient of a soup starts from.
type soupStart struct {
	values     []*tensor.Tensor
	step       int
	paramSteps float64
}

// soup trains several copies from the same weights and masks, each with its own data
// order, and averages their weights uniformly (Sparse Model Soups, PAPERS.md P2). The
// masks do not change while a soup trains (the checker ensures it), so the average keeps
// every pruned weight at zero.
func (s *Session) soup(ctx context.Context, h Hooks, st *check.Step) error {
	start := soupStart{cloneValues(s.weights.order), s.trainer.Clock.Step, s.paramSteps}
	sum := make([][]float64, len(s.weights.order))
	for i := range sum {
		sum[i] = make([]float64, s.weights.order[i].Value.Size())
	}
	for k := range st.Count {
		if err := s.ingredient(ctx, h, st, start, k); err != nil {
			return err
		}
		for i, p := range s.weights.order {
			for j, v := range p.Value.Data {
				sum[i][j] += float64(v)
			}
		}
	}
	for i, p := range s.weights.order {
		for j := range p.Value.Data {
			p.Value.Data[j] = float32(sum[i][j] / float64(st.Count))
		}
	}
	s.resetOptimizer()
	if err := s.settleMasks(); err != nil {
		return err
	}
	return s.evalAll(h, "soup")
}

// ingredient trains the k-th copy of a soup from the soup's start.
func (s *Session) ingredient(ctx context.Context, h Hooks, st *check.Step, start soupStart, k int) error {
	for i, p := range s.weights.order {
		copy(p.Value.Data, start.values[i].Data)
	}
	s.trainer.Clock.Step, s.paramSteps = start.step, start.paramSteps
	s.resetOptimizer()
	if err := s.settleMasks(); err != nil {
		return err
	}
	tr := s.recipe.Train
	b := data.NewBatcher(s.data[s.recipe.Stream], s.recipe.DrawSize(s.recipe.Stream), true, tr.Seed+uint64(k+1)*0x9E3779B9)
	b.DropLast = tr.DropLast
	s.trainer.Batches = b
	s.phase = fmt.Sprintf("ingredient %d/%d", k+1, st.Count)
	defer func() { s.phase = "" }()
	return s.runProcedure(ctx, h, st.Body)
}
