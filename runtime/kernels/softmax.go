package kernels

import (
	"math"
	"math/rand/v2"
)

// Softmax sets dst to the softmax of x along the middle axis of [outer, n, inner],
// subtracting the maximum first for stability.
func Softmax(dst, x []float32, outer, n, inner int) {
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			m := lineMax(x, base, n, inner)
			var s float64
			for j := range n {
				e := math.Exp(float64(x[base+j*inner] - m))
				dst[base+j*inner] = float32(e)
				s += e
			}
			inv := float32(1 / s)
			for j := range n {
				dst[base+j*inner] *= inv
			}
		}
	}
}

// LogSoftmax sets dst[.,j,.] = x[.,j,.] - log Σ_k exp x[.,k,.] along the middle axis
// of [outer, n, inner], using the log-sum-exp trick.
func LogSoftmax(dst, x []float32, outer, n, inner int) {
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			m, ls := logSumExp(x, base, n, inner)
			for j := range n {
				dst[base+j*inner] = (x[base+j*inner] - m) - ls
			}
		}
	}
}

// SoftmaxGrad sets dst = y·(g - Σ_j g·y) along the middle axis, where y = softmax x.
func SoftmaxGrad(dst, g, y []float32, outer, n, inner int) {
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			var s float32
			for j := range n {
				s += g[base+j*inner] * y[base+j*inner]
			}
			for j := range n {
				k := base + j*inner
				dst[k] = y[k] * (g[k] - s)
			}
		}
	}
}

// LogSoftmaxGrad sets dst = g - exp(y)·Σ_j g along the middle axis, where
// y = log_softmax x.
func LogSoftmaxGrad(dst, g, y []float32, outer, n, inner int) {
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			var s float32
			for j := range n {
				s += g[base+j*inner]
			}
			for j := range n {
				k := base + j*inner
				dst[k] = g[k] - float32(math.Exp(float64(y[k])))*s
			}
		}
	}
}

// lineMax is the maximum of x[base + j*stride] for j < n.
func lineMax(x []float32, base, n, stride int) float32 {
	m := float32(math.Inf(-1))
	for j := range n {
		m = max(m, x[base+j*stride])
	}
	return m
}

// logSumExp returns m, the maximum of the line x[base + j*stride], and
// ls = log Σ_j exp(x[.] - m), so that log Σ_j exp x[.] = m + ls. Callers subtract m
// before adding ls, which keeps results near zero exact when m is large.
func logSumExp(x []float32, base, n, stride int) (m, ls float32) {
	m = lineMax(x, base, n, stride)
	var s float64
	for j := range n {
		s += math.Exp(float64(x[base+j*stride] - m))
	}
	return m, float32(math.Log(s))
}

// SoftmaxCrossEntropy returns the mean over rows of -log softmax(logits)[label] for
// logits [rows, k] and labels [rows] holding class ids as float32, and sets p [rows,
// k] to softmax(logits) (the bits Softmax writes) for SoftmaxCrossEntropyGrad, which
// then needs no exponential. bad is the first row whose label is not an integer in
// [0, k), or -1; the loss is NaN when bad >= 0, and p is not set.
func SoftmaxCrossEntropy(p, logits, labels []float32, rows, k int) (loss float32, bad int) {
	for r := range rows {
		if classID(labels[r], k) < 0 {
			return float32(math.NaN()), r
		}
	}
	per := max(1, expChunk/k) // rows whose exponentials fit in one chunk
	var s float64
	for r0 := 0; r0 < rows; r0 += per {
		r1 := min(rows, r0+per)
		s = softmaxRows(p[r0*k:r1*k], logits[r0*k:r1*k], labels[r0:r1], k, s)
	}
	return float32(s / float64(rows)), -1
}

// softmaxRows sets the rows of p (k wide, at most expChunk of them) to the softmax
// of those of x as Softmax does, and returns s plus each row's -log p[label]
// computed as logSumExp would, from the same exponentials, added in row order. The
// rows' exponentials are taken together, a chunk at a time, so that they overlap.
func softmaxRows(p, x, labels []float32, k int, s float64) float64 {
	var m [expChunk]float32
	var sum [expChunk]float64
	var e [expChunk]float64
	for r := range labels {
		m[r] = lineMax(x, r*k, k, 1)
	}
	r, j := 0, 0 // the row and column of the chunk's next logit
	for i0 := 0; i0 < len(x); i0 += expChunk {
		c := e[:min(expChunk, len(x)-i0)]
		r0, j0 := r, j
		for i := range c {
			c[i] = float64(x[i0+i] - m[r])
			if j++; j == k {
				r, j = r+1, 0
			}
		}
		exps(c)
		r, j = r0, j0
		for i, v := range c {
			p[i0+i] = float32(v)
			sum[r] += v
			if j++; j == k {
				r, j = r+1, 0
			}
		}
	}
	for r := range labels {
		row := p[r*k : (r+1)*k]
		inv := float32(1 / sum[r])
		for j := range row {
			row[j] *= inv
		}
		ls := float32(math.Log(sum[r]))
		s += float64(m[r]-x[r*k+classID(labels[r], k)]) + float64(ls)
	}
	return s
}

// expChunk is how many exponentials softmaxRows takes at a time, a multiple of 8.
const expChunk = 64

// expVecMin is the least argument exps hands to expAVX512: math.Exp's result is
// then normal, so its assembly takes no special path.
const expVecMin = -700

// exps sets x[i] = math.Exp(x[i]), bit for bit. When every x[i] lies in
// [expVecMin, 0] (logits minus their maximum) it takes them 8 at a time with
// expAVX512, padding x with zeros up to a multiple of 8 within its capacity;
// else one at a time.
func exps(x []float64) {
	n := (len(x) + 7) &^ 7
	if expVec && len(x) > 0 && n <= cap(x) && inExpRange(x) {
		p := x[:n]
		clear(p[len(x):])
		expAVX512(&p[0], n)
		return
	}
	for i, v := range x {
		x[i] = math.Exp(v)
	}
}

// inExpRange reports whether every x[i] lies in [expVecMin, 0] (NaNs do not).
func inExpRange(x []float64) bool {
	for _, v := range x {
		if !(v >= expVecMin && v <= 0) {
			return false
		}
	}
	return true
}

// SoftmaxCrossEntropyGrad sets dst = scale·(p - onehot(labels)), p [rows, k] being
// the softmax of the logits that SoftmaxCrossEntropy wrote: the gradient of
// SoftmaxCrossEntropy when scale = upstream/rows. Rows with an invalid label get a
// zero gradient.
func SoftmaxCrossEntropyGrad(dst, p, labels []float32, rows, k int, scale float32) {
	copy(dst[:rows*k], p)
	for r := range rows {
		row := dst[r*k : (r+1)*k]
		c := classID(labels[r], k)
		if c < 0 {
			clear(row)
			continue
		}
		row[c] -= 1
		MulScalar(row, row, scale)
	}
}

// classID converts a float32 class id to an index in [0, k), or -1 if it is not one.
func classID(v float32, k int) int {
	c := int(v)
	if float32(c) != v || c < 0 || c >= k {
		return -1
	}
	return c
}

// MSE returns the mean of (a[i] - b[i])², accumulated in float64.
func MSE(a, b []float32) float32 {
	b = b[:len(a)]
	var s float64
	for i := range a {
		d := float64(a[i] - b[i])
		s += d * d
	}
	return float32(s / float64(len(a)))
}

// MSEGrad sets dst[i] = scale·(a[i] - b[i]); with scale = 2·upstream/len(a) it is the
// gradient of MSE with respect to a.
func MSEGrad(dst, a, b []float32, scale float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = scale * (a[i] - b[i])
	}
}

// Dropout draws an inverted-dropout mask from rng (mask[i] = 0 with probability rate,
// else 1/(1-rate), for 0 <= rate < 1) and sets dst[i] = x[i]·mask[i]. Each 64-bit draw gives two
// 32-bit uniforms, so the mask depends only on the generator's state.
func Dropout(dst, mask, x []float32, rng *rand.PCG, rate float32) {
	keep := float32(1 / (1 - float64(rate)))
	limit := uint32(float64(rate) * (1 << 32))
	for i := 0; i < len(mask); i += 2 {
		u := rng.Uint64()
		mask[i] = pick(uint32(u) < limit, keep)
		if i+1 < len(mask) {
			mask[i+1] = pick(uint32(u>>32) < limit, keep)
		}
	}
	Mul(dst, x, mask)
}

// pick returns 0 if drop, else keep.
func pick(drop bool, keep float32) float32 {
	if drop {
		return 0
	}
	return keep
}
