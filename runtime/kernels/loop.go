package kernels

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
