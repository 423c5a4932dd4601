package optim

import "testing"

// The SGD trajectories use lr 0.1, weight decay 0.1 and, with momentum, mu 0.9, on w = [1, -2]
// with gradients [0.5, 0] then [-0.25, 0] (see twoStep). They agree with torch.optim.SGD.

func TestSGDPlainTwoSteps(t *testing.T) {
	// step 1: g = 0.5 + 0.1*1 = 0.6           w = 1 - 0.1*0.6 = 0.94
	//         g = 0 + 0.1*(-2) = -0.2         w = -2 + 0.02 = -1.98
	// step 2: g = -0.25 + 0.1*0.94 = -0.156   w = 0.94 + 0.0156 = 0.9556
	//         g = 0.1*(-1.98) = -0.198        w = -1.98 + 0.0198 = -1.9602
	_, w := twoStep(t, &SGD{WeightDecay: 0.1}, 0.1)
	checkClose(t, "step 1", w[0][:], 0.94, -1.98)
	checkClose(t, "step 2", w[1][:], 0.9556, -1.9602)
}

func TestSGDMomentumTwoSteps(t *testing.T) {
	// step 1: g = 0.6, buf = g = 0.6 (PyTorch copies g on the first step), w = 1 - 0.06 = 0.94
	//         g = -0.2, buf = -0.2, w = -2 + 0.02 = -1.98
	// step 2: g = -0.25 + 0.094 = -0.156, buf = 0.9*0.6 - 0.156 = 0.384, w = 0.94 - 0.0384 = 0.9016
	//         g = -0.198, buf = 0.9*(-0.2) - 0.198 = -0.378, w = -1.98 + 0.0378 = -1.9422
	opt := &SGD{Momentum: 0.9, WeightDecay: 0.1}
	p, w := twoStep(t, opt, 0.1)
	checkClose(t, "step 1", w[0][:], 0.94, -1.98)
	checkClose(t, "step 2", w[1][:], 0.9016, -1.9422)
	checkClose(t, "momentum", opt.Slots(p)[0].Value.Data, 0.384, -0.378)
}

func TestSGDNesterovTwoSteps(t *testing.T) {
	// step 1: g = 0.6, buf = 0.6, g = 0.6 + 0.9*0.6 = 1.14, w = 1 - 0.114 = 0.886
	//         g = -0.2, buf = -0.2, g = -0.2 - 0.18 = -0.38, w = -2 + 0.038 = -1.962
	// step 2: g = -0.25 + 0.0886 = -0.1614, buf = 0.54 - 0.1614 = 0.3786,
	//         g = -0.1614 + 0.9*0.3786 = 0.17934, w = 0.886 - 0.017934 = 0.868066
	//         g = 0.1*(-1.962) = -0.1962, buf = -0.18 - 0.1962 = -0.3762,
	//         g = -0.1962 - 0.33858 = -0.53478, w = -1.962 + 0.053478 = -1.908522
	opt := &SGD{Momentum: 0.9, WeightDecay: 0.1, Nesterov: true}
	p, w := twoStep(t, opt, 0.1)
	checkClose(t, "step 1", w[0][:], 0.886, -1.962)
	checkClose(t, "step 2", w[1][:], 0.868066, -1.908522)
	checkClose(t, "momentum", opt.Slots(p)[0].Value.Data, 0.3786, -0.3762)
}

// TestSGDMomentumFromZero: a momentum raised from 0 by a schedule starts with buf = g, as
// PyTorch's buffer does when it is first created.
func TestSGDMomentumFromZero(t *testing.T) {
	opt := &SGD{}
	p := param([]float32{1})
	p.Grad.Data[0] = 1
	opt.Step(paramsOf(p), 0.1) // w = 0.9, buffer untouched
	opt.Momentum = 0.9
	opt.Step(paramsOf(p), 0.1) // buf = 0.9*0 + 1 = 1, w = 0.8
	checkClose(t, "w", p.Value.Data, 0.8)
	checkClose(t, "momentum", opt.Slots(p)[0].Value.Data, 1)
}
