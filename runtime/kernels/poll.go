package kernels

import (
	"runtime"
	"time"
)

// poll calls ready until it returns true, for at most spinTime, and reports whether
// it did. Between calls it spins in place and yields to the scheduler only every
// pollYield calls: yielding on every call took the scheduler's global lock so often
// that lock2/unlock2, nanotime and pidlegetSpinning were a fifth of a compressed 90%
// epoch's profile on 2 cores.
func poll(ready func() bool) bool {
	start := time.Now()
	for i := 1; ; i++ {
		if ready() {
			return true
		}
		if i%pollYield != 0 {
			pause()
			continue
		}
		runtime.Gosched()
		if time.Since(start) >= spinTime {
			return false
		}
	}
}

// pollYield is how many calls of ready poll makes between yields: a few microseconds.
const pollYield = 64

// pause idles for a few tens of nanoseconds without touching memory another core
// writes.
//
//go:noinline
func pause() {
	for range 64 {
	}
}
