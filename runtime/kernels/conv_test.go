package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convCase is the geometry of one convolution test.
type convCase struct {
	b, c, o int
	w       Window
}

func (c convCase) String() string {
	return fmt.Sprintf("B%d C%d O%d %dx%d k%dx%d s%d p%d d%d", c.b, c.c, c.o, c.w.H, c.w.W, c.w.KH, c.w.KW, c.w.Stride, c.w.Pad, c.w.Dilation)
}

// convCases returns the mnist_cnn layers, a few cases large enough to run on the
// pool, and random small ones with strides up to 3, padding up to 2 and dilation up
// to 2.
func convCases(r *rand.Rand) []convCase {
	cs := []convCase{
		{8, 1, 32, Window{H: 28, W: 28, KH: 5, KW: 5, Stride: 1, Pad: 2, Dilation: 1}},
		{8, 32, 64, Window{H: 14, W: 14, KH: 5, KW: 5, Stride: 1, Pad: 2, Dilation: 1}},
		{16, 8, 16, Window{H: 12, W: 13, KH: 3, KW: 3, Stride: 2, Pad: 1, Dilation: 1}},
		{11, 6, 24, Window{H: 17, W: 15, KH: 3, KW: 2, Stride: 1, Pad: 2, Dilation: 2}},
		{1, 16, 32, Window{H: 20, W: 20, KH: 3, KW: 3, Stride: 1, Pad: 1, Dilation: 1}},
		{3, 2, 3, Window{H: 1, W: 1, KH: 1, KW: 1, Stride: 1, Pad: 0, Dilation: 1}},
	}
	for len(cs) < 60 {
		w := Window{H: 1 + r.IntN(12), W: 1 + r.IntN(12), KH: 1 + r.IntN(5), KW: 1 + r.IntN(5),
			Stride: 1 + r.IntN(3), Pad: r.IntN(3), Dilation: 1 + r.IntN(2)}
		if w.Dilation*(w.KH-1)+1 > w.H+2*w.Pad || w.Dilation*(w.KW-1)+1 > w.W+2*w.Pad {
			continue
		}
		cs = append(cs, convCase{1 + r.IntN(9), 1 + r.IntN(5), 1 + r.IntN(9), w})
	}
	return cs
}

// naiveIm2col is Im2col's definition, element by element.
func naiveIm2col(x []float32, c int, w *Window) []float32 {
	oh, ow := w.OutH(), w.OutW()
	col := make([]float32, c*w.KH*w.KW*oh*ow)
	for ch := range c {
		for i := range w.KH {
			for j := range w.KW {
				r := (ch*w.KH+i)*w.KW + j
				for y := range oh {
					for z := range ow {
						h, v := y*w.Stride+i*w.Dilation-w.Pad, z*w.Stride+j*w.Dilation-w.Pad
						if h >= 0 && h < w.H && v >= 0 && v < w.W {
							col[r*oh*ow+y*ow+z] = x[(ch*w.H+h)*w.W+v]
						}
					}
				}
			}
		}
	}
	return col
}

// naiveCol2im is Col2im's definition: the adjoint of naiveIm2col, in float64.
func naiveCol2im(col []float32, c int, w *Window) []float64 {
	oh, ow := w.OutH(), w.OutW()
	dx := make([]float64, c*w.H*w.W)
	for ch := range c {
		for i := range w.KH {
			for j := range w.KW {
				r := (ch*w.KH+i)*w.KW + j
				for y := range oh {
					for z := range ow {
						h, v := y*w.Stride+i*w.Dilation-w.Pad, z*w.Stride+j*w.Dilation-w.Pad
						if h >= 0 && h < w.H && v >= 0 && v < w.W {
							dx[(ch*w.H+h)*w.W+v] += float64(col[r*oh*ow+y*ow+z])
						}
					}
				}
			}
		}
	}
	return dx
}

// refConv is the previous Conv2D: one Im2col or Col2im (the loops, checked against
// their definitions by TestIm2colCol2im) and one Gemm per sample, on the calling
// goroutine, the weight's gradient summed over the samples in order.
type refConv struct {
	k           *Conv2D
	fwd, dw, dx Gemm
}

func newRefConv(c convCase) *refConv {
	k := NewConv2D(c.b, c.c, c.o, c.w)
	taps, pos := k.taps(), k.OutH()*k.OutW()
	return &refConv{k: k,
		fwd: Gemm{M: c.o, N: pos, K: taps, Serial: true},
		dw:  Gemm{TransB: true, M: c.o, N: taps, K: pos, Serial: true},
		dx:  Gemm{TransA: true, M: taps, N: pos, K: c.o, Serial: true}}
}

func (r *refConv) forward(y, x, weight, col []float32) {
	k := r.k
	in, out, _ := k.sizes()
	n := k.ColSize()
	for b := range k.B {
		cb := col[b*n : (b+1)*n]
		Im2col(cb, x[b*in:(b+1)*in], k.C, &k.Window)
		r.fwd.Run(y[b*out:(b+1)*out], weight, cb, false)
	}
}

func (r *refConv) weight(dw, dy, col []float32) {
	k := r.k
	_, out, _ := k.sizes()
	n := k.ColSize()
	for b := range k.B {
		r.dw.Run(dw, dy[b*out:(b+1)*out], col[b*n:(b+1)*n], b > 0)
	}
}

func (r *refConv) input(dx, dy, weight []float32) {
	k := r.k
	in, out, _ := k.sizes()
	dcol := make([]float32, k.ColSize())
	for b := range k.B {
		r.dx.Run(dcol, weight, dy[b*out:(b+1)*out], false)
		Col2im(dx[b*in:(b+1)*in], dcol, k.C, &k.Window)
	}
}

func TestIm2colCol2im(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range convCases(r) {
		w := c.w
		x := randSlice(r, c.c*w.H*w.W)
		col := make([]float32, c.c*w.KH*w.KW*w.OutH()*w.OutW())
		for i := range col {
			col[i] = float32(math.NaN()) // every element must be written
		}
		Im2col(col, x, c.c, &w)
		if want := naiveIm2col(x, c.c, &w); !sameBits(col, want) {
			t.Fatalf("%v: Im2col differs from its definition", c)
		}
		dx := randSlice(r, len(x)) // overwritten
		Col2im(dx, col, c.c, &w)
		want := naiveCol2im(col, c.c, &w)
		for i := range dx {
			if d := math.Abs(float64(dx[i]) - want[i]); d > 1e-5*float64(w.KH*w.KW) {
				t.Fatalf("%v: Col2im[%d] = %g, want %g", c, i, dx[i], want[i])
			}
		}
	}
}

// TestConv2DPlaneTables checks the assembly im2col and col2im of Conv2D (masked
// loads for stride 1, permutations for 2, gathers and expanding loads beyond)
// against Im2col and Col2im, bit for bit, NaN in col included.
func TestConv2DPlaneTables(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	tested := map[int]int{} // by stride
	for _, c := range convCases(r) {
		k := NewConv2D(1, c.c, c.o, c.w)
		k.ready()
		if k.tables == nil {
			continue
		}
		tested[c.w.Stride]++
		in, _, _ := k.sizes()
		x := randSlice(r, in)
		x[r.IntN(in)] = float32(math.NaN())
		got, want := randSlice(r, k.ColSize()), randSlice(r, k.ColSize())
		k.im2col(got, x)
		Im2col(want, x, c.c, &c.w)
		if !sameBits(got, want) {
			t.Fatalf("%v: im2col differs from Im2col", c)
		}
		dx, wantDx := randSlice(r, in), randSlice(r, in)
		k.col2im(dx, got)
		Col2im(wantDx, got, c.c, &c.w)
		if !sameBits(dx, wantDx) {
			t.Fatalf("%v: col2im differs from Col2im", c)
		}
	}
	if avx512 && (tested[1] < 5 || tested[2] < 5 || tested[3] < 5) {
		t.Errorf("cases with tables by stride: %v, want 5 of strides 1, 2 and 3", tested)
	}
}

// sameBits reports whether a and b hold the same float32 values bit for bit.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// convRun holds one run of a Conv2D's three methods.
type convRun struct{ y, col, dw, dx []float32 }

func runConv(k *Conv2D, x, weight, dy []float32) convRun {
	in, out, nw := k.sizes()
	r := convRun{y: make([]float32, k.B*out), col: make([]float32, k.B*k.ColSize()),
		dw: make([]float32, nw), dx: make([]float32, k.B*in)}
	k.Forward(r.y, x, weight, r.col)
	k.Weight(r.dw, dy, r.col)
	k.Input(r.dx, dy, weight, make([]float32, k.ColSize()))
	return r
}

// TestConv2DAgainstReference checks the parallel Conv2D against the previous,
// per-sample one: the same bits for the output and the input's gradient, the weight's
// gradient within the rounding of a reordered sum; and the same bits whether it runs
// on the pool or not. The cases cover both things Forward can leave for Weight.
func TestConv2DAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	keeps := map[bool]int{}
	for _, c := range convCases(r) {
		ref := newRefConv(c)
		keeps[ref.k.keepsInput()]++
		in, out, nw := ref.k.sizes()
		x, weight, dy := randSlice(r, c.b*in), randSlice(r, nw), randSlice(r, c.b*out)
		want := convRun{y: make([]float32, c.b*out), col: make([]float32, c.b*ref.k.ColSize()),
			dw: make([]float32, nw), dx: make([]float32, c.b*in)}
		ref.forward(want.y, x, weight, want.col)
		ref.weight(want.dw, dy, want.col)
		ref.input(want.dx, dy, weight)

		got := runConv(NewConv2D(c.b, c.c, c.o, c.w), x, weight, dy)
		if !sameBits(got.y, want.y) {
			t.Fatalf("%v: Forward differs from the reference", c)
		}
		if !sameBits(got.dx, want.dx) {
			t.Fatalf("%v: Input differs from the reference", c)
		}
		closeSlices(t, c.String()+" Weight", got.dw, want.dw, 1e-5*float64(c.b*ref.k.OutH()*ref.k.OutW()))
		serial := NewConv2D(c.b, c.c, c.o, c.w)
		serial.serial = true
		again := runConv(serial, x, weight, dy)
		if !sameBits(again.y, got.y) || !sameBits(again.dw, got.dw) || !sameBits(again.dx, got.dx) {
			t.Fatalf("%v: results differ between a serial and a parallel run", c)
		}
	}
	if keeps[true] == 0 || keeps[false] == 0 {
		t.Errorf("Forward kept x in %d cases and the im2col matrices in %d, want both", keeps[true], keeps[false])
	}
}

// closeSlices fails unless |got[i] - want[i]| ≤ tol·(1 + |want[i]|).
func closeSlices(t *testing.T, name string, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("%s: [%d] = %g, want %g", name, i, got[i], want[i])
		}
	}
}

func TestConv2DDeterministicAndNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	c := convCases(r)[1]
	k := NewConv2D(c.b, c.c, c.o, c.w)
	in, out, nw := k.sizes()
	x, weight, dy := randSlice(r, c.b*in), randSlice(r, nw), randSlice(r, c.b*out)
	first := runConv(k, x, weight, dy)
	for range 5 {
		again := runConv(k, x, weight, dy)
		if !sameBits(again.y, first.y) || !sameBits(again.dw, first.dw) || !sameBits(again.dx, first.dx) {
			t.Fatal("results differ from run to run")
		}
	}
	y, col, dw, dx, dcol := make([]float32, c.b*out), make([]float32, c.b*k.ColSize()), make([]float32, nw),
		make([]float32, c.b*in), make([]float32, k.ColSize())
	if n := testing.AllocsPerRun(5, func() {
		k.Forward(y, x, weight, col)
		k.Weight(dw, dy, col)
		k.Input(dx, dy, weight, dcol)
	}); n != 0 {
		t.Errorf("Conv2D allocates %v times per step", n)
	}
}

func TestConv2DShortSlicePanics(t *testing.T) {
	k := NewConv2D(2, 3, 4, Window{H: 5, W: 5, KH: 3, KW: 3, Stride: 1, Pad: 1, Dilation: 1})
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	k.Forward(make([]float32, 10), make([]float32, 150), make([]float32, 108), make([]float32, 2*k.ColSize()))
}
