package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// kcMax is the longest chunk of the sum over K that one packed panel of op(b)
// holds: kcMax·nr floats (32 KB for nr = 32) stay in L1 while the micro-kernel runs
// down the panel.
const kcMax = 256

// minParallel is the smallest m·n·k worth splitting across goroutines.
const minParallel = 1 << 18

// partsPerWorker is how many parts of a product each goroutine takes on average:
// more than one, so that when a helper is late (its thread descheduled) the others
// take its share.
const partsPerWorker = 2

// Gemm is a caller-owned plan for c = op(a)·op(b) (+ c when accumulating), where
// op transposes when TransA/TransB is set: op(a) is M×K and op(b) is K×N, all
// row-major with no padding. Run may be called repeatedly and does not allocate
// after the first call.
//
// Run cuts c into panels of nr columns (the last one nr/2 wide if that is enough)
// and each panel into blocks of mr rows, mr×nr being the register block of the
// micro-kernel (see micro). The blocks are numbered panel by panel and dealt out in
// equal contiguous ranges to the calling goroutine and a process-wide pool of
// GOMAXPROCS-1 persistent workers. For each chunk of at most kcMax steps of the
// sum, a worker packs its panel of op(b) into a contiguous buffer and runs the
// micro-kernel down the panel, reading op(a) where it lies. Every element of c is
// summed by one goroutine, in an order that depends only on K, so results are
// identical from run to run however the work is split.
type Gemm struct {
	TransA, TransB bool
	M, N, K        int
	// Serial keeps the product on the calling goroutine: for callers that already
	// split their work across cores, and to measure one core's rate.
	Serial bool

	u *micro // the micro-kernel; nil for the best available

	a, b, c []float32
	add     bool
	kc      int // steps of the sum per chunk (the last chunk may be shorter)
	blocks  int // mr×nr blocks of c
	parts   int // ranges of blocks handed out
	team
	own *scratch // the calling goroutine's buffers
}

// scratch is one goroutine's packing space.
type scratch struct {
	b []float32 // a packed panel of op(b): kc rows of nr
	c []float32 // an mr×nr block of c, for kernels that cannot write part of one
}

// newScratch allocates a scratch whose b panel starts on a 64-byte boundary.
func newScratch() *scratch {
	const nb = kcMax * maxNR
	buf := make([]float32, nb+maxMR*maxNR+16)
	off := int(-uintptr(unsafe.Pointer(&buf[0])) / 4 % 16)
	buf = buf[off:]
	return &scratch{b: buf[:nb], c: buf[nb:][:maxMR*maxNR]}
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
	g.start(g, g.plan())
	g.work(g.own)
	g.wait()
	g.a, g.b, g.c = nil, nil, nil
}

// check panics if a slice is too short for the product.
func (g *Gemm) check(c, a, b []float32) {
	if len(a) < g.M*g.K || len(b) < g.K*g.N || len(c) < g.M*g.N {
		panic(fmt.Sprintf("kernels: Gemm %d×%d×%d with len(c), len(a), len(b) = %d, %d, %d", g.M, g.N, g.K, len(c), len(a), len(b)))
	}
}

// plan splits K into equal chunks of at most kcMax and the blocks of c into parts,
// and returns how many pool workers to call on.
func (g *Gemm) plan() (helpers int) {
	chunks := (g.K + kcMax - 1) / kcMax
	g.kc = (g.K + chunks - 1) / chunks
	g.blocks = g.rowBlocks() * ((g.N + g.u.nr - 1) / g.u.nr)
	g.parts = 1
	if g.M*g.N*g.K < minParallel || g.Serial {
		return 0
	}
	n := workers()
	g.parts = min(g.blocks, partsPerWorker*(n+1))
	return min(n, g.parts-1)
}

func (g *Gemm) rowBlocks() int { return (g.M + g.u.mr - 1) / g.u.mr }

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
	rb := g.rowBlocks()
	for t := lo; t < hi; {
		i0 := t % rb
		i1 := min(rb, i0+hi-t)
		g.panel(s, t/rb, i0, i1)
		t += i1 - i0
	}
}

// panel computes row blocks [i0, i1) of column panel jp over all of K.
func (g *Gemm) panel(s *scratch, jp, i0, i1 int) {
	u := g.u
	j := jp * u.nr
	n := min(u.nr, g.N-j)
	w := u.nr
	if u.narrow && n <= w/2 {
		w /= 2
	}
	rsa, csa := g.strideA()
	for l := 0; l < g.K; l += g.kc {
		k := min(g.kc, g.K-l)
		g.packB(s.b[:k*w], l, k, j, n, w)
		add := g.add || l > 0
		for ib := i0; ib < i1; ib++ {
			i := ib * u.mr
			u.kern(k, g.a[g.offA(i, l):], rsa, csa, s.b, g.c[i*g.N+j:], g.N, add, min(u.mr, g.M-i), n, w, s.c)
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

// strideA returns the distances in a between op(a)'s rows and between its columns.
func (g *Gemm) strideA() (rows, cols int) {
	if g.TransA {
		return 1, g.M
	}
	return g.K, 1
}

// packB copies rows [l, l+k) of columns [j, j+n) of op(b) into dst, w ≥ n floats
// per row, padding with zero columns. It uses the assembly routines along with an
// assembly micro-kernel.
func (g *Gemm) packB(dst []float32, l, k, j, n, w int) {
	fast := packAsm && g.u.asm
	if !g.TransB {
		if fast && n == w {
			packRowsavx2(&dst[0], &g.b[l*g.N+j], g.N, k, w/8)
			return
		}
		for x := range k {
			d := dst[x*w : x*w+w]
			copy(d, g.b[(l+x)*g.N+j:][:n])
			clear(d[n:])
		}
		return
	}
	c := 0
	if kb := k / 8; fast && kb > 0 {
		for ; c+8 <= n; c += 8 {
			packT8avx2(&dst[c], w, &g.b[(j+c)*g.K+l], g.K, kb)
		}
		g.packT(dst, l, k, j, w, 0, c, kb*8)
	}
	g.packT(dst, l, k, j, w, c, n, 0)
	for c := n; c < w; c++ {
		for x := range k {
			dst[x*w+c] = 0
		}
	}
}

// packT is packB for op(b) = bᵀ on columns [c0, c1) of the panel at j and steps
// [x0, k) of the chunk at l.
func (g *Gemm) packT(dst []float32, l, k, j, w, c0, c1, x0 int) {
	for c := c0; c < c1; c++ {
		src := g.b[(j+c)*g.K+l:][:k]
		for x := x0; x < k; x++ {
			dst[x*w+c] = src[x]
		}
	}
}

// spinTime is how long a pool worker polls for the next product before it sleeps,
// and how long Run polls for its helpers to finish before it sleeps: waking a
// sleeping thread costs tens of microseconds, as much as a whole product of a small
// layer, and products come in quick succession in a training step. It must outlast
// the gaps between a step's products (the loss, the optimizer update, the next
// batch): at 50 µs the helper slept through them and joined LeNet-300-100's products
// late, doing a third of their work, and a dense epoch took 0.47–0.49 s; at 500 µs it
// does half and the epoch takes 0.42–0.45 s (BenchmarkLeNetEpoch, alternating runs).
const spinTime = 500 * time.Microsecond

// job is a kernel run that pool helpers can join: work computes parts of it until
// none are left, using the helper's scratch; done reports that a helper has left.
type job interface {
	work(s *scratch)
	done()
}

// team is the bookkeeping of one parallel kernel run: the next part to take, the
// goroutines that joined so far, and the helpers still working.
type team struct {
	next    atomic.Int64 // the next part to compute
	joined  atomic.Int32 // goroutines that have joined, for lane numbers
	pending atomic.Int32 // helpers still working
	wg      sync.WaitGroup
}

// start resets t and hands j to helpers pool workers, or to none while a Fork runs.
func (t *team) start(j job, helpers int) {
	if forks.Load() > 0 {
		helpers = 0
	}
	t.hand(j, helpers)
}

// hand resets t and hands j to helpers pool workers.
func (t *team) hand(j job, helpers int) {
	t.next.Store(0)
	t.joined.Store(0)
	t.wg.Add(helpers)
	t.pending.Store(int32(helpers))
	for range helpers {
		pool.jobs <- j
	}
}

// done reports that a helper has finished.
func (t *team) done() {
	t.wg.Done()
	t.pending.Add(-1)
}

// wait returns when the helpers are done, polling for spinTime before it blocks.
func (t *team) wait() {
	poll(func() bool { return t.pending.Load() == 0 })
	t.wg.Wait()
}

// pool is the process-wide set of kernel helpers, started on first use.
var pool struct {
	once sync.Once
	n    int
	jobs chan job
}

// workers starts the pool if needed and returns its size.
func workers() int {
	pool.once.Do(func() {
		pool.n = runtime.GOMAXPROCS(0) - 1
		pool.jobs = make(chan job, 4*pool.n+1)
		for range pool.n {
			go helper()
		}
	})
	return pool.n
}

// helper takes jobs forever, computing parts of them with its own scratch.
func helper() {
	s := newScratch()
	for {
		j := nextJob()
		j.work(s)
		j.done()
	}
}

// nextJob polls the pool's queue for spinTime, then blocks on it.
func nextJob() job {
	var j job
	if poll(func() bool {
		select {
		case j = <-pool.jobs:
			return true
		default:
			return false
		}
	}) {
		return j
	}
	return <-pool.jobs
}
