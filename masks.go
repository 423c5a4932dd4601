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
				lay.Stack = w.Stack
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

// slots returns the optimizer state of a stored weight, for masks to keep in step. The
// optimizer's slot tensors keep their identity, so the list is built once per weight.
func (s *Session) slots(p *tensor.Param) [][]float32 {
	if out, ok := s.slotCache[p]; ok {
		return out
	}
	var out [][]float32
	for _, sl := range s.optimizerOf(p).Slots(p) {
		out = append(out, sl.Value.Data)
	}
	s.slotCache[p] = out
	return out
}

// Masks are hooks of the trainer, which a data-parallel step runs part by part.
var _ train.PartHook = (*mask.Mask)(nil)

// ParamSparsity is the realised sparsity of one weight, exactly as stored.
type ParamSparsity struct {
	Mask   string
	Path   string
	Shape  []int
	Size   int
	Active int // entries the mask keeps
	Zeros  int // exact zeros in the weight the program computes with
}

// Sparsity reports every masked weight's realised sparsity, in mask order.
func (s *Session) Sparsity() []ParamSparsity {
	var out []ParamSparsity
	for _, m := range s.masks {
		for i, l := range m.Layers {
			zeros := 0
			for _, v := range l.Effective.Value.Data {
				if v == 0 {
					zeros++
				}
			}
			out = append(out, ParamSparsity{Mask: m.Name, Path: l.Param.Name, Shape: l.Param.Value.Shape,
				Size: len(l.Mask), Active: m.Active()[i], Zeros: zeros})
		}
	}
	return out
}

// overallSparsity is the share of all masked entries that are pruned.
func (s *Session) overallSparsity() float64 {
	size, active := 0, 0
	for _, p := range s.Sparsity() {
		size, active = size+p.Size, active+p.Active
	}
	if size == 0 {
		return 0
	}
	return 1 - float64(active)/float64(size)
}

// activeParams counts the parameters in use: every unmasked entry plus the active
// entries of masked weights.
func (s *Session) activeParams() int {
	n := 0
	for _, p := range s.weights.order {
		if _, masked := s.layers[p.Name]; !masked {
			n += p.Value.Size()
		}
	}
	for _, m := range s.masks {
		for _, a := range m.Active() {
			n += a
		}
	}
	return n
}

// AvgParams is N̄, the average over the steps run so far of the number of parameters in
// use (PAPERS.md S1, "The Journey Matters"); before the first step it is the current count.
func (s *Session) AvgParams() float64 {
	if s.trainer.Clock.Step == 0 {
		return float64(s.activeParams())
	}
	return s.paramSteps / float64(s.trainer.Clock.Step)
}
