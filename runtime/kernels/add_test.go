package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestAddLengths compares Add with the scalar sum on lengths around the 16-lane blocks,
// in place too (dst aliasing a), as SumRows and AddBias use it.
func TestAddLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 15, 16, 17, 31, 32, 100, 300, 784} {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i], b[i] = r.Float32()*2-1, r.Float32()*2-1
		}
		want := make([]float32, n)
		for i := range want {
			want[i] = a[i] + b[i]
		}
		d := make([]float32, n)
		Add(d, a, b)
		Add(a, a, b)
		for i := range want {
			if d[i] != want[i] || a[i] != want[i] {
				t.Fatalf("n %d, i %d: %v and in place %v, want %v", n, i, d[i], a[i], want[i])
			}
		}
	}
}
