package kernels

import "math"

// Pools see x as planes of H×W (planes = B·C for an NCHW tensor) and dst as planes
// of OutH×OutW; taps that fall in the padding are skipped.

// MaxPool2D sets dst[p, oh, ow] to the maximum of the window at (oh, ow) of plane p.
func MaxPool2D(dst, x []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	for p := range planes {
		src := x[p*w.H*w.W : (p+1)*w.H*w.W]
		for y := range oh {
			for xo := range ow {
				m := float32(math.Inf(-1))
				w.each(y, xo, func(k int) { m = max(m, src[k]) })
				dst[(p*oh+y)*ow+xo] = m
			}
		}
	}
}

// MaxPool2DGrad is the adjoint of MaxPool2D: it adds g[p, oh, ow] to the first
// element of the window at (oh, ow) that equals the maximum y[p, oh, ow], and sets
// every other element of dst to 0.
func MaxPool2DGrad(dst, g, x, y []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	clear(dst[:planes*w.H*w.W])
	for p := range planes {
		src, d := x[p*w.H*w.W:(p+1)*w.H*w.W], dst[p*w.H*w.W:(p+1)*w.H*w.W]
		for r := range oh {
			for c := range ow {
				o := (p*oh+r)*ow + c
				w.first(r, c, func(k int) bool {
					if src[k] != y[o] {
						return false
					}
					d[k] += g[o]
					return true
				})
			}
		}
	}
}

// AvgPool2D sets dst[p, oh, ow] to the sum of the window at (oh, ow) of plane p
// divided by KH·KW (padding counts as zeros, PyTorch's count_include_pad).
func AvgPool2D(dst, x []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	scale := 1 / float32(w.KH*w.KW)
	for p := range planes {
		src := x[p*w.H*w.W : (p+1)*w.H*w.W]
		for y := range oh {
			for xo := range ow {
				var s float32
				w.each(y, xo, func(k int) { s += src[k] })
				dst[(p*oh+y)*ow+xo] = s * scale
			}
		}
	}
}

// AvgPool2DGrad is the adjoint of AvgPool2D: it adds g[p, oh, ow]/(KH·KW) to every
// element of the window at (oh, ow).
func AvgPool2DGrad(dst, g []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	scale := 1 / float32(w.KH*w.KW)
	clear(dst[:planes*w.H*w.W])
	for p := range planes {
		d := dst[p*w.H*w.W : (p+1)*w.H*w.W]
		for y := range oh {
			for xo := range ow {
				v := g[(p*oh+y)*ow+xo] * scale
				w.each(y, xo, func(k int) { d[k] += v })
			}
		}
	}
}

// each calls f with the in-plane offset of every tap of the window at output
// position (oh, ow) that lies inside the plane, row by row.
func (w *Window) each(oh, ow int, f func(k int)) {
	w.first(oh, ow, func(k int) bool { f(k); return false })
}

// first calls f on the taps of the window at (oh, ow) as each does, until f
// returns true.
func (w *Window) first(oh, ow int, f func(k int) bool) {
	for i := range w.KH {
		h := oh*w.Stride + i*w.Dilation - w.Pad
		if h < 0 || h >= w.H {
			continue
		}
		for j := range w.KW {
			c := ow*w.Stride + j*w.Dilation - w.Pad
			if c >= 0 && c < w.W && f(h*w.W+c) {
				return
			}
		}
	}
}
