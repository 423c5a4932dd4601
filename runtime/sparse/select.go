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
// and bottom-k choice is made here. Keys equal to excluded are left out of the search, so a
// caller choosing among a few candidates pays for those only. tmp must be at least as long as
// keys and is overwritten. Expected O(n), worst case O(n log n); it does not allocate.
func topCut(keys, tmp []float32, k int) cut {
	if k <= 0 {
		return cut{thr: float32(math.Inf(1))}
	}
	m := 0
	for _, v := range keys {
		tmp[m] = v
		inc := 0
		if v > excluded {
			inc = 1
		}
		m += inc
	}
	if k >= m {
		return cut{thr: excluded, ties: k - m}
	}
	thr := nth(tmp[:m], k-1)
	above := 0
	for _, v := range tmp[:k] {
		if v > thr {
			above++
		}
	}
	return cut{thr: thr, ties: k - above}
}

// nth reorders a so that a[k] holds the value a descending sort would put there, with
// a[:k] ≥ a[k] ≥ a[k+1:], and returns it. It is an introselect: quickselect around a
// median-of-three pivot, splitting off the keys above the pivot and then, only if k lies
// beyond them, the keys equal to it (so ties cost nothing); it sorts what remains once the
// range stops shrinking fast. a must not contain NaN.
func nth(a []float32, k int) float32 {
	lo, hi := 0, len(a)
	for budget := 2 * bits.Len(uint(len(a))); hi-lo > 16 && budget > 0; budget-- {
		p := median3(a[lo], a[lo+(hi-lo)/2], a[hi-1])
		gt := lo + partition(a[lo:hi], p, false)
		if k < gt {
			hi = gt
			continue
		}
		eq := gt + partition(a[gt:hi], p, true)
		if k < eq {
			return p
		}
		lo = eq
	}
	sortDesc(a[lo:hi])
	return a[k]
}

// sortDesc sorts a in descending order: by insertion when short (N:M groups), otherwise with
// the standard library.
func sortDesc(a []float32) {
	if len(a) > 16 {
		slices.Sort(a)
		slices.Reverse(a)
		return
	}
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] > a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// partition moves the elements of a above p (at or above p if orEqual) to the front,
// keeping the rest behind them, and returns how many there are. It is a branchless Lomuto
// partition: the data-dependent branch compiles to a conditional move.
func partition(a []float32, p float32, orEqual bool) int {
	j := 0
	for i, v := range a {
		a[i], a[j] = a[j], v
		inc := 0
		if v > p || (orEqual && v == p) {
			inc = 1
		}
		j += inc
	}
	return j
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
