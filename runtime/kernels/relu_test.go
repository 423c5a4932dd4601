package kernels

import (
	"math"
	"testing"
)

// TestReluSpecialValues checks the branch-free Relu and ReluGrad bit for bit against
// their definitions on signed zeros, infinities and NaN.
func TestReluSpecialValues(t *testing.T) {
	negZero, inf, nan := float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.NaN())
	x := []float32{-2, -1e-40, negZero, 0, 1e-40, 3, -inf, inf, nan, -nan}
	g := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	y, dx := make([]float32, len(x)), make([]float32, len(x))
	Relu(y, x)
	ReluGrad(dx, g, x)
	for i, v := range x {
		want, wantG := v, g[i]
		if v < 0 {
			want = 0
		}
		if v <= 0 {
			wantG = 0
		}
		if math.Float32bits(y[i]) != math.Float32bits(want) || math.Float32bits(dx[i]) != math.Float32bits(wantG) {
			t.Errorf("x = %v: Relu %v, ReluGrad %v; want %v, %v", v, y[i], dx[i], want, wantG)
		}
	}
}
