package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// TestSGDStepPartIsStep checks that StepPart over every part, in any order, gives
// Step's weights and momentum bit for bit, for plain, momentum and Nesterov SGD with
// weight decay, on lengths that do not divide into blocks of 16, and on a parameter
// that lists its active entries (a masked weight: only those change).
func TestSGDStepPartIsStep(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var active []int32
	for j := range int32(70001) {
		if r.IntN(10) == 0 {
			active = append(active, j)
		}
	}
	params := func() []*tensor.Param {
		var ps []*tensor.Param
		for i, n := range []int{1, 17, 100, 70001, 70001} {
			p := tensor.NewParam(string(rune('a'+i)), n)
			for j := range p.Value.Data {
				p.Value.Data[j], p.Grad.Data[j] = float32(r.NormFloat64()), float32(r.NormFloat64())
			}
			ps = append(ps, p)
		}
		ps[4].Active = active
		return ps
	}
	for _, o := range []SGD{{WeightDecay: 1e-4}, {Momentum: 0.9, WeightDecay: 1e-4}, {Momentum: 0.9, Nesterov: true, WeightDecay: 1e-4}} {
		whole, parted := params(), params()
		for i := range whole {
			copy(parted[i].Value.Data, whole[i].Value.Data)
			copy(parted[i].Grad.Data, whole[i].Grad.Data)
		}
		a, b := o, o
		for range 3 {
			a.Step(whole, 0.05)
			if !b.Ranged(parted) {
				t.Fatal("Ranged refuses the parameters")
			}
			for _, part := range []int{2, 0, 1} {
				b.StepPart(parted, 0.05, part, 3)
			}
		}
		for i, p := range whole {
			q := parted[i]
			for j := range p.Value.Data {
				if math.Float32bits(p.Value.Data[j]) != math.Float32bits(q.Value.Data[j]) ||
					math.Float32bits(a.Slots(p)[0].Value.Data[j]) != math.Float32bits(b.Slots(q)[0].Value.Data[j]) {
					t.Fatalf("%+v: %s[%d] differs: %v vs %v", o, p.Name, j, p.Value.Data[j], q.Value.Data[j])
				}
			}
		}
	}
}

// TestPartRange covers n entries with parts that start on multiples of 16.
func TestPartRange(t *testing.T) {
	for _, n := range []int{0, 5, 16, 100, 70001} {
		for _, parts := range []int{1, 2, 3, 7} {
			next := 0
			for part := range parts {
				lo, hi := PartRange(n, part, parts)
				if lo != next || hi < lo || (part < parts-1 && lo%16 != 0) {
					t.Fatalf("n %d, %d parts: part %d is [%d, %d) after %d", n, parts, part, lo, hi, next)
				}
				next = hi
			}
			if next != n {
				t.Fatalf("n %d, %d parts end at %d", n, parts, next)
			}
		}
	}
}
