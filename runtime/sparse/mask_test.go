package sparse

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func randWeights(rng *rand.Rand, n int) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	return w
}

func magKeys(w []float32) []float32 {
	k := make([]float32, len(w))
	for i, x := range w {
		k[i] = key(x)
	}
	return k
}

func TestRandomMask(t *testing.T) {
	var s Scratch
	for _, n := range []int{1, 2, 7, 31, 1001} {
		for _, keep := range []int{-3, 0, 1, n / 2, n - 1, n, n + 2} {
			m := make([]float32, n)
			RandomMask(m, keep, rand.New(rand.NewPCG(5, uint64(n))), &s)
			if got, want := NNZ(m), min(max(keep, 0), n); got != want {
				t.Errorf("n=%d keep=%d: %d ones", n, keep, got)
			}
			checkBinary(t, m)
		}
	}
	a, b := make([]float32, 500), make([]float32, 500)
	RandomMask(a, 100, rand.New(rand.NewPCG(9, 9)), nil)
	RandomMask(b, 100, rand.New(rand.NewPCG(9, 9)), &s)
	if !slices.Equal(a, b) {
		t.Error("same seed gave different masks")
	}
}

// TestRandomMaskUniform checks that every position is kept about keep/n of the time.
func TestRandomMaskUniform(t *testing.T) {
	const n, keep, trials = 10, 3, 20000
	hits := make([]int, n)
	rng := rand.New(rand.NewPCG(1, 1))
	m := make([]float32, n)
	var s Scratch
	for range trials {
		RandomMask(m, keep, rng, &s)
		for i, v := range m {
			hits[i] += int(v)
		}
	}
	for i, h := range hits {
		if p := float64(h) / trials; p < 0.28 || p > 0.32 {
			t.Errorf("position %d kept %.3f of the time, want 0.3", i, p)
		}
	}
}

func TestMagnitudeMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var s Scratch
	for _, n := range []int{1, 3, 17, 255, 1001} {
		w := randWeights(rng, n)
		w[0], w[n/2] = 0.5, -0.5 // a tie
		for _, keep := range []int{0, 1, n / 3, n / 2, n - 1, n} {
			m := make([]float32, n)
			MagnitudeMask(m, w, keep, &s)
			want := refTop(magKeys(w), keep)
			for i := range m {
				if (m[i] == 1) != want[i] {
					t.Fatalf("n=%d keep=%d: entry %d (w=%v) mask %v", n, keep, i, w[i], m[i])
				}
			}
			if NNZ(m) != keep {
				t.Fatalf("n=%d keep=%d: nnz %d", n, keep, NNZ(m))
			}
			checkBinary(t, m)
		}
	}
}

func TestMagnitudeTiesKeepLowerIndex(t *testing.T) {
	m := make([]float32, 5)
	MagnitudeMask(m, []float32{1, -1, 1, 1, 2}, 3, nil)
	if want := []float32{1, 1, 0, 0, 1}; !slices.Equal(m, want) {
		t.Errorf("mask %v, want %v", m, want)
	}
}

func TestGlobalMagnitude(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	sizes := []int{13, 1, 200, 77}
	ws, ms := make([][]float32, len(sizes)), make([][]float32, len(sizes))
	var all []float32
	for l, n := range sizes {
		ws[l], ms[l] = randWeights(rng, n), make([]float32, n)
		all = append(all, ws[l]...)
	}
	ws[3][5] = ws[0][2] // a tie across layers
	all[13+1+200+5] = ws[0][2]
	var s Scratch
	for _, keep := range []int{0, 1, 50, 145, 290, 291} {
		GlobalMagnitude(ms, ws, keep, &s)
		want := refTop(magKeys(all), keep)
		off, nnz := 0, 0
		for l := range ms {
			for i, v := range ms[l] {
				if (v == 1) != want[off+i] {
					t.Fatalf("keep=%d: layer %d entry %d mask %v", keep, l, i, v)
				}
			}
			off += len(ms[l])
			nnz += NNZ(ms[l])
		}
		if nnz != keep {
			t.Fatalf("keep=%d: nnz %d", keep, nnz)
		}
	}
}

func TestHelpers(t *testing.T) {
	m := []float32{1, 0, 1, 0}
	w := []float32{3, 4, 5, 6}
	Apply(w, m)
	if !slices.Equal(w, []float32{3, 0, 5, 0}) || NNZ(m) != 2 || Density(m) != 0.5 || Density(nil) != 0 {
		t.Errorf("Apply/NNZ/Density: %v %d %v", w, NNZ(m), Density(m))
	}
	defer func() {
		if recover() == nil {
			t.Error("Apply with mismatched lengths did not panic")
		}
	}()
	Apply(w, m[:3])
}

func checkBinary(t *testing.T, m []float32) {
	t.Helper()
	for i, v := range m {
		if v != 0 && v != 1 {
			t.Fatalf("mask[%d] = %v, not 0 or 1", i, v)
		}
	}
}
