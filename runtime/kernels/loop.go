package kernels

import "sync/atomic"

// body is the work of a parallel loop: item computes item i on lane lane, the
// number of the goroutine running it within the loop's run (0 ≤ lane ≤ workers()),
// so that item can use per-lane scratch. Items must not depend on one another, nor
// their results on the lane.
type body interface {
	item(lane, i int)
}

// loop runs the items of a body on the calling goroutine and the pool's helpers,
// which take items one at a time from a shared counter: a helper that is late (its
// thread descheduled) leaves its share to the others. Each item is computed by one
// goroutine, so a loop whose items write disjoint outputs in a fixed order gives the
// same bits however the items are shared out.
type loop struct {
	team
	b body
	n int
}

// run computes items [0, n) of b, on the pool's helpers too if parallel is set and
// there is more than one item.
func (l *loop) run(b body, n int, parallel bool) {
	helpers := 0
	if parallel && n > 1 {
		helpers = min(workers(), n-1)
	}
	l.b, l.n = b, n
	l.start(l, helpers)
	l.work(nil)
	l.wait()
	l.b = nil
}

// work takes a lane number and computes items until none are left.
func (l *loop) work(_ *scratch) {
	lane := int(l.joined.Add(1) - 1)
	for {
		i := int(l.next.Add(1) - 1)
		if i >= l.n {
			return
		}
		l.b.item(lane, i)
	}
}

// lanes is the most lanes a loop can have: the calling goroutine and every helper.
func lanes() int { return workers() + 1 }

// shared is a loop for a kernel that has no plan to keep one in (the pools, the
// large elementwise kernels): the kernel puts its arguments in a free shared, whose
// item method dispatches on kind and computes a range of the kernel's planes, rows
// or elements on the calling goroutine's share.
type shared struct {
	loop
	busy         atomic.Bool
	kind         int
	dst, x, y, g []float32
	w            *Window
	n, per       int // the number of units of work and of units per item
	outer        int // the [outer, mid, inner] view of the axis kernels
	mid, inner   int
	lr, mu, wd   float32 // SGDMomentum's rates
}

// The kernels that run on shared loops.
const (
	poolMax = iota
	poolMaxGrad
	poolAvg
	poolAvgGrad
	ewRelu
	ewReluGrad
	ewAddAxis
	ewSumOuterInner
	ewAccumulate
	ewMomentum
)

// sharedLoops are the shared loops; a kernel that finds them all taken (by kernels
// on other goroutines) runs on its own.
var sharedLoops [8]shared

// acquire takes a free shared loop, or returns nil.
func acquire() *shared {
	for i := range sharedLoops {
		if s := &sharedLoops[i]; s.busy.CompareAndSwap(false, true) {
			return s
		}
	}
	return nil
}

// acquireFor returns a shared loop for a kernel over n units, or nil if n is below
// least, the size from which sharing the work out pays.
func acquireFor(n, least int) *shared {
	if n < least {
		return nil
	}
	return acquire()
}

// split runs s's kernel over n units (planes, rows, elements) in items of per,
// shared out, then frees s.
func (s *shared) split(n, per int) {
	s.n, s.per = n, per
	s.run(s, (n+per-1)/per, true)
	s.dst, s.x, s.y, s.g, s.w = nil, nil, nil, nil, nil
	s.busy.Store(false)
}

// item computes units [i·per, (i+1)·per) of the kernel.
func (s *shared) item(_, i int) {
	lo, hi := i*s.per, min((i+1)*s.per, s.n)
	if s.kind <= poolAvgGrad {
		s.poolItem(lo, hi)
		return
	}
	s.elementwiseItem(lo, hi)
}
