package kernels

import (
	"fmt"
	"math/bits"
)

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

// planeTables are the programs of the assembly im2col and col2im for one channel
// of a window, built once per plan. im2col copies each row of each tap's output
// positions, in chunks of 16, from the plane (or zeros): with masked loads for
// stride 1, masked loads and a permutation for stride 2, with gathers of every
// Stride-th element otherwise. col2im sums, for each
// row of the plane in chunks of 16, the rows of col that Im2col took it from, in the
// order Col2im adds them: with masked loads for stride 1, with expanding loads
// (consecutive elements of col to every Stride-th lane) otherwise. Both give the
// same bits as the loops.
type planeTables struct {
	im2col, col2im []int
	nIm, nCol      int       // entries of im2col, groups of col2im
	lanes          [16]int32 // l·Stride: the offsets of a gather's or a permutation's lanes
}

// lanes16 is the mask of lanes [a, b) of 16, a and b clamped to [0, 16].
func lanes16(a, b int) int {
	a, b = min(max(a, 0), 16), min(max(b, 0), 16)
	if a >= b {
		return 0
	}
	return (1<<b - 1) &^ (1<<a - 1)
}

// newPlaneTables returns the tables of w, or nil if the assembly cannot run.
func newPlaneTables(w *Window) *planeTables {
	if !avx512 {
		return nil
	}
	t := &planeTables{}
	for l := range t.lanes {
		t.lanes[l] = int32(l * w.Stride)
	}
	t.im2colTable(w)
	t.col2imTable(w)
	return t
}

// im2colTable builds the entries {dstOff, srcOff, ldmask, stmask} of im2col: lane l
// of an entry copies src[srcOff + l·Stride] to dst[dstOff + l], or 0 outside ldmask.
func (t *planeTables) im2colTable(w *Window) {
	oh, ow := w.OutH(), w.OutW()
	for i := range w.KH {
		for j := range w.KW {
			di, dj := i*w.Dilation-w.Pad, j*w.Dilation-w.Pad
			lo, hi := span(dj, w.W, w.Stride, ow)
			for y := range oh {
				for c0 := 0; c0 < ow; c0 += 16 {
					st, ld, src := lanes16(0, ow-c0), 0, 0
					if h := y*w.Stride + di; h >= 0 && h < w.H {
						ld, src = lanes16(lo-c0, hi-c0)&st, h*w.W+c0*w.Stride+dj
					}
					if w.Stride == 2 {
						ld = evenLanes(ld)
					}
					t.im2col = append(t.im2col, ((i*w.KW+j)*oh+y)*ow+c0, src, ld, st)
					t.nIm++
				}
			}
		}
	}
}

// evenLanes spreads the 16 bits of m to the even bits of 32: the elements of the
// two vectors im2colStride2AVX512 loads that its lanes m take.
func evenLanes(m int) int {
	e := 0
	for l := range 16 {
		if m&(1<<l) != 0 {
			e |= 1 << (2 * l)
		}
	}
	return e
}

// col2imTable builds the groups {dstOff, stmask, count, count pairs {srcOff,
// ldmask}} of col2im. For stride 1 lane l of a pair reads src[srcOff + l]; for
// larger strides the set lanes of ldmask read src[srcOff], src[srcOff+1], … in turn.
func (t *planeTables) col2imTable(w *Window) {
	oh, ow := w.OutH(), w.OutW()
	for h := range w.H {
		for c0 := 0; c0 < w.W; c0 += 16 {
			st := lanes16(0, w.W-c0)
			t.col2im = append(t.col2im, h*w.W+c0, st, 0)
			head := len(t.col2im) - 1
			for i := range w.KH {
				hy := h - (i*w.Dilation - w.Pad)
				if hy < 0 || hy%w.Stride != 0 || hy/w.Stride >= oh {
					continue
				}
				row := hy / w.Stride
				for j := range w.KW {
					m, x0 := pixelLanes(w, c0, j*w.Dilation-w.Pad)
					if m &= st; m == 0 {
						continue
					}
					off := ((i*w.KW+j)*oh+row)*ow + x0
					if w.Stride == 1 {
						off -= bits.TrailingZeros(uint(m)) // lane 0's offset
					}
					t.col2im = append(t.col2im, off, m)
					t.col2im[head]++
				}
			}
			t.nCol++
		}
	}
}

// pixelLanes returns the mask of the pixels c0 + l (l < 16) of a plane row that
// the tap at column offset dj reaches, u = x·Stride + dj for an output column x,
// and the x of the first of them.
func pixelLanes(w *Window, c0, dj int) (mask, x0 int) {
	x0 = -1
	for l := range 16 {
		u := c0 + l - dj
		if u < 0 || u%w.Stride != 0 || u/w.Stride >= w.OutW() {
			continue
		}
		if x0 < 0 {
			x0 = u / w.Stride
		}
		mask |= 1 << l
	}
	return mask, x0
}

// im2col is Im2col through the tables if there are any.
func (k *Conv2D) im2col(col, x []float32) {
	t := k.tables
	if t == nil || t.nIm == 0 {
		Im2col(col, x, k.C, &k.Window)
		return
	}
	n, plane := k.KH*k.KW*k.OutH()*k.OutW(), k.H*k.W
	_, _ = col[k.C*n-1], x[k.C*plane-1]
	for ch := range k.C {
		switch k.Stride {
		case 1:
			im2colPlaneAVX512(&col[ch*n], &x[ch*plane], &t.im2col[0], t.nIm)
		case 2:
			im2colStride2AVX512(&col[ch*n], &x[ch*plane], &t.im2col[0], t.nIm, &t.lanes[0])
		default:
			im2colGatherAVX512(&col[ch*n], &x[ch*plane], &t.im2col[0], t.nIm, &t.lanes[0])
		}
	}
}

// col2im is Col2im through the tables if there are any.
func (k *Conv2D) col2im(dx, col []float32) {
	t := k.tables
	if t == nil || t.nCol == 0 {
		Col2im(dx, col, k.C, &k.Window)
		return
	}
	n, plane := k.KH*k.KW*k.OutH()*k.OutW(), k.H*k.W
	_, _ = col[k.C*n-1], dx[k.C*plane-1]
	for ch := range k.C {
		if k.Stride == 1 {
			col2imPlaneAVX512(&dx[ch*plane], &col[ch*n], &t.col2im[0], t.nCol)
		} else {
			col2imExpandAVX512(&dx[ch*plane], &col[ch*n], &t.col2im[0], t.nCol)
		}
	}
}

// Conv2D is a caller-owned plan for a 2-D convolution of NCHW tensors, lowered to
// im2col and Gemm: x [B, C, H, W] and a weight [O, C, KH, KW] give y [B, O, OutH,
// OutW] with y[b] = weight · Im2col(x[b]) (the weight seen as [O, C·KH·KW]). Its
// methods do not allocate after their first call; the caller provides the buffer
// Forward leaves for Weight (B·ColSize) and scratch for Input (ColSize).
//
// The samples are shared out between the calling goroutine and Gemm's pool of
// helpers, one at a time (see loop): each goroutine copies a sample's receptive
// fields into its own scratch, where they stay in its core's cache, and multiplies
// them by the weight on its own with a serial Gemm. Forward keeps a copy of x for
// Weight, which copies the receptive fields again, rather than the im2col matrices,
// KH·KW times larger (unless they are smaller than x: strides beyond the window).
// The weight's gradient, a sum over the batch, is summed by fixed groups of samples,
// each group by one goroutine in sample order, and the groups' sums are added in
// order: results do not depend on how the work was shared out.
type Conv2D struct {
	Window
	B, C, O int

	serial bool       // run on the calling goroutine only (tests)
	lanes  []convLane // per-goroutine products and scratch, made on first use
	tables *planeTables
	part   []float32 // the weight gradient's group sums but the first, made on first use
	loop   loop

	phase                   int // which method is running
	x, y, w, col, dy, dx, g []float32
}

// convLane is one goroutine's share of a Conv2D: its products and its scratch for
// one sample's im2col matrix.
type convLane struct {
	fwd, dw, dx Gemm
	col         []float32
}

// The phases of a Conv2D, the work of its loop's items.
const (
	convForward = iota // item b: y[b] and what Weight needs of sample b
	convInput          // item b: dx[b]
	convWeight         // item i: the sum of group i
)

// convGroups is the most groups the weight's gradient is summed by: enough to share
// the work between 8 goroutines, few enough that the group sums stay small. It is a
// constant so that the gradient does not depend on the machine.
const convGroups = 8

// NewConv2D returns the plan for batch b, c input and o output channels.
func NewConv2D(b, c, o int, w Window) *Conv2D {
	return &Conv2D{Window: w, B: b, C: c, O: o}
}

// taps is the length of a receptive field, C·KH·KW.
func (k *Conv2D) taps() int { return k.C * k.KH * k.KW }

// ColSize is the size of one sample's im2col matrix, C·KH·KW·OutH·OutW.
func (k *Conv2D) ColSize() int { return k.taps() * k.OutH() * k.OutW() }

// sizes returns the sizes of one sample of x, of y and of the weight.
func (k *Conv2D) sizes() (in, out, weight int) {
	return k.C * k.H * k.W, k.O * k.OutH() * k.OutW(), k.O * k.taps()
}

// keepsInput reports whether Forward keeps x in col rather than the im2col
// matrices, which take more room.
func (k *Conv2D) keepsInput() bool { in, _, _ := k.sizes(); return in <= k.ColSize() }

// groups is the number of sample groups of the weight's gradient.
func (k *Conv2D) groups() int { return min(k.B, convGroups) }

// Forward sets y = conv(x, weight), leaving in col (B·ColSize) what Weight needs:
// a copy of x or the im2col matrices of the samples.
func (k *Conv2D) Forward(y, x, weight, col []float32) {
	in, out, nw := k.sizes()
	k.check("Forward", y, k.B*out, x, k.B*in, weight, nw, col, k.B*k.ColSize())
	k.y, k.x, k.w, k.col = y, x, weight, col
	k.each(convForward, k.B)
}

// Weight sets dw = Σ_b dy[b] · Im2col(x[b])ᵀ, the gradient of the weight, from the
// upstream gradient dy [B, O, OutH, OutW] and what Forward left in col. The sum runs
// over groups of consecutive samples (at most convGroups of them), each in sample
// order, then over the groups in order.
func (k *Conv2D) Weight(dw, dy, col []float32) {
	_, out, nw := k.sizes()
	k.check("Weight", dw, nw, dy, k.B*out, col, k.B*k.ColSize(), nil, 0)
	if k.B == 0 {
		clear(dw[:nw])
		return
	}
	if n := (k.groups() - 1) * nw; len(k.part) < n {
		k.part = make([]float32, n)
	}
	k.g, k.dy, k.col = dw, dy, col
	k.each(convWeight, k.groups())
	for i := range k.groups() - 1 {
		Add(dw[:nw], dw[:nw], k.part[i*nw:(i+1)*nw])
	}
}

// Input sets dx[b] = Col2im(weightᵀ · dy[b]), the gradient of the input, using dcol
// (ColSize) as the calling goroutine's scratch.
func (k *Conv2D) Input(dx, dy, weight, dcol []float32) {
	in, out, nw := k.sizes()
	k.check("Input", dx, k.B*in, dy, k.B*out, weight, nw, dcol, k.ColSize())
	k.dx, k.dy, k.w, k.col = dx, dy, weight, dcol
	k.each(convInput, k.B)
}

// check panics, on the calling goroutine, if a slice is shorter than its size.
func (k *Conv2D) check(method string, a []float32, na int, b []float32, nb int, c []float32, nc int, d []float32, nd int) {
	if len(a) < na || len(b) < nb || len(c) < nc || len(d) < nd {
		panic(fmt.Sprintf("kernels: Conv2D.%s of %d×%d×%d×%d by %d×%d×%d×%d: slices of %d, %d, %d, %d, need %d, %d, %d, %d",
			method, k.B, k.C, k.H, k.W, k.O, k.C, k.KH, k.KW, len(a), len(b), len(c), len(d), na, nb, nc, nd))
	}
}

// each runs n items of phase on the loop, then drops the references to the
// caller's slices.
func (k *Conv2D) each(phase, n int) {
	k.ready()
	k.phase = phase
	_, out, nw := k.sizes()
	k.loop.run(k, n, !k.serial && k.B*out*nw/k.O >= minParallel)
	k.x, k.y, k.w, k.col, k.dy, k.dx, k.g = nil, nil, nil, nil, nil, nil, nil
}

// ready makes the lanes on first use. With one sample the lone lane's products
// may use the pool themselves.
func (k *Conv2D) ready() {
	if k.lanes != nil {
		return
	}
	taps, pos := k.taps(), k.OutH()*k.OutW()
	k.tables = newPlaneTables(&k.Window)
	k.lanes = make([]convLane, lanes())
	for i := range k.lanes {
		l := &k.lanes[i]
		l.fwd = Gemm{M: k.O, N: pos, K: taps, Serial: k.B > 1}
		l.dw = Gemm{TransB: true, M: k.O, N: taps, K: pos, Serial: k.B > 1}
		l.dx = Gemm{TransA: true, M: taps, N: pos, K: k.O, Serial: k.B > 1}
		l.col = make([]float32, k.ColSize())
	}
}

// item computes item i of the running phase on lane.
func (k *Conv2D) item(lane, i int) {
	l := &k.lanes[lane]
	in, out, nw := k.sizes()
	switch k.phase {
	case convForward:
		x := k.x[i*in : (i+1)*in]
		col := l.col
		if k.keepsInput() {
			copy(k.col[i*in:(i+1)*in], x)
		} else {
			col = k.col[i*k.ColSize() : (i+1)*k.ColSize()]
		}
		k.im2col(col, x)
		l.fwd.Run(k.y[i*out:(i+1)*out], k.w, col, false)
	case convInput:
		dcol := l.col
		if lane == 0 {
			dcol = k.col
		}
		l.dx.Run(dcol, k.w, k.dy[i*out:(i+1)*out], false)
		k.col2im(k.dx[i*in:(i+1)*in], dcol)
	default:
		dst := k.g[:nw]
		if i > 0 {
			dst = k.part[(i-1)*nw : i*nw]
		}
		lo, hi := i*k.B/k.groups(), (i+1)*k.B/k.groups()
		for b := lo; b < hi; b++ {
			l.dw.Run(dst, k.dy[b*out:(b+1)*out], k.sampleCol(l, b), b > lo)
		}
	}
}

// sampleCol returns sample b's im2col matrix: copied into the lane's scratch from
// the input Forward kept in k.col, or where Forward left it there.
func (k *Conv2D) sampleCol(l *convLane, b int) []float32 {
	n := k.ColSize()
	if !k.keepsInput() {
		return k.col[b*n : (b+1)*n]
	}
	in, _, _ := k.sizes()
	k.im2col(l.col, k.col[b*in:(b+1)*in])
	return l.col
}
