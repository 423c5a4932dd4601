package kernels

import "math"

// The kernels below see x as [outer, n, inner] and work per channel j of the middle
// dimension: the channel axis of an NCHW tensor is [B, C, H·W], the last axis of a
// matrix is [rows, n, 1].

// AddAxis sets dst[o,j,i] = x[o,j,i] + b[j]. Large tensors are shared out by
// rows (see shared).
func AddAxis(dst, x, b []float32, outer, n, inner int) {
	_, _, _ = dst[:outer*n*inner], x[:outer*n*inner], b[:n]
	if s := acquireElementwise(outer * n * inner); s != nil {
		s.kind, s.dst, s.x, s.y, s.mid, s.inner = ewAddAxis, dst, x, b, n, inner
		s.split(outer*n, max(1, ewChunk/max(inner, 1)))
		return
	}
	addAxisRows(dst, x, b, 0, outer*n, n, inner)
}

// addAxisRows is AddAxis on rows [lo, hi) of the [outer·n, inner] view.
func addAxisRows(dst, x, b []float32, lo, hi, n, inner int) {
	for r := lo; r < hi; r++ {
		off := r * inner
		AddScalar(dst[off:off+inner], x[off:off+inner], b[r%n])
	}
}

// ScaleAxis sets dst[o,j,i] = x[o,j,i] · s[j].
func ScaleAxis(dst, x, s []float32, outer, n, inner int) {
	for o := range outer {
		for j := range n {
			off := (o*n + j) * inner
			MulScalar(dst[off:off+inner], x[off:off+inner], s[j])
		}
	}
}

// SumOuterInner sets dst[j] = Σ_o,i x[o,j,i], accumulated in float64; it is the
// gradient of AddAxis's b. Each run of inner values is summed by four accumulators
// (lanes i mod 4), added together at its end, so that the adds do not wait on
// one another. Large tensors are shared out by channels (see shared), each summed
// by one goroutine.
func SumOuterInner(dst, x []float32, outer, n, inner int) {
	_, _ = dst[:n], x[:outer*n*inner]
	if s := acquireElementwise(outer * n * inner); s != nil {
		s.kind, s.dst, s.x, s.outer, s.mid, s.inner = ewSumOuterInner, dst, x, outer, n, inner
		s.split(n, 1)
		return
	}
	sumOuterInner(dst, x, 0, n, outer, n, inner)
}

// sumOuterInner is SumOuterInner on channels [lo, hi).
func sumOuterInner(dst, x []float32, lo, hi, outer, n, inner int) {
	for j := lo; j < hi; j++ {
		var s float64
		for o := range outer {
			off := (o*n + j) * inner
			s += sum4(x[off : off+inner])
		}
		dst[j] = float32(s)
	}
}

// sum4 returns Σ x in float64, by four accumulators, ((s0 + s1) + (s2 + s3)).
func sum4(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += float64(v[0])
		s1 += float64(v[1])
		s2 += float64(v[2])
		s3 += float64(v[3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// DotOuterInner sets dst[j] = Σ_o,i g[o,j,i]·x[o,j,i], accumulated in float64; it
// is the gradient of ScaleAxis's s.
func DotOuterInner(dst, g, x []float32, outer, n, inner int) {
	for j := range n {
		var s float64
		for o := range outer {
			off := (o*n + j) * inner
			s += dot64(g[off:off+inner], x[off:off+inner])
		}
		dst[j] = float32(s)
	}
}

func dot64(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// BatchNorm sets dst = (x - mean_j)·invstd_j where mean_j and the biased variance
// var_j are taken over o and i, invstd_j = 1/√(var_j + eps), and saves invstd in
// save[:n]. It then moves the running statistics towards the batch's, PyTorch's
// way: mean = (1-momentum)·mean + momentum·mean_j, and var likewise with the
// unbiased variance var_j·N/(N-1), N = outer·inner (the biased one when N = 1).
func BatchNorm(dst, save, runMean, runVar, x []float32, outer, n, inner int, momentum, eps float32) {
	count := float64(outer * inner)
	m := float64(momentum)
	for j := range n {
		mean := channelSum(x, j, outer, n, inner) / count
		v := centredSquares(x, j, outer, n, inner, mean) / count
		inv := float32(1 / math.Sqrt(v+float64(eps)))
		normalize(dst, x, j, outer, n, inner, float32(mean), inv)
		save[j] = inv
		unbiased := v
		if count > 1 {
			unbiased = v * count / (count - 1)
		}
		runMean[j] = float32((1-m)*float64(runMean[j]) + m*mean)
		runVar[j] = float32((1-m)*float64(runVar[j]) + m*unbiased)
	}
}

// BatchNormEval sets dst = (x - runMean_j)·invstd_j with invstd_j = 1/√(runVar_j +
// eps), and saves invstd in save[:n].
func BatchNormEval(dst, save, runMean, runVar, x []float32, outer, n, inner int, eps float32) {
	for j := range n {
		inv := float32(1 / math.Sqrt(float64(runVar[j])+float64(eps)))
		normalize(dst, x, j, outer, n, inner, runMean[j], inv)
		save[j] = inv
	}
}

// BatchNormGrad is the adjoint of BatchNorm (with batch statistics) for the
// upstream gradient g, the output y and the saved invstd:
// dst = invstd_j·(g - mean_j(g) - y·mean_j(g·y)), the means taken over o and i.
func BatchNormGrad(dst, g, y, invstd []float32, outer, n, inner int) {
	count := float64(outer * inner)
	for j := range n {
		mg := float32(channelSum(g, j, outer, n, inner) / count)
		var s float64
		for o := range outer {
			off := (o*n + j) * inner
			s += dot64(g[off:off+inner], y[off:off+inner])
		}
		mgy := float32(s / count)
		for o := range outer {
			off := (o*n + j) * inner
			normGrad(dst[off:off+inner], g[off:off+inner], y[off:off+inner], mg, mgy, invstd[j])
		}
	}
}

// channelSum returns Σ_o,i x[o,j,i] for one channel j, in float64.
func channelSum(x []float32, j, outer, n, inner int) float64 {
	var s float64
	for o := range outer {
		off := (o*n + j) * inner
		for _, v := range x[off : off+inner] {
			s += float64(v)
		}
	}
	return s
}

// centredSquares returns Σ_o,i (x[o,j,i] - mean)² in float64.
func centredSquares(x []float32, j, outer, n, inner int, mean float64) float64 {
	var s float64
	for o := range outer {
		off := (o*n + j) * inner
		for _, v := range x[off : off+inner] {
			d := float64(v) - mean
			s += d * d
		}
	}
	return s
}

// normalize sets dst[o,j,i] = (x[o,j,i] - mean)·inv for one channel j.
func normalize(dst, x []float32, j, outer, n, inner int, mean, inv float32) {
	for o := range outer {
		off := (o*n + j) * inner
		d, s := dst[off:off+inner], x[off:off+inner]
		for i := range d {
			d[i] = (s[i] - mean) * inv
		}
	}
}

// normGrad sets dst[i] = inv·(g[i] - mg - y[i]·mgy).
func normGrad(dst, g, y []float32, mg, mgy, inv float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = inv * (g[i] - mg - y[i]*mgy)
	}
}

// LayerNorm sets dst[r] = (x[r] - mean(x[r]))·invstd_r for each row r of x [rows,
// n], with the biased variance and invstd_r = 1/√(var_r + eps), and saves invstd_r
// in save[r].
func LayerNorm(dst, save, x []float32, rows, n int, eps float32) {
	for r := range rows {
		row := x[r*n : (r+1)*n]
		mean := float64(SumAll(row)) / float64(n)
		v := centredSquares(row, 0, 1, 1, n, mean) / float64(n)
		inv := float32(1 / math.Sqrt(v+float64(eps)))
		normalize(dst[r*n:(r+1)*n], row, 0, 1, 1, n, float32(mean), inv)
		save[r] = inv
	}
}

// LayerNormGrad is the adjoint of LayerNorm for the upstream gradient g, the output
// y and the saved invstd: dst[r] = invstd_r·(g[r] - mean(g[r]) - y[r]·mean(g[r]·y[r])).
func LayerNormGrad(dst, g, y, invstd []float32, rows, n int) {
	for r := range rows {
		gr, yr := g[r*n:(r+1)*n], y[r*n:(r+1)*n]
		mg := SumAll(gr) / float32(n)
		mgy := float32(dot64(gr, yr) / float64(n))
		normGrad(dst[r*n:(r+1)*n], gr, yr, mg, mgy, invstd[r])
	}
}
