package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// The product is computed in blocks of c of mr rows by nr columns (the micro-kernel's
// register block), over chunks of at most kcMax steps of the sum. For each chunk of
// K and each panel of nr columns, the worker packs the panel of op(b) into a
// contiguous buffer that stays in L1 (kcMax·nr floats) and runs the micro-kernel
// down the panel, reading op(a) where it lies, with strides (so op(a) is never
// copied except for a last partial panel of rows).
const kcMax = 256

// minParallel is the smallest m·n·k worth splitting across goroutines.
const minParallel = 1 << 18

// tiles is a leftover of the tiled-gonum engine, kept only because TestTileSweep
// (tile_test.go) still sets it; Gemm no longer reads it.
var tiles = [2][3]int{{64, 64, 1024}, {16, 192, 256}}

// Gemm is a caller-owned plan for c = op(a)·op(b) (+ c when accumulating), where
// op transposes when TransA/TransB is set: op(a) is M×K and op(b) is K×N, all
// row-major with no padding. Run may be called repeatedly and does not allocate
// after the first call.
//
// Run cuts c into panels of nr columns and each panel into blocks of mr rows; the
// mr×nr blocks are numbered panel by panel and dealt out in equal contiguous ranges
// to the calling goroutine and a process-wide pool of GOMAXPROCS-1 persistent
// workers. Every element of c is summed by one goroutine, in the same order
// whatever the split, so results are identical from run to run.
type Gemm struct {
	TransA, TransB bool
	M, N, K        int

	u *micro // the micro-kernel; nil for the best available

	a, b, c []float32
	add     bool
	kc      int // steps of the sum per chunk (the last chunk may be shorter)
	blocks  int // mr×nr blocks of c
	parts   int // ranges of blocks handed out
	next    atomic.Int64
	wg      sync.WaitGroup
	own     *scratch // the calling goroutine's buffers
}

// scratch is one goroutine's packing space.
type scratch struct {
	b []float32 // a packed panel of op(b): kc rows of nr
	a []float32 // a packed last panel of op(a): kc columns of mr
	c []float32 // an mr×nr block of c, for blocks that overhang c
}

// newScratch allocates a scratch whose b panel starts on a 64-byte boundary.
func newScratch() *scratch {
	const nb, na = kcMax * maxNR, kcMax * maxMR
	buf := make([]float32, nb+na+maxMR*maxNR+16)
	off := int(-uintptr(unsafe.Pointer(&buf[0])) / 4 % 16)
	buf = buf[off:]
	return &scratch{b: buf[:nb], a: buf[nb : nb+na], c: buf[nb+na:][:maxMR*maxNR]}
}

// Run sets c = op(a)·op(b), or adds op(a)·op(b) to c when accumulate is true.
func (g *Gemm) Run(c, a, b []float32, accumulate bool) {
	g.check(c, a, b)
	if g.M == 0 || g.N == 0 {
		return
	}
	if g.K == 0 {
		if !accumulate {
			clear(c[:g.M*g.N])
		}
		return
	}
	if g.own == nil {
		g.own = newScratch()
	}
	if g.u == nil {
		g.u = bestMicro()
	}
	g.a, g.b, g.c, g.add = a, b, c, accumulate
	g.plan()
	helpers := g.parts - 1
	g.next.Store(0)
	g.wg.Add(helpers)
	for range helpers {
		pool.jobs <- g
	}
	g.work(g.own)
	g.wg.Wait()
	g.a, g.b, g.c = nil, nil, nil
}

// check panics if a slice is too short for the product.
func (g *Gemm) check(c, a, b []float32) {
	if len(a) < g.M*g.K || len(b) < g.K*g.N || len(c) < g.M*g.N {
		panic(fmt.Sprintf("kernels: Gemm %d×%d×%d with len(c), len(a), len(b) = %d, %d, %d", g.M, g.N, g.K, len(c), len(a), len(b)))
	}
}

// plan splits K into equal chunks of at most kcMax and the blocks of c into parts.
func (g *Gemm) plan() {
	chunks := (g.K + kcMax - 1) / kcMax
	g.kc = (g.K + chunks - 1) / chunks
	g.blocks = g.rowPanels() * ((g.N + g.u.nr - 1) / g.u.nr)
	g.parts = 1
	if g.M*g.N*g.K >= minParallel {
		g.parts = min(g.blocks, workers()+1)
	}
}

func (g *Gemm) rowPanels() int { return (g.M + g.u.mr - 1) / g.u.mr }

// bestMicro is the fastest micro-kernel this CPU can run.
func bestMicro() *micro {
	if len(asmMicros) > 0 {
		return asmMicros[0]
	}
	return goMicro
}

// work computes parts until none are left.
func (g *Gemm) work(s *scratch) {
	for {
		p := int(g.next.Add(1) - 1)
		if p >= g.parts {
			return
		}
		g.part(s, p*g.blocks/g.parts, (p+1)*g.blocks/g.parts)
	}
}

// part computes blocks [lo, hi), numbered down each column panel in turn.
func (g *Gemm) part(s *scratch, lo, hi int) {
	rp := g.rowPanels()
	for t := lo; t < hi; {
		i0 := t % rp
		i1 := min(rp, i0+hi-t)
		g.panel(s, t/rp, i0, i1)
		t += i1 - i0
	}
}

// panel computes row blocks [i0, i1) of column panel jp over all of K.
func (g *Gemm) panel(s *scratch, jp, i0, i1 int) {
	nr := g.u.nr
	j := jp * nr
	n := min(nr, g.N-j)
	for l := 0; l < g.K; l += g.kc {
		k := min(g.kc, g.K-l)
		g.packB(s.b[:k*nr], l, k, j, n)
		add := g.add || l > 0
		for ip := i0; ip < i1; ip++ {
			g.block(s, ip*g.u.mr, j, n, l, k, add)
		}
	}
}

// block computes the mr×n block of c at (i, j) over steps [l, l+k) of the sum,
// with op(b)'s panel packed in s.b.
func (g *Gemm) block(s *scratch, i, j, n, l, k int, add bool) {
	u := g.u
	mr, nr := u.mr, u.nr
	m := min(mr, g.M-i)
	a, rsa, csa := g.a[g.offA(i, l):], g.K, 1
	if g.TransA {
		rsa, csa = 1, g.M
	}
	if m < mr {
		a, rsa, csa = packA(s.a, a, rsa, csa, mr, m, k), 1, mr
	}
	if m == mr && n == nr {
		u.run(k, a, rsa, csa, s.b, g.c[i*g.N+j:], g.N, add)
		return
	}
	u.run(k, a, rsa, csa, s.b, s.c, nr, false)
	for r := range m {
		dst, src := g.c[(i+r)*g.N+j:][:n], s.c[r*nr:][:n]
		if !add {
			copy(dst, src)
			continue
		}
		for x, v := range src {
			dst[x] += v
		}
	}
}

// offA is the offset of op(a)'s element (i, l) in a.
func (g *Gemm) offA(i, l int) int {
	if g.TransA {
		return l*g.M + i
	}
	return i*g.K + l
}

// packA copies the first m < mr rows of op(a)'s panel at a (element (r, x) at
// a[r*rsa+x*csa]) over k steps into dst, column by column, padding with zero rows.
func packA(dst, a []float32, rsa, csa, mr, m, k int) []float32 {
	dst = dst[:k*mr]
	clear(dst)
	for r := range m {
		for x := range k {
			dst[x*mr+r] = a[r*rsa+x*csa]
		}
	}
	return dst
}

// packB copies rows [l, l+k) of columns [j, j+n) of op(b) into dst, nr floats per
// row, padding with zero columns. It uses the assembly routines along with an
// assembly micro-kernel.
func (g *Gemm) packB(dst []float32, l, k, j, n int) {
	nr := g.u.nr
	fast := packAsm && g.u.asm != nil
	if !g.TransB {
		if fast && n == nr {
			packRowsavx2(&dst[0], &g.b[l*g.N+j], g.N, k, nr/8)
			return
		}
		for x := range k {
			d := dst[x*nr : x*nr+nr]
			copy(d, g.b[(l+x)*g.N+j:][:n])
			clear(d[n:])
		}
		return
	}
	c := 0
	if kb := k / 8; fast && kb > 0 {
		for ; c+8 <= n; c += 8 {
			packT8avx2(&dst[c], nr, &g.b[(j+c)*g.K+l], g.K, kb)
		}
		g.packT(dst, l, k, j, 0, c, kb*8)
	}
	g.packT(dst, l, k, j, c, n, 0)
	for c := n; c < nr; c++ {
		for x := range k {
			dst[x*nr+c] = 0
		}
	}
}

// packT is packB for op(b) = bᵀ on columns [c0, c1) of the panel at j and steps
// [x0, k) of the chunk at l.
func (g *Gemm) packT(dst []float32, l, k, j, c0, c1, x0 int) {
	nr := g.u.nr
	for c := c0; c < c1; c++ {
		src := g.b[(j+c)*g.K+l:][:k]
		for x := x0; x < k; x++ {
			dst[x*nr+c] = src[x]
		}
	}
}

// pool is the process-wide set of Gemm helpers, started on first use.
var pool struct {
	once sync.Once
	n    int
	jobs chan *Gemm
}

// workers starts the pool if needed and returns its size.
func workers() int {
	pool.once.Do(func() {
		pool.n = runtime.GOMAXPROCS(0) - 1
		pool.jobs = make(chan *Gemm, 4*pool.n+1)
		for range pool.n {
			go helper()
		}
	})
	return pool.n
}

// helper takes jobs forever, computing parts of a Gemm with its own scratch.
func helper() {
	s := newScratch()
	for g := range pool.jobs {
		g.work(s)
		g.wg.Done()
	}
}
