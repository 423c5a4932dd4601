package roux

import (
	"fmt"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/runtime/tensor"
	"github.com/roux-ml/roux/runtime/train"
	"github.com/roux-ml/roux/stdlib"
)

// maskLayer returns the mask layer of a stored weight, creating it on first use when a
// mask selects the weight, or nil for an unmasked weight.
func (s *Session) maskLayer(p *tensor.Param) *mask.Layer {
	if lay, ok := s.layers[p.Name]; ok {
		return lay
	}
	for _, m := range s.recipe.Masks {
		for _, w := range m.Params {
			if w.Path == p.Name {
				lay := mask.NewLayer(p)
				s.layers[p.Name] = lay
				return lay
			}
		}
	}
	return nil
}

// buildMasks creates the recipe's masks once the weights exist, and registers them as
// training hooks.
func (s *Session) buildMasks() error {
	for i, m := range s.recipe.Masks {
		var layers []*mask.Layer
		for _, w := range m.Params {
			lay, ok := s.layers[w.Path]
			if !ok {
				return fmt.Errorf("%s: mask %s: %s is not used by the loss", m.Pos, m.Name, w.Path)
			}
			layers = append(layers, lay)
		}
		built, err := mask.New(s.maskSpec(m), layers, s.recipe.Train.Seed^uint64(i+1)<<32, s.slots)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Pos, err)
		}
		s.masks = append(s.masks, built)
		s.trainer.Hooks = append(s.trainer.Hooks, built)
	}
	return nil
}

// maskSpec converts a checked mask into its runtime form.
func (s *Session) maskSpec(m *check.Mask) mask.Spec {
	spec := mask.Spec{Name: m.Name}
	if m.Init != nil {
		in := s.maskPart(m.Init).(mask.Init)
		spec.Init = &in
	}
	if m.Sparsity != nil {
		spec.Target = s.scalar(m.Sparsity)
	}
	spec.Criterion = s.maskPart(m.Prune).(mask.Criterion)
	if m.Regrow != nil {
		r := s.maskPart(m.Regrow).(mask.Regrow)
		spec.Regrow = &r
	}
	spec.Pruned = s.maskPart(m.Pruned).(mask.Pruned)
	return spec
}

func (s *Session) maskPart(c *check.Call) any {
	e, _ := stdlib.Default.Entry(c.Sig.Name)
	return e.Mask(s.args(c))
}

// slots returns the optimizer state of a stored weight, for masks to keep in step.
func (s *Session) slots(p *tensor.Param) [][]float32 {
	var out [][]float32
	for _, g := range s.trainer.Update.Groups {
		for _, q := range g.Params {
			if q == p {
				for _, sl := range g.Opt.Slots(p) {
					out = append(out, sl.Value.Data)
				}
			}
		}
	}
	return out
}

// Masks are hooks of the trainer.
var _ train.Hook = (*mask.Mask)(nil)
