package kernels

import "sync/atomic"

// forks counts the Forks running. While one runs, every kernel keeps its work on the
// goroutine that calls it (team.start hands out no helpers): the fork's items already
// keep every core busy, and an item that handed work to the pool could wait for a
// helper busy running another item, or running itself.
var forks atomic.Int32

// Items is work that is parallel as a whole, such as the replicas of a data-parallel
// training step: Item(i) for i < n, in any order, on any goroutine.
type Items interface {
	Item(i int)
}

// Fork runs items at once: item 0 on the calling goroutine, the others on the pool's
// helpers, which are already polling for work during training, so an item starts
// within microseconds. An item no helper has taken when the caller is done with its
// own runs on the caller. A Fork is its caller's to reuse, so that running one does
// not allocate; the zero value is ready, and one Fork must not run twice at once.
type Fork struct {
	job forkJob
}

// Run runs items 0 … n−1 of items and returns when all are done. A fork within a
// fork runs its items on the calling goroutine, one after another.
func (f *Fork) Run(n int, items Items) {
	if n <= 0 {
		return
	}
	helpers := min(workers(), n-1)
	if forks.Add(1) > 1 {
		helpers = 0
	}
	defer forks.Add(-1)
	j := &f.job
	j.items, j.n = items, n
	j.hand(j, helpers)
	j.work(nil)
	j.wait()
	j.items = nil
}

// forkJob is a Fork's items, taken one at a time from a shared counter.
type forkJob struct {
	team
	items Items
	n     int
}

func (j *forkJob) work(*scratch) {
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.n {
			return
		}
		j.items.Item(i)
	}
}
