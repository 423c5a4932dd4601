package kernels

import (
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// TestUpdatesSplitSameBits checks SGDMomentum and Accumulate against the scalar rules
// bit for bit on lengths below and above minUpdateParallel, where they share the work
// out in updateChunk items (an uneven last item included).
func TestUpdatesSplitSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	const lr, mu, wd = 0.05, 0.9, 1e-4
	for _, n := range []int{17, minUpdateParallel - 1, minUpdateParallel, 235200, 3*updateChunk + 5} {
		w, g, buf := spRand(r, n), spRand(r, n), spRand(r, n)
		ww, wb, sum := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range w {
			b := float32(mu)*buf[i] + (g[i] + float32(wd)*w[i])
			ww[i], wb[i] = w[i]-float32(lr)*b, b
			sum[i] = w[i] + g[i]
		}
		acc := append([]float32(nil), w...)
		Accumulate(acc, g)
		SGDMomentum(w, g, buf, lr, mu, wd)
		if !spSameBits(w, ww) || !spSameBits(buf, wb) {
			t.Fatalf("n %d: SGDMomentum differs from the scalar rule", n)
		}
		if !spSameBits(acc, sum) {
			t.Fatalf("n %d: Accumulate differs from the sum", n)
		}
	}
}

// TestFork checks that every item runs once, that kernels inside a fork hand out no
// work (a helper running an item could otherwise wait for itself), that a fork inside
// a fork runs its items in place, and that kernels share work out again afterwards.
func TestFork(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5} {
		var ran [5]atomic.Int32
		var handedOut atomic.Int32
		Fork(n, func(i int) {
			ran[i].Add(1)
			k := &forkJob{f: func(int) {}}
			k.start(k, 3)
			handedOut.Add(k.pending.Load())
			k.wait()
			Fork(2, func(j int) { ran[i].Add(int32(10 * (j + 1))) })
		})
		for i := range n {
			if got := ran[i].Load(); got != 31 {
				t.Errorf("n %d: item %d ran %d times and its inner fork gave %d, want 1 and 30", n, i, got%10, got-got%10)
			}
		}
		if h := handedOut.Load(); h != 0 {
			t.Errorf("n %d: kernels inside the fork handed work to %d helpers", n, h)
		}
	}
	if forks.Load() != 0 {
		t.Fatalf("%d forks still counted after they returned", forks.Load())
	}
	j := &forkJob{f: func(int) {}}
	j.start(j, min(workers(), 1))
	if want := int32(min(workers(), 1)); j.pending.Load() != want {
		t.Errorf("after the forks a kernel hands work to %d helpers, want %d", j.pending.Load(), want)
	}
	j.wait()
}
