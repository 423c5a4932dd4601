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

// forkProbe is the items of TestFork: item i counts its runs in ran[i], tries to
// hand a kernel's work to three helpers (recording how many it got), and runs an
// inner fork of two items that add 10 and 20.
type forkProbe struct {
	ran       [5]atomic.Int32
	handedOut atomic.Int32
	outer     int // the item an inner fork belongs to, or -1 in the outer fork
}

func (p *forkProbe) Item(i int) {
	if p.outer >= 0 {
		p.ran[p.outer].Add(int32(10 * (i + 1)))
		return
	}
	p.ran[i].Add(1)
	k := &forkJob{items: p}
	k.start(k, 3)
	p.handedOut.Add(k.pending.Load())
	k.wait()
	inner := &forkProbe{outer: i}
	var f Fork
	f.Run(2, inner)
	p.ran[i].Add(inner.ran[i].Load())
}

// TestFork checks that every item runs once, that kernels inside a fork hand out no
// work (a helper running an item could otherwise wait for itself), that a fork inside
// a fork runs its items in place, and that kernels share work out again afterwards.
func TestFork(t *testing.T) {
	var f Fork
	for _, n := range []int{0, 1, 2, 5} {
		p := &forkProbe{outer: -1}
		f.Run(n, p)
		for i := range n {
			if got := p.ran[i].Load(); got != 31 {
				t.Errorf("n %d: item %d ran %d times and its inner fork gave %d, want 1 and 30", n, i, got%10, got-got%10)
			}
		}
		if h := p.handedOut.Load(); h != 0 {
			t.Errorf("n %d: kernels inside the fork handed work to %d helpers", n, h)
		}
	}
	if forks.Load() != 0 {
		t.Fatalf("%d forks still counted after they returned", forks.Load())
	}
	j := &forkJob{items: &forkProbe{outer: 0}}
	j.start(j, min(workers(), 1))
	if want := int32(min(workers(), 1)); j.pending.Load() != want {
		t.Errorf("after the forks a kernel hands work to %d helpers, want %d", j.pending.Load(), want)
	}
	j.wait()
	if n := testing.AllocsPerRun(20, func() { f.Run(2, &forkProbe{outer: 0}) }); n > 1 {
		t.Errorf("a fork allocates %.0f times beyond its items", n-1)
	}
}
