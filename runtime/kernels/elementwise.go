package kernels

import "math"

// Copy sets dst[i] = x[i].
func Copy(dst, x []float32) { copy(dst, x) }

// Fill sets every dst[i] = v.
func Fill(dst []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}

// Add sets dst[i] = a[i] + b[i].
func Add(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := blocks16(addAVX512, dst, a, b); i < len(dst); i++ {
		dst[i] = a[i] + b[i]
	}
}

// blocks16 runs an AVX-512 kernel on the whole blocks of 16 of dst, a and b (all as
// long as dst) and returns how many elements it did: 0 without AVX-512.
func blocks16(kernel func(dst, a, b *float32, n int), dst, a, b []float32) int {
	n := len(dst) &^ 15
	if !avx512 || n == 0 {
		return 0
	}
	kernel(&dst[0], &a[0], &b[0], n)
	return n
}

// Sub sets dst[i] = a[i] - b[i].
func Sub(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Mul sets dst[i] = a[i] * b[i] (masks on gradients and weights, elementwise products).
func Mul(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := blocks16(mulAVX512, dst, a, b); i < len(dst); i++ {
		dst[i] = a[i] * b[i]
	}
}

// Div sets dst[i] = a[i] / b[i].
func Div(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] = a[i] / b[i]
	}
}

// AddScalar sets dst[i] = x[i] + s.
func AddScalar(dst, x []float32, s float32) {
	x = x[:len(dst)]
	i := 0
	if avx512 && len(dst) >= 16 {
		i = len(dst) &^ 15
		addScalarAVX512(&dst[0], &x[0], s, i)
	}
	for ; i < len(dst); i++ {
		dst[i] = x[i] + s
	}
}

// SubScalar sets dst[i] = x[i] - s.
func SubScalar(dst, x []float32, s float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] - s
	}
}

// ScalarSub sets dst[i] = s - x[i].
func ScalarSub(dst []float32, s float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = s - x[i]
	}
}

// MulScalar sets dst[i] = x[i] * s.
func MulScalar(dst, x []float32, s float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * s
	}
}

// DivScalar sets dst[i] = x[i] / s.
func DivScalar(dst, x []float32, s float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] / s
	}
}

// ScalarDiv sets dst[i] = s / x[i].
func ScalarDiv(dst []float32, s float32, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = s / x[i]
	}
}

// Neg sets dst[i] = -x[i].
func Neg(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = -x[i]
	}
}

// Exp sets dst[i] = e^x[i].
func Exp(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(math.Exp(float64(x[i])))
	}
}

// Log sets dst[i] = ln x[i].
func Log(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(math.Log(float64(x[i])))
	}
}

// Sqrt sets dst[i] = √x[i].
func Sqrt(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(math.Sqrt(float64(x[i])))
	}
}

// Square sets dst[i] = x[i]².
func Square(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * x[i]
	}
}

// Abs sets dst[i] = |x[i]|.
func Abs(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(math.Abs(float64(x[i])))
	}
}

// Relu sets dst[i] = max(x[i], 0).
//
// It does not branch on the sign, which is random: it runs 16 lanes at a time with
// AVX-512 where it can, and otherwise clears the bits of negative values with a
// mask. Large slices are shared out (see shared).
func Relu(dst, x []float32) {
	x = x[:len(dst)]
	if s := acquireElementwise(len(dst)); s != nil {
		s.kind, s.dst, s.x = ewRelu, dst, x
		s.split(len(dst), ewChunk)
		return
	}
	relu(dst, x)
}

func relu(dst, x []float32) {
	x = x[:len(dst)]
	i := 0
	if avx512 && len(dst) >= 16 {
		i = len(dst) &^ 15
		reluAVX512(&dst[0], &x[0], i)
	}
	for ; i < len(dst); i++ {
		v := x[i]
		dst[i] = math.Float32frombits(math.Float32bits(v) & (uint32(b2i(v < 0)) - 1))
	}
}

// minElementwiseParallel is the least number of elements an elementwise kernel
// shares out: below it, waking a helper costs more than it saves.
const minElementwiseParallel = 1 << 18

// ewChunk is the number of elements of one item of a shared elementwise kernel.
const ewChunk = 1 << 15

// acquireElementwise returns a shared loop for an elementwise kernel over n
// elements, or nil if it should run on the calling goroutine alone.
func acquireElementwise(n int) *shared { return acquireFor(n, minElementwiseParallel) }

// elementwiseItem computes units [lo, hi) of an elementwise kernel: elements, rows
// of AddAxis or channels of SumOuterInner.
func (s *shared) elementwiseItem(lo, hi int) {
	switch s.kind {
	case ewRelu:
		relu(s.dst[lo:hi], s.x[lo:hi])
	case ewReluGrad:
		reluGrad(s.dst[lo:hi], s.g[lo:hi], s.x[lo:hi])
	case ewAddAxis:
		addAxisRows(s.dst, s.x, s.y, lo, hi, s.mid, s.inner)
	case ewAccumulate:
		Add(s.dst[lo:hi], s.dst[lo:hi], s.x[lo:hi])
	case ewMomentum:
		sgdMomentum(s.dst[lo:hi], s.x[lo:hi], s.y[lo:hi], s.lr, s.mu, s.wd)
	default: // ewSumOuterInner
		sumOuterInner(s.dst, s.x, lo, hi, s.outer, s.mid, s.inner)
	}
}

// LeakyRelu sets dst[i] = x[i] if x[i] > 0, else slope*x[i].
func LeakyRelu(dst, x []float32, slope float32) {
	x = x[:len(dst)]
	for i := range dst {
		v := x[i]
		if v < 0 {
			v *= slope
		}
		dst[i] = v
	}
}

// Tanh sets dst[i] = tanh x[i].
func Tanh(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(math.Tanh(float64(x[i])))
	}
}

// Sigmoid sets dst[i] = 1 / (1 + e^-x[i]).
func Sigmoid(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = float32(1 / (1 + math.Exp(-float64(x[i]))))
	}
}

// Softplus sets dst[i] = log(1 + e^x[i]), computed as max(x, 0) + log1p(e^-|x|) so
// that it neither overflows for large x nor rounds to 0 for very negative x.
func Softplus(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		v := float64(x[i])
		dst[i] = float32(max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))))
	}
}

// Greater sets dst[i] = 1 if x[i] > t, else 0.
func Greater(dst, x []float32, t float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = 0
		if x[i] > t {
			dst[i] = 1
		}
	}
}

// Clamp sets dst[i] = min(max(x[i], lo), hi).
func Clamp(dst, x []float32, lo, hi float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = min(max(x[i], lo), hi)
	}
}

// geluC is √(2/π), the constant of the tanh approximation of GELU.
const geluC = 0.7978845608028654

// Gelu sets dst[i] to the tanh approximation of GELU:
// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
func Gelu(dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		v := float64(x[i])
		dst[i] = float32(0.5 * v * (1 + math.Tanh(geluC*(v+0.044715*v*v*v))))
	}
}

// SGDMomentumBlocks takes an SGD step with momentum on the elements of w up to the
// last whole block of 16, with AVX-512, and returns how many it updated (0 without
// AVX-512); the caller updates the rest. Each element gets
//
//	b = mu·buf[i] + (g[i] + wd·w[i]);  buf[i] = b;  w[i] -= lr·b
//
// with each product and sum rounded to float32 in that order (no fused multiply-add),
// as Go computes it on amd64, so the bits are the scalar loop's.
func SGDMomentumBlocks(w, g, buf []float32, lr, mu, wd float32) int {
	n := len(w) &^ 15
	if !avx512 || n == 0 {
		return 0
	}
	g, buf = g[:len(w)], buf[:len(w)]
	momentumAVX512(&w[0], &g[0], &buf[0], n, lr, mu, wd)
	return n
}
