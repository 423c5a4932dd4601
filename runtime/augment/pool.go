package augment

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"sync"
)

// minSplit is the number of values below which a batch is not worth splitting across
// goroutines: starting one costs about a microsecond, augmenting a value a few
// nanoseconds.
const minSplit = 1 << 14

// rowFunc augments one sample: dst and src are that row (they may be the same slice),
// and w's generator has been seeded for it.
type rowFunc func(w *worker, dst, src []float32, img Image)

// pool applies a rowFunc to a batch, its rows split into contiguous ranges across up to
// GOMAXPROCS workers. The workers are kept between calls, so Apply does not allocate.
type pool struct {
	row     rowFunc
	workers []*worker
	wg      sync.WaitGroup
}

// worker is what one goroutine needs: a generator reseeded per row, a scratch row, and
// the range of rows it was given.
type worker struct {
	pcg     rand.PCG
	rng     *rand.Rand // reads pcg
	scratch []float32

	p        *pool
	dst, src []float32
	lo, hi   int
	img      Image
	seed     uint64
	run      func() // do then Done, bound once so that `go w.run()` does not allocate
}

// apply runs p.row on each of rows samples, on k contiguous ranges of rows: one on the
// calling goroutine and k-1 on new ones. Batches under minSplit values stay on one.
func (p *pool) apply(dst, src []float32, rows int, img Image, seed uint64) {
	n := checkLen(dst, src, rows, img)
	if rows == 0 {
		return
	}
	k := min(runtime.GOMAXPROCS(0), rows, max(1, rows*n/minSplit))
	p.grow(k)
	for i, w := range p.workers[:k] {
		w.dst, w.src, w.img, w.seed = dst, src, img, seed
		w.lo, w.hi = i*rows/k, (i+1)*rows/k
	}
	p.wg.Add(k - 1)
	for _, w := range p.workers[1:k] {
		go w.run()
	}
	p.workers[0].do()
	p.wg.Wait()
	for _, w := range p.workers[:k] {
		w.dst, w.src = nil, nil // do not keep the caller's buffers alive
	}
}

// grow makes sure the pool has at least k workers.
func (p *pool) grow(k int) {
	for len(p.workers) < k {
		w := &worker{p: p}
		w.rng = rand.New(&w.pcg)
		w.run = func() {
			w.do()
			p.wg.Done()
		}
		p.workers = append(p.workers, w)
	}
}

// do augments rows [w.lo, w.hi), seeding the generator with (seed, mix(r)) for row r.
func (w *worker) do() {
	n := w.img.size()
	for r := w.lo; r < w.hi; r++ {
		w.pcg.Seed(w.seed, mix(uint64(r)))
		w.p.row(w, w.dst[r*n:(r+1)*n], w.src[r*n:(r+1)*n], w.img)
	}
}

// copySrc copies src into the worker's scratch row, so that an op that reads other
// positions than it writes works when dst and src are the same slice.
func (w *worker) copySrc(src []float32) []float32 {
	if cap(w.scratch) < len(src) {
		w.scratch = make([]float32, len(src))
	}
	s := w.scratch[:len(src)]
	copy(s, src)
	return s
}

// intn returns a uniform integer in [0, n), n > 0, by Lemire's multiply-and-reject
// method. Unlike rand.Rand.IntN, which takes a 32-bit path on 32-bit machines, it draws
// the same numbers on every platform.
func (w *worker) intn(n int) int {
	hi, lo := bits.Mul64(w.pcg.Uint64(), uint64(n))
	if lo < uint64(n) {
		thresh := -uint64(n) % uint64(n)
		for lo < thresh {
			hi, lo = bits.Mul64(w.pcg.Uint64(), uint64(n))
		}
	}
	return int(hi)
}

// checkLen panics unless dst and src hold exactly rows samples of img, and returns the
// size of one sample.
func checkLen(dst, src []float32, rows int, img Image) int {
	n := img.size()
	if rows < 0 || n <= 0 || len(src) != rows*n || len(dst) != rows*n {
		panic(fmt.Sprintf("augment: %d rows of %d×%d×%d need %d values, have src %d, dst %d",
			rows, img.C, img.H, img.W, rows*n, len(src), len(dst)))
	}
	return n
}
