package kernels

import "math"

// Pools see x as planes of H×W (planes = B·C for an NCHW tensor) and dst as planes
// of OutH×OutW; taps that fall in the padding are skipped.

// MaxPool2D sets dst[p, oh, ow] to the maximum of the window at (oh, ow) of plane p.
func MaxPool2D(dst, x []float32, planes int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	for p := range planes {
		src := x[p*w.H*w.W : (p+1)*w.H*w.W]
		d := dst[p*oh*ow : (p+1)*oh*ow]
		for y := range oh {
			for c := range ow {
				d[y*ow+c] = w.max(src, y, c)
			}
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

// MaxPool2DGrad is the adjoint of MaxPool2D: it adds g[p, oh, ow] to the first
// element of the window at (oh, ow) that equals the maximum y[p, oh, ow], and sets
// every other element of dst to 0.
func MaxPool2DGrad(dst, g, x, y []float32, planes int, w *Window) {
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

// AvgPool2D sets dst[p, oh, ow] to the sum of the window at (oh, ow) of plane p
// divided by KH·KW (padding counts as zeros, PyTorch's count_include_pad).
func AvgPool2D(dst, x []float32, planes int, w *Window) {
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

// AvgPool2DGrad is the adjoint of AvgPool2D: it adds g[p, oh, ow]/(KH·KW) to every
// element of the window at (oh, ow).
func AvgPool2DGrad(dst, g []float32, planes int, w *Window) {
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
