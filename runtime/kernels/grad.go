package kernels

import "math"

// ReluGrad sets dst[i] = g[i] if x[i] > 0, else 0.
//
// Like Relu, it masks rather than branches (16 lanes at a time with AVX-512), and
// shares large slices out.
func ReluGrad(dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	if s := acquireElementwise(len(dst)); s != nil {
		s.kind, s.dst, s.g, s.x = ewReluGrad, dst, g, x
		s.split(len(dst), ewChunk)
		return
	}
	reluGrad(dst, g, x)
}

func reluGrad(dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	i := 0
	if avx512 && len(dst) >= 16 {
		i = len(dst) &^ 15
		reluGradAVX512(&dst[0], &g[0], &x[0], i)
	}
	for ; i < len(dst); i++ {
		dst[i] = math.Float32frombits(math.Float32bits(g[i]) & (uint32(b2i(x[i] <= 0)) - 1))
	}
}

// LeakyReluGrad sets dst[i] = g[i] if x[i] > 0, else slope*g[i].
func LeakyReluGrad(dst, g, x []float32, slope float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		v := g[i]
		if x[i] <= 0 {
			v *= slope
		}
		dst[i] = v
	}
}

// AbsGrad sets dst[i] = g[i]·sign(x[i]) (0 at x[i] = 0).
func AbsGrad(dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		switch {
		case x[i] > 0:
			dst[i] = g[i]
		case x[i] < 0:
			dst[i] = -g[i]
		default:
			dst[i] = 0
		}
	}
}

// ClampGrad sets dst[i] = g[i] where lo < x[i] < hi, else 0.
func ClampGrad(dst, g, x []float32, lo, hi float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		v := g[i]
		if x[i] <= lo || x[i] >= hi {
			v = 0
		}
		dst[i] = v
	}
}

// TanhGrad sets dst[i] = g[i]·(1 - y[i]²) where y = tanh x.
func TanhGrad(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * (1 - y[i]*y[i])
	}
}

// SigmoidGrad sets dst[i] = g[i]·y[i]·(1 - y[i]) where y = sigmoid x.
func SigmoidGrad(dst, g, y []float32) {
	g, y = g[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = g[i] * y[i] * (1 - y[i])
	}
}

// GeluGrad sets dst[i] = g[i]·gelu'(x[i]) for the tanh approximation used by Gelu.
func GeluGrad(dst, g, x []float32) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		v := float64(x[i])
		t := math.Tanh(geluC * (v + 0.044715*v*v*v))
		d := 0.5*(1+t) + 0.5*v*(1-t*t)*geluC*(1+3*0.044715*v*v)
		dst[i] = g[i] * float32(d)
	}
}
