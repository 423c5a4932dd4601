package kernels

import (
	"math"
	"math/bits"
)

// Pools see x as planes of H×W (planes = B·C for an NCHW tensor) and dst as planes
// of OutH×OutW; taps that fall in the padding are skipped. Each plane is computed
// by one goroutine; large pools share their planes out between the calling
// goroutine and Gemm's pool of helpers (see shared), which gives the same bits.

// MaxPool2D sets dst[p, oh, ow] to the maximum of the window at (oh, ow) of plane p.
func MaxPool2D(dst, x []float32, planes int, w *Window) {
	runPool(poolMax, dst, x, nil, nil, planes, w)
}

// MaxPool2DGrad is the adjoint of MaxPool2D: it adds g[p, oh, ow] to the first
// element of the window at (oh, ow) that equals the maximum y[p, oh, ow], and sets
// every other element of dst to 0.
func MaxPool2DGrad(dst, g, x, y []float32, planes int, w *Window) {
	runPool(poolMaxGrad, dst, x, y, g, planes, w)
}

// AvgPool2D sets dst[p, oh, ow] to the sum of the window at (oh, ow) of plane p
// divided by KH·KW (padding counts as zeros, PyTorch's count_include_pad).
func AvgPool2D(dst, x []float32, planes int, w *Window) {
	runPool(poolAvg, dst, x, nil, nil, planes, w)
}

// AvgPool2DGrad is the adjoint of AvgPool2D: it adds g[p, oh, ow]/(KH·KW) to every
// element of the window at (oh, ow).
func AvgPool2DGrad(dst, g []float32, planes int, w *Window) {
	runPool(poolAvgGrad, dst, nil, nil, g, planes, w)
}

// minPoolParallel is the least work (window taps plus input elements) of a pool
// worth sharing out.
const minPoolParallel = 1 << 16

// poolItems is how many ranges of planes a parallel pool is cut into.
const poolItems = 64

// runPool runs a pool kernel (poolMax…poolAvgGrad) on planes, sharing them out if
// the work is large. x is shaped like the pool's input, y and g like its output, dst
// like the input for the gradients and like the output otherwise.
func runPool(kind int, dst, x, y, g []float32, planes int, w *Window) {
	in, out := w.H*w.W, w.OutH()*w.OutW()
	_, _, _, _ = sub(dst, 0, planes, dstSize(kind, in, out)), sub(x, 0, planes, in), sub(y, 0, planes, out), sub(g, 0, planes, out)
	var s *shared
	if planes >= 2 && planes*(out*w.KH*w.KW+in) >= minPoolParallel {
		s = acquire()
	}
	if s == nil {
		poolPlanes(kind, dst, x, y, g, planes, w)
		return
	}
	s.kind, s.dst, s.x, s.y, s.g, s.w = kind, dst, x, y, g, w
	s.split(planes, (planes+poolItems-1)/poolItems)
}

// dstSize is the size of a plane of a pool kernel's dst.
func dstSize(kind, in, out int) int {
	if kind == poolMaxGrad || kind == poolAvgGrad {
		return in
	}
	return out
}

// sub returns planes [lo, hi) of n elements of s, or nil if s is nil. It panics if
// s is too short.
func sub(s []float32, lo, hi, n int) []float32 {
	if s == nil {
		return nil
	}
	return s[lo*n : hi*n]
}

// poolItem computes planes [lo, hi) of a pool kernel.
func (s *shared) poolItem(lo, hi int) {
	in, out := s.w.H*s.w.W, s.w.OutH()*s.w.OutW()
	poolPlanes(s.kind, sub(s.dst, lo, hi, dstSize(s.kind, in, out)), sub(s.x, lo, hi, in),
		sub(s.y, lo, hi, out), sub(s.g, lo, hi, out), hi-lo, s.w)
}

// poolPlanes runs a pool kernel on planes, on the calling goroutine.
func poolPlanes(kind int, dst, x, y, g []float32, planes int, w *Window) {
	in, out := w.H*w.W, w.OutH()*w.OutW()
	for p := range planes {
		switch kind {
		case poolMax:
			w.maxPlane(dst[p*out:(p+1)*out], x[p*in:(p+1)*in])
		case poolMaxGrad:
			w.maxGradPlane(dst[p*in:(p+1)*in], g[p*out:(p+1)*out], x[p*in:(p+1)*in], y[p*out:(p+1)*out])
		case poolAvg:
			w.avgPlane(dst[p*out:(p+1)*out], x[p*in:(p+1)*in])
		default:
			w.avgGradPlane(dst[p*in:(p+1)*in], g[p*out:(p+1)*out])
		}
	}
}

// is2x2 reports whether w is a 2×2 window without padding or dilation, the pools'
// fast path: no tap falls outside the plane.
func (w *Window) is2x2() bool {
	return w.KH == 2 && w.KW == 2 && w.Pad == 0 && w.Dilation == 1
}

// maxPlane is MaxPool2D on one plane.
func (w *Window) maxPlane(d, x []float32) {
	oh, ow := w.OutH(), w.OutW()
	if w.is2x2() {
		for r := range oh {
			h := r * w.Stride * w.W
			r0, r1 := x[h:h+w.W], x[h+w.W:h+2*w.W]
			dr := d[r*ow : (r+1)*ow]
			for c := range dr {
				j := c * w.Stride
				dr[c] = max(r0[j], r0[j+1], r1[j], r1[j+1])
			}
		}
		return
	}
	for r := range oh {
		for c := range ow {
			d[r*ow+c] = w.max(x, r, c)
		}
	}
}

// max returns the maximum of the window at (oh, ow) of plane x.
func (w *Window) max(x []float32, oh, ow int) float32 {
	m := float32(math.Inf(-1))
	for i := range w.KH {
		h := oh*w.Stride + i*w.Dilation - w.Pad
		if h < 0 || h >= w.H {
			continue
		}
		row := x[h*w.W : (h+1)*w.W]
		for j := range w.KW {
			if c := ow*w.Stride + j*w.Dilation - w.Pad; c >= 0 && c < w.W {
				m = max(m, row[c])
			}
		}
	}
	return m
}

// maxGradPlane is MaxPool2DGrad on one plane.
func (w *Window) maxGradPlane(d, g, x, y []float32) {
	oh, ow := w.OutH(), w.OutW()
	clear(d)
	if w.is2x2() {
		w.maxGrad2x2(d, g, x, y)
		return
	}
	for r := range oh {
		for c := range ow {
			o := r*ow + c
			if k := w.argmax(x, r, c, y[o]); k >= 0 {
				d[k] += g[o]
			}
		}
	}
}

// maxGrad2x2 is maxGradPlane for a 2×2 window, after d is cleared. It does not
// branch on which element of a window is the maximum, which is random (a branch
// would be mispredicted half the time): it looks the offset of the first maximal
// element up by the lowest set bit of the mask of elements equal to it.
func (w *Window) maxGrad2x2(d, g, x, y []float32) {
	oh, ow := w.OutH(), w.OutW()
	// The offsets in the window of its elements, and none if no element equals y
	// (a NaN maximum): index 4 and beyond go past the plane.
	at := [8]int{0, 1, w.W, w.W + 1, len(d), len(d), len(d), len(d)}
	for r := range oh {
		h := r * w.Stride * w.W
		r0, r1 := x[h:h+w.W], x[h+w.W:h+2*w.W]
		gr, yr := g[r*ow:(r+1)*ow], y[r*ow:(r+1)*ow]
		yr = yr[:len(gr)]
		for c := range gr {
			j, m := c*w.Stride, yr[c]
			eq := b2i(r0[j] == m) | b2i(r0[j+1] == m)<<1 | b2i(r1[j] == m)<<2 | b2i(r1[j+1] == m)<<3
			if k := h + j + at[bits.TrailingZeros8(uint8(eq)|16)&7]; k < len(d) {
				d[k] += gr[c]
			}
		}
	}
}

// b2i is 1 if b is true, else 0, without a branch.
func b2i(b bool) int {
	i := 0
	if b {
		i = 1
	}
	return i
}

// argmax returns the offset in plane x of the first element of the window at
// (oh, ow) that equals m, or -1.
func (w *Window) argmax(x []float32, oh, ow int, m float32) int {
	for i := range w.KH {
		h := oh*w.Stride + i*w.Dilation - w.Pad
		if h < 0 || h >= w.H {
			continue
		}
		for j := range w.KW {
			if c := ow*w.Stride + j*w.Dilation - w.Pad; c >= 0 && c < w.W && x[h*w.W+c] == m {
				return h*w.W + c
			}
		}
	}
	return -1
}

// avgPlane is AvgPool2D on one plane.
func (w *Window) avgPlane(d, x []float32) {
	oh, ow := w.OutH(), w.OutW()
	scale := 1 / float32(w.KH*w.KW)
	for r := range oh {
		for c := range ow {
			d[r*ow+c] = w.spread(x, nil, r, c, 0) * scale
		}
	}
}

// avgGradPlane is AvgPool2DGrad on one plane.
func (w *Window) avgGradPlane(d, g []float32) {
	oh, ow := w.OutH(), w.OutW()
	scale := 1 / float32(w.KH*w.KW)
	clear(d)
	for r := range oh {
		for c := range ow {
			w.spread(nil, d, r, c, g[r*ow+c]*scale)
		}
	}
}

// spread returns the sum of the window at (oh, ow) of plane x, if x is not nil,
// and adds v to every element of that window of plane d, if d is not nil.
func (w *Window) spread(x, d []float32, oh, ow int, v float32) float32 {
	var s float32
	for i := range w.KH {
		h := oh*w.Stride + i*w.Dilation - w.Pad
		if h < 0 || h >= w.H {
			continue
		}
		for j := range w.KW {
			c := ow*w.Stride + j*w.Dilation - w.Pad
			if c < 0 || c >= w.W {
				continue
			}
			if x != nil {
				s += x[h*w.W+c]
			}
			if d != nil {
				d[h*w.W+c] += v
			}
		}
	}
	return s
}
