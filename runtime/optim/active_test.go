package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// TestActiveEntries checks that updating only a parameter's Active entries gives the
// same bits as updating all of them when the others are zero with zero gradients (a
// fixed mask's pruned weights), for every optimizer.
func TestActiveEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	opts := map[string]func() Optimizer{
		"sgd":      func() Optimizer { return &SGD{WeightDecay: 0.01} },
		"momentum": func() Optimizer { return &SGD{Momentum: 0.9, WeightDecay: 0.01} },
		"nesterov": func() Optimizer { return &SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 0.01} },
		"adam":     func() Optimizer { a := NewAdam(); a.WeightDecay = 0.01; return a },
		"adamw":    func() Optimizer { return NewAdamW() },
	}
	for name, mk := range opts {
		all, some := tensor.NewParam("w", 40), tensor.NewParam("w", 40)
		var active []int32
		for i := range 40 {
			if r.IntN(3) == 0 {
				active = append(active, int32(i))
				all.Value.Data[i] = r.Float32()*2 - 1
			}
		}
		copy(some.Value.Data, all.Value.Data)
		some.Active = active
		oa, os := mk(), mk()
		for range 5 {
			for _, i := range active {
				g := r.Float32()*2 - 1
				all.Grad.Data[i], some.Grad.Data[i] = g, g
			}
			oa.Step([]*tensor.Param{all}, 0.1)
			os.Step([]*tensor.Param{some}, 0.1)
		}
		for i := range 40 {
			if math.Float32bits(all.Value.Data[i]) != math.Float32bits(some.Value.Data[i]) {
				t.Fatalf("%s: entry %d is %v updating all, %v updating the active ones", name, i, all.Value.Data[i], some.Value.Data[i])
			}
		}
	}
}
