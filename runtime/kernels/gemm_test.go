package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmSizes are the extents the tests combine: around the micro-kernel's mr = 6 and
// nr = 16, the chunk length kcMax = 256, and the MLP's layer widths.
var gemmSizes = []int{1, 2, 5, 7, 13, 17, 31, 33, 63, 65, 127, 129, 300, 784}

// gemmShapes returns {M, N, K} triples: the MLP's products, all small ones, and a
// random sample of the rest with at most 2e7 multiply-adds.
func gemmShapes(r *rand.Rand) [][3]int {
	shapes := [][3]int{
		{128, 300, 784}, {300, 784, 128}, {128, 100, 300}, {100, 300, 128},
		{128, 10, 100}, {10, 100, 128}, {128, 300, 100}, {128, 100, 10},
		{1, 1, 1}, {6, 16, 1}, {7, 17, 257}, {12, 32, 512}, {5, 15, 513},
	}
	for _, m := range gemmSizes[:5] {
		for _, n := range gemmSizes[:5] {
			shapes = append(shapes, [3]int{m, n, gemmSizes[r.IntN(len(gemmSizes))]})
		}
	}
	for len(shapes) < 80 {
		s := [3]int{gemmSizes[r.IntN(len(gemmSizes))], gemmSizes[r.IntN(len(gemmSizes))], gemmSizes[r.IntN(len(gemmSizes))]}
		if s[0]*s[1]*s[2] <= 2e7 {
			shapes = append(shapes, s)
		}
	}
	return shapes
}

// naiveGemm returns op(a)·op(b) in float64, and the sums of the absolute values of
// the same terms, which bound the rounding error.
func naiveGemm(ta, tb bool, m, n, k int, a, b []float32) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for l := range k {
				av, bv := a[i*k+l], b[l*n+j]
				if ta {
					av = a[l*m+i]
				}
				if tb {
					bv = b[j*k+l]
				}
				p := float64(av) * float64(bv)
				s += p
				abs += math.Abs(p)
			}
			want[i*n+j], mag[i*n+j] = s, abs
		}
	}
	return want, mag
}

// checkGemm fails unless every got[i] is within (k+2)·2⁻²⁴·mag[i] of want[i]: the
// worst-case error of a float32 sum of k products and one addition to c, plus one
// rounding.
func checkGemm(t *testing.T, name string, k int, got []float32, want, mag []float64) {
	t.Helper()
	tol := float64(k+2) * 0x1p-24
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= tol*mag[i]) {
			t.Fatalf("%s: c[%d] = %g, want %g (error %.3g > %.3g)", name, i, got[i], want[i], d, tol*mag[i])
		}
	}
}

// gemmKernels are the micro-kernels under test: every assembly kernel this CPU can
// run, and pure Go.
var gemmKernels = append(append([]*micro(nil), asmMicros...), goMicro)

func TestGemmAgainstFloat64(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, sz := range gemmShapes(r) {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			a, b, c0 := randSlice(r, m*k), randSlice(r, k*n), randSlice(r, m*n)
			want, mag := naiveGemm(tr[0], tr[1], m, n, k, a, b)
			wantAcc, magAcc := make([]float64, m*n), make([]float64, m*n)
			for i, v := range c0 {
				wantAcc[i], magAcc[i] = want[i]+float64(v), mag[i]+math.Abs(float64(v))
			}
			for _, kern := range gemmKernels {
				name := fmt.Sprintf("%s %d×%d×%d trans %v", kern.name, m, n, k, tr)
				g := &Gemm{TransA: tr[0], TransB: tr[1], M: m, N: n, K: k, u: kern}
				c := randSlice(r, m*n)
				g.Run(c, a, b, false)
				checkGemm(t, name, k, c, want, mag)
				copy(c, c0)
				g.Run(c, a, b, true)
				checkGemm(t, name+" accumulate", k, c, wantAcc, magAcc)
			}
		}
	}
}

// TestGemmStaysInBounds gives every slice a NaN tail: Gemm must neither read it
// (the product would turn NaN) nor write it.
func TestGemmStaysInBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	nan := float32(math.NaN())
	for _, sz := range [][3]int{{7, 17, 13}, {13, 33, 300}, {5, 1, 2}, {65, 31, 1}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, kern := range gemmKernels {
				a, b, c := randSlice(r, m*k+40), randSlice(r, k*n+40), randSlice(r, m*n+40)
				for _, s := range [][]float32{a[m*k:], b[k*n:], c[m*n:]} {
					for i := range s {
						s[i] = nan
					}
				}
				g := &Gemm{TransA: tr[0], TransB: tr[1], M: m, N: n, K: k, u: kern}
				g.Run(c, a, b, false)
				want, mag := naiveGemm(tr[0], tr[1], m, n, k, a, b)
				name := fmt.Sprintf("%s %d×%d×%d trans %v", kern.name, m, n, k, tr)
				checkGemm(t, name, k, c[:m*n], want, mag)
				for i, v := range c[m*n:] {
					if v == v {
						t.Fatalf("%s: wrote %g past the end of c at %d", name, v, m*n+i)
					}
				}
			}
		}
	}
}

func TestGemmOverwritesNaN(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, kern := range gemmKernels {
		for _, sz := range [][3]int{{128, 300, 784}, {7, 17, 5}, {3, 3, 0}} {
			m, n, k := sz[0], sz[1], sz[2]
			a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
			for i := range c {
				c[i] = float32(math.NaN())
			}
			(&Gemm{M: m, N: n, K: k, u: kern}).Run(c, a, b, false)
			want, mag := naiveGemm(false, false, m, n, k, a, b)
			checkGemm(t, fmt.Sprintf("%s %v", kern.name, sz), k, c, want, mag)
		}
	}
}

func TestGemmKZeroAccumulates(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	(&Gemm{M: 2, N: 2}).Run(c, nil, nil, true)
	check(t, "gemm k=0 +=", c, []float64{1, 2, 3, 4})
}

// TestGemmDeterministic runs products big enough to be split across the pool many
// times and wants results bit-identical to each other and to a serial run.
func TestGemmDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 10))
	for _, sz := range [][5]int{{128, 300, 784, 0, 1}, {300, 784, 128, 1, 0}, {129, 65, 513, 1, 1}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		g := &Gemm{TransA: sz[3] == 1, TransB: sz[4] == 1, M: m, N: n, K: k}
		first, c := make([]float32, m*n), make([]float32, m*n)
		(&Gemm{TransA: g.TransA, TransB: g.TransB, M: m, N: n, K: k, Serial: true}).Run(first, a, b, false)
		for range 10 {
			g.Run(c, a, b, false)
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(first[i]) {
					t.Fatalf("%v: c[%d] = %x, serial run gave %x", sz, i, math.Float32bits(c[i]), math.Float32bits(first[i]))
				}
			}
		}
	}
}

func TestGemmNoAllocs(t *testing.T) {
	for _, sz := range benchShapes[:8] {
		m, n, k := sz[0], sz[1], sz[2]
		a, b, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
		for _, kern := range gemmKernels {
			g := &Gemm{TransA: sz[3] == 1, TransB: sz[4] == 1, M: m, N: n, K: k, u: kern}
			g.Run(c, a, b, false)
			if allocs := testing.AllocsPerRun(5, func() { g.Run(c, a, b, true) }); allocs != 0 {
				t.Errorf("%s %v: Run allocates %v times", kern.name, sz, allocs)
			}
		}
	}
}

func TestGemmShortSlicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a short slice")
		}
	}()
	(&Gemm{M: 2, N: 2, K: 2}).Run(make([]float32, 4), make([]float32, 4), make([]float32, 3), false)
}

// TestGemmWithoutHelpers runs a product big enough to split with a pool of no
// workers (GOMAXPROCS=1): the caller must compute every part itself.
func TestGemmWithoutHelpers(t *testing.T) {
	defer func(n int) { pool.n = n }(workers())
	pool.n = 0
	r := rand.New(rand.NewPCG(11, 11))
	m, n, k := 128, 300, 100
	a, b, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	(&Gemm{M: m, N: n, K: k}).Run(c, a, b, false)
	want, mag := naiveGemm(false, false, m, n, k, a, b)
	checkGemm(t, "no helpers", k, c, want, mag)
}
