package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestReluSpecialValues checks Relu, ReluGrad and AddScalar bit for bit against
// their definitions on signed zeros, infinities and NaN.
func TestReluSpecialValues(t *testing.T) {
	negZero, inf, nan := float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.NaN())
	var x, g []float32
	for range 5 { // past 16 values, through the vector loops and their tails
		x = append(x, -2, -1e-40, negZero, 0, 1e-40, 3, -inf, inf, nan, -nan)
	}
	for i := range x {
		g = append(g, float32(i+1))
	}
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
	for _, s := range []float32{0, negZero, 1.5, -inf, nan} {
		AddScalar(y, x, s)
		for i, v := range x {
			if want := v + s; math.Float32bits(y[i]) != math.Float32bits(want) {
				t.Errorf("AddScalar: %v + %v = %v, want %v", v, s, y[i], want)
			}
		}
	}
}

// TestSharedElementwise checks the elementwise kernels that share large tensors out
// against their serial loops, bit for bit, on tensors above and below the threshold.
func TestSharedElementwise(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, sh := range [][3]int{{128, 32, 784}, {3, 5, 7}, {1, 1, minElementwiseParallel + 3}, {700, 600, 1}} {
		outer, n, inner := sh[0], sh[1], sh[2]
		size := outer * n * inner
		x, g, b := randSlice(r, size), randSlice(r, size), randSlice(r, n)
		got, want := make([]float32, size), make([]float32, size)
		Relu(got, x)
		relu(want, x)
		if !sameBits(got, want) {
			t.Fatalf("%v: Relu differs from its loop", sh)
		}
		ReluGrad(got, g, x)
		reluGrad(want, g, x)
		if !sameBits(got, want) {
			t.Fatalf("%v: ReluGrad differs from its loop", sh)
		}
		AddAxis(got, x, b, outer, n, inner)
		for i := range want {
			want[i] = x[i] + b[i/inner%n]
		}
		if !sameBits(got, want) {
			t.Fatalf("%v: AddAxis differs from its definition", sh)
		}
		sum, wantSum := make([]float32, n), make([]float32, n)
		SumOuterInner(sum, x, outer, n, inner)
		sumOuterInner(wantSum, x, 0, n, outer, n, inner)
		if !sameBits(sum, wantSum) {
			t.Fatalf("%v: SumOuterInner differs from its loop", sh)
		}
		for j := range n {
			var s float64
			for o := range outer {
				for i := range inner {
					s += float64(x[(o*n+j)*inner+i])
				}
			}
			if d := math.Abs(float64(sum[j]) - s); d > 1e-6*(1+math.Abs(s)) {
				t.Fatalf("%v: SumOuterInner[%d] = %g, want %g", sh, j, sum[j], s)
			}
		}
	}
}

func TestSharedElementwiseNoAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	outer, n, inner := 64, 32, 784
	x, g, b, d, s := randSlice(r, outer*n*inner), randSlice(r, outer*n*inner), randSlice(r, n), make([]float32, outer*n*inner), make([]float32, n)
	if a := testing.AllocsPerRun(5, func() {
		Relu(d, x)
		ReluGrad(d, g, x)
		AddAxis(d, x, b, outer, n, inner)
		SumOuterInner(s, x, outer, n, inner)
	}); a != 0 {
		t.Errorf("shared elementwise kernels allocate %v times", a)
	}
}
