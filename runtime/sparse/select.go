package sparse

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// excluded is the key of an entry that must not be selected: it ranks below every key.
var excluded = float32(math.Inf(-1))

// key is the ranking key of a value: its magnitude, with NaN ranked below every number.
func key(x float32) float32 {
	if x != x {
		return -1
	}
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}

// cut is the outcome of a top-k selection. Walking the keys in index order, an entry is
// selected if its key is above thr, or equal to thr while ties remain: so equal keys are
// selected lowest index first.
type cut struct {
	thr  float32
	ties int
}

// keep reports whether the next key in index order is selected. Call it once per key, in
// index order (skipping only keys that cannot equal thr).
func (c *cut) keep(k float32) bool {
	if k > c.thr {
		return true
	}
	if k == c.thr && c.ties > 0 {
		c.ties--
		return true
	}
	return false
}

// mark writes 1 into mask where the cut keeps keys[i] and 0 elsewhere.
func (c *cut) mark(mask, keys []float32) {
	for i, k := range keys {
		mask[i] = 0
		if c.keep(k) {
			mask[i] = 1
		}
	}
}

// topCut selects the k highest-ranked of keys (larger key first, lower index first on a tie);
// k is clamped to [0, len(keys)]. It is the one selection engine of the package: every top-k
// and bottom-k choice is made here. tmp must be at least as long as keys and is overwritten.
// Expected O(n), worst case O(n log n); it does not allocate.
func topCut(keys, tmp []float32, k int) cut {
	n := len(keys)
	switch {
	case k <= 0:
		return cut{thr: float32(math.Inf(1))}
	case k >= n:
		return cut{thr: excluded, ties: n}
	}
	tmp = tmp[:n]
	copy(tmp, keys)
	thr := nth(tmp, k-1)
	above := 0
	for _, v := range tmp[:k] {
		if v > thr {
			above++
		}
	}
	return cut{thr: thr, ties: k - above}
}

// nth reorders a so that a[k] holds the value a descending sort would put there, with
// a[:k] ≥ a[k] ≥ a[k+1:], and returns it. It is an introselect: three-way quickselect with a
// median-of-three pivot, which sorts what remains once the range stops shrinking fast.
// a must not contain NaN.
func nth(a []float32, k int) float32 {
	lo, hi := 0, len(a)
	for budget := 2 * bits.Len(uint(len(a))); hi-lo > 16 && budget > 0; budget-- {
		p := median3(a[lo], a[lo+(hi-lo)/2], a[hi-1])
		lt, gt := partition3(a[lo:hi], p)
		switch {
		case k < lo+lt:
			hi = lo + lt
		case k >= lo+gt:
			lo += gt
		default:
			return p
		}
	}
	slices.Sort(a[lo:hi])
	slices.Reverse(a[lo:hi])
	return a[k]
}

// partition3 reorders a into a[:lt] > p, a[lt:gt] == p, a[gt:] < p.
func partition3(a []float32, p float32) (lt, gt int) {
	i, gt := 0, len(a)
	for i < gt {
		switch v := a[i]; {
		case v > p:
			a[lt], a[i] = a[i], a[lt]
			lt++
			i++
		case v < p:
			gt--
			a[i], a[gt] = a[gt], a[i]
		default:
			i++
		}
	}
	return lt, gt
}

// median3 is the median of three values.
func median3(a, b, c float32) float32 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}

// sample moves a uniformly random k-subset of idx to idx[:k] (partial Fisher–Yates).
func sample(idx []int, k int, rng *rand.Rand) {
	for i := range k {
		j := i + rng.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
}
