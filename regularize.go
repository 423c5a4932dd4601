package roux

import (
	"github.com/roux-ml/roux/runtime/regularize"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
	"github.com/roux-ml/roux/stdlib"
)

// penalty is one regularize declaration bound to its weights.
type penalty struct {
	p        regularize.Penalty
	strength schedule.Schedule
	params   []*tensor.Param
	masks    [][]float32 // the restricting mask of each weight, or nil
}

// regularizers is a training hook: gradient penalties after the masks have made the
// optimizer's gradient, proximal ones after the update (and after the masks' invariants).
type regularizers struct {
	s    *Session
	pens []penalty
}

// buildRegularizers binds the recipe's regularize declarations.
func (s *Session) buildRegularizers() {
	var pens []penalty
	for _, r := range s.recipe.Regularizers {
		e, _ := stdlib.Default.Entry(r.Penalty.Sig.Name)
		a := s.args(r.Penalty)
		pen := penalty{p: e.Regularize(a), strength: a.Scalar("strength")}
		for _, w := range r.Params {
			p := s.weights.byPath[w.Path]
			pen.params = append(pen.params, p)
			var m []float32
			if r.PrunedBy != nil {
				m = s.layers[w.Path].Mask
			}
			pen.masks = append(pen.masks, m)
		}
		pens = append(pens, pen)
	}
	if len(pens) > 0 {
		s.trainer.Hooks = append(s.trainer.Hooks, &regularizers{s: s, pens: pens})
	}
}

func (h *regularizers) AfterBackward() {
	step := h.s.trainer.Clock.Step
	for _, pen := range h.pens {
		if pen.p.Grad == nil {
			continue
		}
		lambda := float32(pen.strength.At(step))
		for i, p := range pen.params {
			pen.p.Grad(p.Grad.Data, p.Value.Data, pen.masks[i], lambda)
		}
	}
}

func (h *regularizers) AfterUpdate(step int) error {
	lr := h.s.trainer.Update.LR.At(step - 1) // the step just taken
	for _, pen := range h.pens {
		if pen.p.Prox == nil {
			continue
		}
		t := float32(lr * pen.strength.At(step-1))
		for i, p := range pen.params {
			pen.p.Prox(p.Value.Data, p.Value.Shape, pen.masks[i], t)
		}
	}
	return nil
}
