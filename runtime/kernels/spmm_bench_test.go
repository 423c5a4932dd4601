package kernels

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// spBenchDensities are the densities of BenchmarkSparse.
var spBenchDensities = []float64{1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.001}

// spBenchKernel is one product of a LeNet 784→300 layer's training step at batch
// 128: the sparse kernel and the Gemm that computes it densely.
type spBenchKernel struct {
	name   string
	gemm   *Gemm
	sparse func(c *spCase, w *CSR, out []float32)
	dense  func(g *Gemm, c *spCase, out []float32)
}

const spOut, spIn, spBatch = 300, 784, 128

var spBenchKernels = []spBenchKernel{
	{"forward", &Gemm{TransB: true, M: spBatch, N: spOut, K: spIn},
		func(c *spCase, w *CSR, y []float32) { SpMMT(y, c.x, w, c.batch) },
		func(g *Gemm, c *spCase, y []float32) { g.Run(y, c.x, c.w, false) }},
	{"inputgrad", &Gemm{M: spBatch, N: spIn, K: spOut},
		func(c *spCase, w *CSR, dx []float32) { SpMM(dx, c.dy, w, c.batch) },
		func(g *Gemm, c *spCase, dx []float32) { g.Run(dx, c.dy, c.w, false) }},
	{"weightgrad", &Gemm{TransA: true, M: spOut, N: spIn, K: spBatch},
		func(c *spCase, w *CSR, g []float32) { SDDMM(g[:w.NNZ()], c.dy, c.x, w, c.batch) },
		func(g *Gemm, c *spCase, dw []float32) { g.Run(dw, c.dy, c.x, false) }},
}

// spDenseNs holds the time of each kernel's Gemm, measured once per run.
var spDenseNs sync.Map

// denseNs returns the time per call of k's Gemm, the least mean over 5 rounds of
// about 20 ms each.
func (k spBenchKernel) denseNs(c *spCase) float64 {
	if v, ok := spDenseNs.Load(k.name); ok {
		return v.(float64)
	}
	out := make([]float32, spIn*spOut+spBatch*spIn)
	for range 20 {
		k.dense(k.gemm, c, out)
	}
	best := 0.0
	for range 5 {
		n, start := 0, time.Now()
		for time.Since(start) < 20*time.Millisecond {
			k.dense(k.gemm, c, out)
			n++
		}
		if ns := float64(time.Since(start).Nanoseconds()) / float64(n); best == 0 || ns < best {
			best = ns
		}
	}
	spDenseNs.Store(k.name, best)
	return best
}

// BenchmarkSparse times the sparse kernels of a 784→300 layer at batch 128 for
// each density and kernel, and reports Gemm's time on the dense layer measured in
// the same run (dense-ns) and the speed-up over it (x-gemm: above 1, sparse wins).
func BenchmarkSparse(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, d := range spBenchDensities {
		c := newSpCase(r, spOut, spIn, spBatch, d)
		var w CSR
		w.Build(c.mask, c.w, spOut, spIn)
		for _, k := range spBenchKernels {
			b.Run(fmt.Sprintf("%s/d=%g", k.name, d), func(b *testing.B) { spBench(b, k, c, &w) })
		}
	}
}

// BenchmarkSparseNM times the sparse kernels on 2:4 and 1:8 masks of the same layer.
func BenchmarkSparseNM(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, nm := range [][2]int{{2, 4}, {1, 8}} {
		c := newSpCase(r, spOut, spIn, spBatch, 0)
		for j := 0; j < len(c.mask); j += nm[1] {
			for _, p := range r.Perm(nm[1])[:nm[0]] {
				c.mask[j+p] = 1
			}
		}
		var w CSR
		w.Build(c.mask, c.w, spOut, spIn)
		for _, k := range spBenchKernels {
			b.Run(fmt.Sprintf("%s/%d:%d", k.name, nm[0], nm[1]), func(b *testing.B) { spBench(b, k, c, &w) })
		}
	}
}

// spBench times k's sparse kernel on c and w.
func spBench(b *testing.B, k spBenchKernel, c *spCase, w *CSR) {
	dense := k.denseNs(c)
	out := make([]float32, spIn*spOut+spBatch*spIn)
	k.sparse(c, w, out)
	b.ReportAllocs()
	for b.Loop() {
		k.sparse(c, w, out)
	}
	ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(dense, "dense-ns")
	b.ReportMetric(dense/ns, "x-gemm")
}

// BenchmarkCSR times Build and SetValues for the 784→300 layer at 10% density.
func BenchmarkCSR(b *testing.B) {
	c := newSpCase(rand.New(rand.NewPCG(13, 14)), spOut, spIn, 1, 0.1)
	var w CSR
	w.Build(c.mask, c.w, spOut, spIn)
	SpMM(make([]float32, spIn), c.dy, &w, 1)
	b.Run("Build", func(b *testing.B) {
		for b.Loop() {
			w.Build(c.mask, c.w, spOut, spIn)
		}
	})
	b.Run("SetValues", func(b *testing.B) {
		for b.Loop() {
			w.SetValues(c.w)
		}
	})
}
