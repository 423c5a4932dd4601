package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The previous pool kernels, one window at a time on the calling goroutine: the
// references of the parallel ones and their fast 2×2 path.

func refMaxPool(dst, x []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	for p := range planes {
		src := x[p*w.H*w.W : (p+1)*w.H*w.W]
		for y := range oh {
			for c := range ow {
				dst[(p*oh+y)*ow+c] = w.max(src, y, c)
			}
		}
	}
}

func refMaxPoolGrad(dst, g, x, y []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	n := w.H * w.W
	clear(dst[:planes*n])
	for p := range planes {
		src, d := x[p*n:(p+1)*n], dst[p*n:(p+1)*n]
		for r := range oh {
			for c := range ow {
				o := (p*oh+r)*ow + c
				if k := w.argmax(src, r, c, y[o]); k >= 0 {
					d[k] += g[o]
				}
			}
		}
	}
}

func refAvgPool(dst, x []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	scale := 1 / float32(w.KH*w.KW)
	for p := range planes {
		src := x[p*w.H*w.W : (p+1)*w.H*w.W]
		for y := range oh {
			for c := range ow {
				dst[(p*oh+y)*ow+c] = w.spread(src, nil, y, c, 0) * scale
			}
		}
	}
}

func refAvgPoolGrad(dst, g []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	scale := 1 / float32(w.KH*w.KW)
	clear(dst[:planes*w.H*w.W])
	for p := range planes {
		d := dst[p*w.H*w.W : (p+1)*w.H*w.W]
		for y := range oh {
			for c := range ow {
				w.spread(nil, d, y, c, g[(p*oh+y)*ow+c]*scale)
			}
		}
	}
}

// poolCases returns the pools of mnist_cnn at batch 128, 2×2 windows with strides 1
// to 3, and random windows with padding and dilation.
func poolCases(r *rand.Rand) []struct {
	planes int
	w      Window
} {
	type pc = struct {
		planes int
		w      Window
	}
	cs := []pc{
		{128 * 32, Window{H: 28, W: 28, KH: 2, KW: 2, Stride: 2, Dilation: 1}},
		{128 * 64, Window{H: 14, W: 14, KH: 2, KW: 2, Stride: 2, Dilation: 1}},
		{300, Window{H: 9, W: 7, KH: 2, KW: 2, Stride: 1, Dilation: 1}},
		{300, Window{H: 9, W: 11, KH: 2, KW: 2, Stride: 3, Dilation: 1}},
		{700, Window{H: 13, W: 13, KH: 3, KW: 3, Stride: 2, Pad: 1, Dilation: 1}},
	}
	for len(cs) < 40 {
		w := Window{H: 1 + r.IntN(10), W: 1 + r.IntN(10), KH: 1 + r.IntN(4), KW: 1 + r.IntN(4),
			Stride: 1 + r.IntN(3), Pad: r.IntN(2), Dilation: 1 + r.IntN(2)}
		if w.Dilation*(w.KH-1)+1 > w.H+2*w.Pad || w.Dilation*(w.KW-1)+1 > w.W+2*w.Pad {
			continue
		}
		cs = append(cs, pc{1 + r.IntN(30), w})
	}
	return cs
}

// poolInput draws x with ties (values on a grid of eighths), a NaN and signed zeros.
func poolInput(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.IntN(17)-8) / 8
	}
	x[r.IntN(n)] = float32(math.NaN())
	x[r.IntN(n)] = float32(math.Copysign(0, -1))
	return x
}

func TestPoolsAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, c := range poolCases(r) {
		w := c.w
		in, out := c.planes*w.H*w.W, c.planes*w.OutH()*w.OutW()
		name := fmt.Sprintf("%d planes %dx%d k%dx%d s%d p%d d%d", c.planes, w.H, w.W, w.KH, w.KW, w.Stride, w.Pad, w.Dilation)
		x, g := poolInput(r, in), randSlice(r, out)
		y, want := randSlice(r, out), randSlice(r, out)
		MaxPool2D(y, x, c.planes, &w)
		refMaxPool(want, x, c.planes, &w)
		if !sameBits(y, want) {
			t.Fatalf("%s: MaxPool2D differs from the reference", name)
		}
		dx, wantDx := randSlice(r, in), randSlice(r, in)
		MaxPool2DGrad(dx, g, x, y, c.planes, &w)
		refMaxPoolGrad(wantDx, g, x, y, c.planes, &w)
		if !sameBits(dx, wantDx) {
			t.Fatalf("%s: MaxPool2DGrad differs from the reference", name)
		}
		AvgPool2D(y, x, c.planes, &w)
		refAvgPool(want, x, c.planes, &w)
		if !sameBits(y, want) {
			t.Fatalf("%s: AvgPool2D differs from the reference", name)
		}
		AvgPool2DGrad(dx, g, c.planes, &w)
		refAvgPoolGrad(wantDx, g, c.planes, &w)
		if !sameBits(dx, wantDx) {
			t.Fatalf("%s: AvgPool2DGrad differs from the reference", name)
		}
	}
}

func TestPoolsNoAllocs(t *testing.T) {
	w := Window{H: 28, W: 28, KH: 2, KW: 2, Stride: 2, Dilation: 1}
	planes := 64 * 32
	r := rand.New(rand.NewPCG(1, 2))
	x, y, g, dx := randSlice(r, planes*784), make([]float32, planes*196), randSlice(r, planes*196), make([]float32, planes*784)
	if n := testing.AllocsPerRun(5, func() {
		MaxPool2D(y, x, planes, &w)
		MaxPool2DGrad(dx, g, x, y, planes, &w)
		AvgPool2D(y, x, planes, &w)
		AvgPool2DGrad(dx, g, planes, &w)
	}); n != 0 {
		t.Errorf("pools allocate %v times", n)
	}
}

// BenchmarkPool times the max pool of mnist_cnn's first convolution at batch 128,
// forward and backward.
func BenchmarkPool(b *testing.B) {
	w := Window{H: 28, W: 28, KH: 2, KW: 2, Stride: 2, Dilation: 1}
	planes := 128 * 32
	r := rand.New(rand.NewPCG(1, 2))
	x, y, g, dx := randSlice(r, planes*784), make([]float32, planes*196), randSlice(r, planes*196), make([]float32, planes*784)
	b.Run("max", func(b *testing.B) {
		for b.Loop() {
			MaxPool2D(y, x, planes, &w)
		}
	})
	b.Run("max-grad", func(b *testing.B) {
		for b.Loop() {
			MaxPool2DGrad(dx, g, x, y, planes, &w)
		}
	})
	b.Run("max-ref", func(b *testing.B) {
		for b.Loop() {
			refMaxPool(y, x, planes, &w)
		}
	})
	b.Run("max-grad-ref", func(b *testing.B) {
		for b.Loop() {
			refMaxPoolGrad(dx, g, x, y, planes, &w)
		}
	})
}
