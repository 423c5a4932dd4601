package kernels

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBinaryLengths compares Add and Mul with the scalar loop on lengths around the
// 16-lane blocks, in place too (dst aliasing a), as SumRows and AddBias use Add.
func TestBinaryLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, op := range []struct {
		name   string
		kernel func(dst, a, b []float32)
		scalar func(a, b float32) float32
	}{
		{"add", Add, func(a, b float32) float32 { return a + b }},
		{"mul", Mul, func(a, b float32) float32 { return a * b }},
	} {
		for _, n := range []int{1, 15, 16, 17, 31, 32, 100, 300, 784} {
			a, b := make([]float32, n), make([]float32, n)
			for i := range a {
				a[i], b[i] = r.Float32()*2-1, r.Float32()*2-1
			}
			want := make([]float32, n)
			for i := range want {
				want[i] = op.scalar(a[i], b[i])
			}
			d := make([]float32, n)
			op.kernel(d, a, b)
			op.kernel(a, a, b)
			for i := range want {
				if d[i] != want[i] || a[i] != want[i] {
					t.Fatalf("%s n %d, i %d: %v and in place %v, want %v", op.name, n, i, d[i], a[i], want[i])
				}
			}
		}
	}
}

// TestSGDMomentum checks SGDMomentumBlocks bit for bit against the scalar rule on
// lengths around the 16-lane blocks: it updates the whole blocks and nothing after.
func TestSGDMomentum(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	const lr, mu, wd = 0.05, 0.9, 1e-4
	for _, n := range []int{1, 15, 16, 17, 100, 1810, 18711} {
		w, g, buf := spRand(r, n), spRand(r, n), spRand(r, n)
		ww, wb := make([]float32, n), make([]float32, n)
		for i := range w {
			b := float32(mu)*buf[i] + (g[i] + float32(wd)*w[i])
			ww[i], wb[i] = w[i]-float32(lr)*b, b
		}
		w0, buf0 := slices.Clone(w), slices.Clone(buf)
		done := SGDMomentumBlocks(w, g, buf, lr, mu, wd)
		if want := map[bool]int{true: n &^ 15, false: 0}[avx512]; done != want {
			t.Fatalf("n %d: %d updated, want %d", n, done, want)
		}
		if !spSameBits(w[:done], ww[:done]) || !spSameBits(buf[:done], wb[:done]) ||
			!spSameBits(w[done:], w0[done:]) || !spSameBits(buf[done:], buf0[done:]) {
			t.Fatalf("n %d: weights or momentum differ from the scalar rule", n)
		}
	}
}
