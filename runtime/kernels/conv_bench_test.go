package kernels

import (
	"math/rand/v2"
	"testing"
)

// mnistConvs are the convolutions of recipes/mnist_cnn.recipe at batch 128, then
// the strided one and a residual block's of recipes/mnist_resnet.recipe.
var mnistConvs = []struct {
	name string
	c    convCase
}{
	{"conv1", convCase{128, 1, 32, Window{H: 28, W: 28, KH: 5, KW: 5, Stride: 1, Pad: 2, Dilation: 1}}},
	{"conv2", convCase{128, 32, 64, Window{H: 14, W: 14, KH: 5, KW: 5, Stride: 1, Pad: 2, Dilation: 1}}},
	{"resnet-down", convCase{128, 16, 32, Window{H: 28, W: 28, KH: 3, KW: 3, Stride: 2, Pad: 1, Dilation: 1}}},
	{"resnet-res", convCase{128, 32, 32, Window{H: 14, W: 14, KH: 3, KW: 3, Stride: 1, Pad: 1, Dilation: 1}}},
}

// BenchmarkConv2D reports GFLOP/s of Conv2D's forward pass (im2col included), weight
// gradient and input gradient (col2im included) on the convolutions of mnist_cnn.
func BenchmarkConv2D(b *testing.B) {
	for _, mc := range mnistConvs {
		c := mc.c
		k := NewConv2D(c.b, c.c, c.o, c.w)
		in, out, nw := k.sizes()
		r := rand.New(rand.NewPCG(1, 1))
		x, weight, dy := randSlice(r, c.b*in), randSlice(r, nw), randSlice(r, c.b*out)
		y, col, dw, dx, dcol := make([]float32, c.b*out), make([]float32, c.b*k.ColSize()), make([]float32, nw),
			make([]float32, c.b*in), make([]float32, k.ColSize())
		flops := 2 * float64(c.b*out*nw/c.o)
		b.Run(mc.name+"/forward", func(b *testing.B) { benchFlops(b, flops, func() { k.Forward(y, x, weight, col) }) })
		b.Run(mc.name+"/weight", func(b *testing.B) { benchFlops(b, flops, func() { k.Weight(dw, dy, col) }) })
		b.Run(mc.name+"/input", func(b *testing.B) { benchFlops(b, flops, func() { k.Input(dx, dy, weight, dcol) }) })
	}
}

// BenchmarkIm2col times Conv2D's im2col and col2im of one sample of each mnist_cnn
// convolution, in cache.
func BenchmarkIm2col(b *testing.B) {
	for _, mc := range mnistConvs {
		c := mc.c
		k := NewConv2D(1, c.c, c.o, c.w)
		k.ready()
		in, _, _ := k.sizes()
		x, col := randSlice(rand.New(rand.NewPCG(1, 1)), in), make([]float32, k.ColSize())
		b.Run(mc.name+"/im2col", func(b *testing.B) {
			b.SetBytes(int64(4 * len(col)))
			for b.Loop() {
				k.im2col(col, x)
			}
		})
		b.Run(mc.name+"/col2im", func(b *testing.B) {
			b.SetBytes(int64(4 * len(col)))
			for b.Loop() {
				k.col2im(x, col)
			}
		})
	}
}
