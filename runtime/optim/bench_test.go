package optim

import (
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// lenet returns the parameters of LeNet-300-100 (266,610 weights) with nonzero gradients.
func lenet() []*tensor.Param {
	shapes := [][]int{{784, 300}, {300}, {300, 100}, {100}, {100, 10}, {10}}
	ps := make([]*tensor.Param, len(shapes))
	for i, s := range shapes {
		ps[i] = tensor.NewParam("p", s...)
		for j := range ps[i].Grad.Data {
			ps[i].Grad.Data[j] = float32(j%7-3) * 1e-3
		}
	}
	return ps
}

func benchmarkStep(b *testing.B, opt Optimizer) {
	ps := lenet()
	opt.Step(ps, 1e-3)
	b.SetBytes(4 * 266610)
	b.ResetTimer()
	for range b.N {
		opt.Step(ps, 1e-3)
	}
}

func BenchmarkSGD(b *testing.B)      { benchmarkStep(b, &SGD{}) }
func BenchmarkMomentum(b *testing.B) { benchmarkStep(b, &SGD{Momentum: 0.9, WeightDecay: 5e-4}) }
func BenchmarkNesterov(b *testing.B) { benchmarkStep(b, &SGD{Momentum: 0.9, Nesterov: true}) }
func BenchmarkAdam(b *testing.B)     { benchmarkStep(b, NewAdam()) }
func BenchmarkAdamW(b *testing.B)    { benchmarkStep(b, NewAdamW()) }

func BenchmarkClipGlobalNorm(b *testing.B) {
	ps := lenet()
	b.SetBytes(4 * 266610)
	for range b.N {
		ClipGlobalNorm(ps, 1e9)
	}
}
