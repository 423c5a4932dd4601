package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestShrinkBottomSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 17))
	var s Scratch
	for _, n := range []int{1, 9, 100, 1001} {
		for _, p := range []int{0, 1, n / 2, n - 1, n} {
			w := randWeights(rng, n)
			w[0] = w[n-1] // a tie (n > 1)
			before := slices.Clone(w)
			inB := refDrop(ones(n), w, p) // the p smallest |w|, higher index first on a tie
			mass := Shrink(w, p, 0.5, &s)
			want := 0.0
			for i := range w {
				scaled := before[i] * 0.5
				if !inB[i] {
					scaled = before[i]
				} else {
					want += float64(key(before[i]))
				}
				if w[i] != scaled {
					t.Fatalf("n=%d p=%d: w[%d] = %v, want %v (in B: %v)", n, p, i, w[i], scaled, inB[i])
				}
			}
			if mass != want {
				t.Fatalf("n=%d p=%d: mass %v, want %v", n, p, mass, want)
			}
		}
	}
}

func TestShrinkClimbOut(t *testing.T) {
	w := []float32{0.1, 0.2, 3, 4}
	Shrink(w, 2, 0.5, nil)
	if !slices.Equal(w, []float32{0.05, 0.1, 3, 4}) {
		t.Fatalf("first shrink: %v", w)
	}
	w[0] = 10 // the optimizer moved it past the others
	mass := Shrink(w, 2, 0.5, nil)
	if !slices.Equal(w, []float32{10, 0.05, 1.5, 4}) || mass != float64(float32(0.1))+3 {
		t.Errorf("second shrink: %v, mass %v", w, mass)
	}
}

func TestShrinkIHTAndGeometric(t *testing.T) {
	w := []float32{-1, 2, -3, 40, 50}
	Shrink(w, PruneCount(5, 0.6), 0, nil)
	if !slices.Equal(w, []float32{0, 0, 0, 40, 50}) {
		t.Errorf("IHT: %v", w)
	}
	// A weight that stays in B for k steps is scaled by ρ^k.
	v := []float32{1, 100}
	for range 100 {
		Shrink(v, 1, 0.99, nil)
	}
	if v[0] < 0.36 || v[0] > 0.37 || v[1] != 100 {
		t.Errorf("0.99^100: %v", v)
	}
}

func ones(n int) []float32 {
	m := make([]float32, n)
	for i := range m {
		m[i] = 1
	}
	return m
}

// TestShrinkMaskMatchesMagnitudeMask checks that the mask ShrinkMask writes is the one
// MagnitudeMask computes from the shrunk weights, for ρ ≤ 1, with ties, zeros and NaNs.
func TestShrinkMaskMatchesMagnitudeMask(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, rho := range []float32{0, 0.5, 0.99, 1} {
		for range 200 {
			n := 1 + r.IntN(40)
			w := make([]float32, n)
			for i := range w {
				switch r.IntN(6) {
				case 0:
					w[i] = float32(math.NaN())
				case 1:
					w[i] = 0
				case 2:
					w[i] = 0.25
				default:
					w[i] = r.Float32()*2 - 1
				}
			}
			p := r.IntN(n + 1)
			a, b := slices.Clone(w), slices.Clone(w)
			got, want := make([]float32, n), make([]float32, n)
			ShrinkMask(got, a, p, rho, nil)
			Shrink(b, p, rho, nil)
			MagnitudeMask(want, b, n-p, nil)
			if !slices.Equal(got, want) || !sameBits(a, b) {
				t.Fatalf("rho %v, prune %d of %v: mask %v, want %v", rho, p, w, got, want)
			}
		}
	}
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}
