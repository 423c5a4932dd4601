package optim

import (
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

func paramsOf(p ...*tensor.Param) []*tensor.Param { return p }

// The Adam trajectories use lr 0.1, betas (0.9, 0.999), eps 1e-8 and weight decay 0.1 on
// w = [1, -2] with gradients [0.5, 0] then [-0.25, 0] (see twoStep). Bias corrections:
// step 1: 1-0.9 = 0.1 and 1-0.999 = 0.001; step 2: 1-0.81 = 0.19 and 1-0.998001 = 0.001999.
// eps is below float32 resolution here. They agree with torch.optim.Adam and AdamW.

func TestAdamTwoSteps(t *testing.T) {
	// step 1: g = 0.5 + 0.1*1 = 0.6, m = 0.06, v = 0.001*0.36 = 0.00036,
	//         m/0.1 = 0.6, sqrt(v/0.001) = 0.6, w = 1 - 0.1*0.6/0.6 = 0.9
	//         g = 0.1*(-2) = -0.2: the same with the sign flipped, w = -2 + 0.1 = -1.9
	// step 2: g = -0.25 + 0.09 = -0.16, m = 0.054 - 0.016 = 0.038,
	//         v = 0.999*0.00036 + 0.001*0.0256 = 0.00038524,
	//         w = 0.9 - 0.1*(0.038/0.19)/sqrt(0.00038524/0.001999) = 0.9 - 0.02/0.4389947 = 0.8544414
	//         g = -0.19, m = -0.018 - 0.019 = -0.037, v = 0.00003996 + 0.0000361 = 0.00007606,
	//         w = -1.9 + 0.1*(0.037/0.19)/sqrt(0.00007606/0.001999) = -1.9 + 0.0998335 = -1.8001665
	opt := &Adam{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	p, w := twoStep(t, opt, 0.1)
	checkClose(t, "step 1", w[0][:], 0.9, -1.9)
	checkClose(t, "step 2", w[1][:], 0.8544414, -1.8001665)
	checkClose(t, "m", opt.Slots(p)[0].Value.Data, 0.038, -0.037)
	checkClose(t, "v", opt.Slots(p)[1].Value.Data, 0.00038524, 0.00007606)
	if n := opt.Count(p); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
}

func TestAdamWTwoSteps(t *testing.T) {
	// step 1: w = 1*(1 - 0.1*0.1) = 0.99, then g = 0.5, m = 0.05, v = 0.00025,
	//         w = 0.99 - 0.1*(0.05/0.1)/sqrt(0.00025/0.001) = 0.99 - 0.1 = 0.89
	//         w = -2*0.99 = -1.98, g = 0 leaves m = v = 0 and the update 0/(0+eps) = 0
	// step 2: w = 0.89*0.99 = 0.8811, g = -0.25, m = 0.045 - 0.025 = 0.02,
	//         v = 0.999*0.00025 + 0.001*0.0625 = 0.00031225,
	//         w = 0.8811 - 0.1*(0.02/0.19)/sqrt(0.00031225/0.001999) = 0.8811 - 0.0266336 = 0.8544664
	//         w = -1.98*0.99 = -1.9602
	opt := &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	p, w := twoStep(t, opt, 0.1)
	checkClose(t, "step 1", w[0][:], 0.89, -1.98)
	checkClose(t, "step 2", w[1][:], 0.8544664, -1.9602)
	checkClose(t, "m", opt.Slots(p)[0].Value.Data, 0.02, 0)
	checkClose(t, "v", opt.Slots(p)[1].Value.Data, 0.00031225, 0)
}

// TestAdamVersusAdamWWeightDecay: with a zero gradient, Adam's L2 term is normalised like any
// gradient (a full lr-sized step towards 0), AdamW's decay only shrinks w by lr*wd.
func TestAdamVersusAdamWWeightDecay(t *testing.T) {
	a, aw := NewAdam(), NewAdamW()
	a.WeightDecay, aw.WeightDecay = 0.1, 0.1
	pa, pw := param([]float32{1}), param([]float32{1})
	a.Step(paramsOf(pa), 0.1)
	aw.Step(paramsOf(pw), 0.1)
	checkClose(t, "Adam", pa.Value.Data, 0.9)   // 1 - 0.1 * 0.1/0.1 / sqrt(0.01*0.001/0.001)
	checkClose(t, "AdamW", pw.Value.Data, 0.99) // 1 * (1 - 0.1*0.1)
}

// TestAdamEqualsAdamWWithoutDecay: the two differ only in weight decay.
func TestAdamEqualsAdamWWithoutDecay(t *testing.T) {
	_, a := twoStep(t, NewAdam(), 0.1)
	_, aw := twoStep(t, &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, 0.1)
	if a != aw {
		t.Errorf("Adam %v != AdamW without decay %v", a, aw)
	}
}

// TestAdamResume: restoring the slots and the count into a new optimizer continues the
// trajectory bit for bit.
func TestAdamResume(t *testing.T) {
	grads := []float32{0.5, -0.25, 0.125, 1}
	run := func(opt *Adam, p *tensor.Param, from, to int) {
		for k := from; k < to; k++ {
			p.Grad.Data[0] = grads[k]
			opt.Step(paramsOf(p), 0.01)
		}
	}
	whole, p := NewAdam(), param([]float32{1})
	run(whole, p, 0, 4)

	first, q := NewAdam(), param([]float32{1})
	run(first, q, 0, 2)
	resumed := NewAdam()
	for i, s := range resumed.Slots(q) {
		copy(s.Value.Data, first.Slots(q)[i].Value.Data)
	}
	resumed.SetCount(q, first.Count(q))
	run(resumed, q, 2, 4)
	if p.Value.Data[0] != q.Value.Data[0] {
		t.Errorf("resumed run ends at %v, uninterrupted at %v", q.Value.Data[0], p.Value.Data[0])
	}
}

var _ Counter = (*Adam)(nil)
var _ Counter = (*AdamW)(nil)
