package kernels

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// benchShapes are {M, N, K, TransA, TransB}: the products of one training step of a
// 784-300-100-10 MLP at batch 128 (forward x·Wᵀ, weight gradients dYᵀ·X, input
// gradients dY·W), then 1024³.
var benchShapes = [][5]int{
	{128, 300, 784, 0, 1}, {128, 100, 300, 0, 1}, {128, 10, 100, 0, 1},
	{300, 784, 128, 1, 0}, {100, 300, 128, 1, 0}, {10, 100, 128, 1, 0},
	{128, 300, 100, 0, 0}, {128, 100, 10, 0, 0},
	{1024, 1024, 1024, 0, 0},
}

// BenchmarkGemm reports GFLOP/s of Gemm (each micro-kernel this CPU can run) and of
// one direct call of gonum's Sgemm (which starts goroutines per call) on
// benchShapes: the mean over the run ("GFLOP/s") and the median over calls
// ("med-GFLOP/s"), which other load on the machine disturbs less.
func BenchmarkGemm(b *testing.B) {
	for _, sz := range benchShapes {
		m, n, k := sz[0], sz[1], sz[2]
		ta, tb := sz[3] == 1, sz[4] == 1
		x, w, c := benchSlice(m*k), benchSlice(n*k), make([]float32, m*n)
		name := fmt.Sprintf("%dx%dx%d%s/", m, n, k, map[[2]bool]string{{}: "", {true, false}: "TN", {false, true}: "NT"}[[2]bool{ta, tb}])
		flops := 2 * float64(m*n*k)
		for _, u := range append(append([]*micro(nil), asmMicros...), goMicro) {
			g := &Gemm{TransA: ta, TransB: tb, M: m, N: n, K: k, u: u}
			b.Run(name+"roux-"+u.name, func(b *testing.B) {
				b.ReportAllocs()
				benchFlops(b, flops, func() { g.Run(c, x, w, false) })
			})
		}
		lda, ldb := k, n
		if ta {
			lda = m
		}
		if tb {
			ldb = k
		}
		b.Run(name+"gonum", func(b *testing.B) {
			benchFlops(b, flops, func() {
				blas32.Implementation().Sgemm(trans(ta), trans(tb), m, n, k, 1, x, lda, w, ldb, 0, c, n)
			})
		})
	}
}

// benchFlops runs f in b's loop and reports its GFLOP/s, mean and median.
func benchFlops(b *testing.B, flops float64, f func()) {
	var ts [1024]time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		f()
		ts[i%len(ts)] = time.Since(t0)
		i++
	}
	med := ts[:min(i, len(ts))]
	slices.Sort(med)
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flops/med[len(med)/2].Seconds()/1e9, "med-GFLOP/s")
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func benchSlice(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(i%13)*0.1 - 0.6
	}
	return s
}
