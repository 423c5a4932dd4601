package kernels

import "sync/atomic"

// forks counts the Forks running. While one runs, every kernel keeps its work on the
// goroutine that calls it (team.start hands out no helpers): the fork's items already
// keep every core busy, and an item that handed work to the pool could wait for a
// helper busy running another item, or running itself.
var forks atomic.Int32

// Fork runs f(0), …, f(n−1) at once: f(0) on the calling goroutine, the others on
// the pool's helpers, which are already polling for work during training, so an item
// starts within microseconds. An item no helper has taken when the caller is done with
// its own runs on the caller. Items must not depend on one another. It serves work
// that is parallel as a whole, such as the replicas of a data-parallel training step.
func Fork(n int, f func(i int)) {
	if n <= 0 {
		return
	}
	helpers := min(workers(), n-1)
	if forks.Add(1) > 1 { // a fork within a fork: its items run here, one after another
		helpers = 0
	}
	defer forks.Add(-1)
	j := &forkJob{f: f, n: n}
	j.hand(j, helpers)
	j.work(nil)
	j.wait()
}

// forkJob is a Fork's items, taken one at a time from a shared counter.
type forkJob struct {
	team
	f func(i int)
	n int
}

func (j *forkJob) work(*scratch) {
	for {
		i := int(j.next.Add(1) - 1)
		if i >= j.n {
			return
		}
		j.f(i)
	}
}
