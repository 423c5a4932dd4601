package kernels

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
)

// BenchmarkGemm compares Gemm with one direct call of gonum's Sgemm (which starts
// goroutines per call) on the products of a 784-300-100-10 MLP step at batch 128.
func BenchmarkGemm(b *testing.B) {
	for _, sz := range [][5]int{{128, 300, 784, 0, 1}, {300, 784, 128, 1, 0}, {128, 784, 300, 0, 0}, {128, 100, 300, 0, 1}, {100, 300, 128, 1, 0}} {
		m, n, k := sz[0], sz[1], sz[2]
		ta, tb := sz[3] == 1, sz[4] == 1
		x, w, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
		for i := range x {
			x[i] = 1
		}
		for i := range w {
			w[i] = 1
		}
		g := &Gemm{TransA: ta, TransB: tb, M: m, N: n, K: k}
		lda, ldb, ldc := g.ld()
		name := fmt.Sprintf("%dx%dx%d/", m, n, k)
		b.Run(name+"pool", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				g.Run(c, x, w, false)
			}
		})
		b.Run(name+"gonum", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				blas32.Implementation().Sgemm(trans(ta), trans(tb), m, n, k, 1, x, lda, w, ldb, 0, c, ldc)
			}
		})
	}
}
