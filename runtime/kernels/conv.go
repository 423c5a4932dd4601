package kernels

// Window is the spatial geometry of a 2-D window sliding over H×W planes: a KH×KW
// window moved by Stride over the plane padded with Pad zeros on every side, its
// taps Dilation apart. Convolutions and pools share it.
type Window struct {
	H, W                  int
	KH, KW                int
	Stride, Pad, Dilation int
}

// OutH is the output height, (H + 2·Pad - Dilation·(KH-1) - 1)/Stride + 1.
func (w *Window) OutH() int { return (w.H+2*w.Pad-w.Dilation*(w.KH-1)-1)/w.Stride + 1 }

// OutW is the output width, (W + 2·Pad - Dilation·(KW-1) - 1)/Stride + 1.
func (w *Window) OutW() int { return (w.W+2*w.Pad-w.Dilation*(w.KW-1)-1)/w.Stride + 1 }

// span returns the output columns [lo, hi) whose tap at offset off (= j·Dilation -
// Pad) falls inside a row of n input columns.
func span(off, n, stride, out int) (lo, hi int) {
	lo, hi = 0, out
	for lo < hi && lo*stride+off < 0 {
		lo++
	}
	for hi > lo && (hi-1)*stride+off >= n {
		hi--
	}
	return lo, hi
}

// Im2col sets col[(c,i,j), p] = x[c, oh·Stride + i·Dilation - Pad, ow·Stride +
// j·Dilation - Pad] (0 in the padding) for one sample x [C, H, W], with p = oh·OutW +
// ow: col is [C·KH·KW, OutH·OutW], each row one tap of the window in the weight's
// [C, KH, KW] order, each column the receptive field of one output position.
func Im2col(col, x []float32, c int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	r := 0
	for ch := range c {
		plane := x[ch*w.H*w.W : (ch+1)*w.H*w.W]
		for i := range w.KH {
			for j := range w.KW {
				im2colRow(col[r*oh*ow:(r+1)*oh*ow], plane, w, i*w.Dilation-w.Pad, j*w.Dilation-w.Pad)
				r++
			}
		}
	}
}

// im2colRow fills one row of col: the tap at row offset di and column offset dj of
// every output position.
func im2colRow(dst, plane []float32, w *Window, di, dj int) {
	oh, ow := w.OutH(), w.OutW()
	lo, hi := span(dj, w.W, w.Stride, ow)
	for y := range oh {
		d := dst[y*ow : (y+1)*ow]
		h := y*w.Stride + di
		if h < 0 || h >= w.H || lo >= hi {
			clear(d)
			continue
		}
		clear(d[:lo])
		clear(d[hi:])
		src := plane[h*w.W : (h+1)*w.W]
		if w.Stride == 1 {
			copy(d[lo:hi], src[lo+dj:hi+dj])
			continue
		}
		for x := lo; x < hi; x++ {
			d[x] = src[x*w.Stride+dj]
		}
	}
}

// Col2im is the adjoint of Im2col: it sets dx[c, h, w] to the sum of the entries
// of col that Im2col copies from x[c, h, w], for one sample dx [C, H, W].
func Col2im(dx, col []float32, c int, w *Window) {
	oh, ow := w.OutH(), w.OutW()
	clear(dx[:c*w.H*w.W])
	r := 0
	for ch := range c {
		plane := dx[ch*w.H*w.W : (ch+1)*w.H*w.W]
		for i := range w.KH {
			for j := range w.KW {
				col2imRow(plane, col[r*oh*ow:(r+1)*oh*ow], w, i*w.Dilation-w.Pad, j*w.Dilation-w.Pad)
				r++
			}
		}
	}
}

// col2imRow adds one row of col back onto the plane it was taken from.
func col2imRow(plane, src []float32, w *Window, di, dj int) {
	oh, ow := w.OutH(), w.OutW()
	lo, hi := span(dj, w.W, w.Stride, ow)
	for y := range oh {
		h := y*w.Stride + di
		if h < 0 || h >= w.H || lo >= hi {
			continue
		}
		s, d := src[y*ow:(y+1)*ow], plane[h*w.W:(h+1)*w.W]
		if w.Stride == 1 {
			Add(d[lo+dj:hi+dj], d[lo+dj:hi+dj], s[lo:hi])
			continue
		}
		for x := lo; x < hi; x++ {
			d[x*w.Stride+dj] += s[x]
		}
	}
}

// Conv2D is a caller-owned plan for a 2-D convolution of NCHW tensors, lowered to
// Im2col and Gemm: x [B, C, H, W] and a weight [O, C, KH, KW] give y [B, O, OutH,
// OutW] with y[b] = weight · Im2col(x[b]) (the weight seen as [O, C·KH·KW]). Its
// methods do not allocate after their first call; the caller provides the im2col
// buffers, sized by ColSize.
type Conv2D struct {
	Window
	B, C, O int

	fwd, dw, dx Gemm
}

// NewConv2D returns the plan for batch b, c input and o output channels.
func NewConv2D(b, c, o int, w Window) *Conv2D {
	k := &Conv2D{Window: w, B: b, C: c, O: o}
	taps, pos := k.taps(), k.OutH()*k.OutW()
	k.fwd = Gemm{M: o, N: pos, K: taps}
	k.dw = Gemm{TransB: true, M: o, N: taps, K: pos}
	k.dx = Gemm{TransA: true, M: taps, N: pos, K: o}
	return k
}

// taps is the length of a receptive field, C·KH·KW.
func (k *Conv2D) taps() int { return k.C * k.KH * k.KW }

// ColSize is the size of one sample's im2col matrix, C·KH·KW·OutH·OutW.
func (k *Conv2D) ColSize() int { return k.taps() * k.OutH() * k.OutW() }

// Forward sets y = conv(x, weight), leaving every sample's im2col matrix in col
// (B·ColSize) for Weight.
func (k *Conv2D) Forward(y, x, weight, col []float32) {
	in, out, n := k.C*k.H*k.W, k.O*k.OutH()*k.OutW(), k.ColSize()
	for b := range k.B {
		cb := col[b*n : (b+1)*n]
		Im2col(cb, x[b*in:(b+1)*in], k.C, &k.Window)
		k.fwd.Run(y[b*out:(b+1)*out], weight, cb, false)
	}
}

// Weight sets dw = Σ_b dy[b] · col[b]ᵀ, the gradient of the weight, from the
// upstream gradient dy [B, O, OutH, OutW] and the im2col matrices Forward left in col.
func (k *Conv2D) Weight(dw, dy, col []float32) {
	out, n := k.O*k.OutH()*k.OutW(), k.ColSize()
	for b := range k.B {
		k.dw.Run(dw, dy[b*out:(b+1)*out], col[b*n:(b+1)*n], b > 0)
	}
}

// Input sets dx[b] = Col2im(weightᵀ · dy[b]), the gradient of the input, using dcol
// (ColSize) as scratch.
func (k *Conv2D) Input(dx, dy, weight, dcol []float32) {
	in, out := k.C*k.H*k.W, k.O*k.OutH()*k.OutW()
	for b := range k.B {
		k.dx.Run(dcol, weight, dy[b*out:(b+1)*out], false)
		Col2im(dx[b*in:(b+1)*in], dcol, k.C, &k.Window)
	}
}
