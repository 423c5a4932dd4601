package sparse

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/roux-ml/roux/runtime/schedule"
)

// GrowRule is how DropGrow chooses the entries it activates (PAPERS 2.1 M4 step 3).
type GrowRule int

const (
	// GrowRandom chooses uniformly at random among the candidates (SET).
	GrowRandom GrowRule = iota
	// GrowScore chooses the candidates with the largest |score|: the dense gradient of the
	// current batch for RigL, the momentum for sparse momentum. Ties take the lower index.
	GrowScore
)

// String returns "random" (SET) or "score" (RigL), the grow rules of PAPERS 2.1 M4.
func (r GrowRule) String() string {
	switch r {
	case GrowRandom:
		return "random"
	case GrowScore:
		return "score"
	}
	return fmt.Sprintf("GrowRule(%d)", int(r))
}

// Grow configures the grow half of DropGrow (PAPERS 2.1 M4 step 3).
type Grow struct {
	Rule GrowRule
	// ExcludeDropped keeps an entry dropped in this update from being grown back in the same
	// update. PAPERS makes the exclusion optional; the zero value follows RigL, whose scoring
	// lets a dropped weight regrow.
	ExcludeDropped bool
}

// dropped marks, inside DropGrow only, an entry dropped in the current update.
const dropped = -1

// DropGrow performs one prune-and-grow update of a layer's mask (PAPERS 2.1 M4 steps 2–3):
// it drops the k active entries with the smallest |w|, then grows k inactive entries chosen by
// g.Rule (score is read only by GrowScore, rng only by GrowRandom; either may be nil when
// unused). The number of active entries is unchanged.
//
// It returns the newly active entries, in increasing index order: the caller sets those
// weights to 0 and resets their optimizer slots (M4 step 4). An entry dropped and grown back
// in the same update is not in the list and keeps its value and slots, as in RigL, whose new
// connections are those inactive before the update. The slice lives in s and is valid until s
// is next used.
//
// Ties are broken by index, not by RigL's N(0, 1e-5) noise: among equal |w| the higher index
// is dropped, among equal |score| the lower index grows. Index tie-breaking keeps "drop the k
// smallest" exact, so the update is testable against a reference, and keeps the mask a pure
// function of its inputs without spending random numbers; noise would also reorder distinct
// weights closer than 1e-5. The cost is a bias toward low indices when many weights tie
// exactly (as zero-initialised weights do if they have not moved since they were grown).
// The drop uses |w|, not original SET's split between positive and negative weights.
//
// mask must hold only 0s and 1s. It returns an error if k is negative or larger than the active count, or, with
// ExcludeDropped, larger than the inactive count. It does not allocate once s has grown.
func DropGrow(mask, w, score []float32, k int, g Grow, rng *rand.Rand, s *Scratch) ([]int, error) {
	sameLen("DropGrow: mask and weight", len(mask), len(w))
	if g.Rule == GrowScore {
		sameLen("DropGrow: mask and score", len(mask), len(score))
	}
	if g.Rule == GrowRandom && rng == nil {
		panic("sparse: DropGrow: GrowRandom needs a *rand.Rand")
	}
	nnz := NNZ(mask)
	if err := checkMoves(len(mask), nnz, k, g); err != nil {
		return nil, err
	}
	s = orNew(s)
	s.out = slices.Grow(s.out[:0], k)
	if k == 0 {
		return s.out, nil
	}
	drop(mask, w, nnz-k, s)
	if g.Rule == GrowScore {
		growScore(mask, score, k, g.ExcludeDropped, s)
	} else {
		growRandom(mask, k, g.ExcludeDropped, rng, s)
	}
	for i, m := range mask {
		if m == dropped {
			mask[i] = 0
		}
	}
	return s.out, nil
}

// checkMoves checks that k entries can be dropped and grown.
func checkMoves(n, nnz, k int, g Grow) error {
	switch {
	case g.Rule != GrowRandom && g.Rule != GrowScore:
		return fmt.Errorf("sparse: unknown grow rule %v", g.Rule)
	case k < 0 || k > nnz:
		return fmt.Errorf("sparse: cannot drop %d of %d active weights", k, nnz)
	case g.ExcludeDropped && k > n-nnz:
		return fmt.Errorf("sparse: cannot grow %d weights: only %d are inactive and dropped weights are excluded", k, n-nnz)
	}
	return nil
}

// drop keeps the keep active entries with the largest |w| and marks the other active entries
// as dropped.
func drop(mask, w []float32, keep int, s *Scratch) {
	keys, tmp := s.floats(len(mask))
	for i, m := range mask {
		keys[i] = excluded
		if m != 0 {
			keys[i] = key(w[i])
		}
	}
	c := topCut(keys, tmp, keep)
	for i, m := range mask {
		if m != 0 && !c.keep(keys[i]) {
			mask[i] = dropped
		}
	}
}

// candidate reports whether an entry whose mask value is m may be grown.
func candidate(m float32, excludeDropped bool) bool {
	return m == 0 || (m == dropped && !excludeDropped)
}

// activate sets mask[i] to 1 and records i in s.out if it was inactive before the update.
func activate(mask []float32, i int, s *Scratch) {
	if mask[i] == 0 {
		s.out = append(s.out, i)
	}
	mask[i] = 1
}

// growScore activates the k candidates with the largest |score|.
func growScore(mask, score []float32, k int, excludeDropped bool, s *Scratch) {
	keys, tmp := s.floats(len(mask))
	for i, m := range mask {
		keys[i] = excluded
		if candidate(m, excludeDropped) {
			keys[i] = key(score[i])
		}
	}
	c := topCut(keys, tmp, k)
	for i, key := range keys {
		if c.keep(key) {
			activate(mask, i, s)
		}
	}
}

// growRandom activates k candidates chosen uniformly at random.
func growRandom(mask []float32, k int, excludeDropped bool, rng *rand.Rand, s *Scratch) {
	idx := resize(s.idx, len(mask))[:0]
	for i, m := range mask {
		if candidate(m, excludeDropped) {
			idx = append(idx, i)
		}
	}
	s.idx = idx
	sample(idx, k, rng)
	for _, i := range idx[:k] {
		activate(mask, i, s)
	}
	slices.Sort(s.out)
}

// DropFraction is the cosine drop-fraction schedule of RigL (PAPERS 2.1 M4),
// f(t) = (α/2)·(1 + cos(π·t/T_end)) for 0 ≤ t ≤ T_end, with t = step counted from the start of
// dynamic sparse training and T_end = end: α at step 0 (and before), 0 from end on. It is
// schedule.Cosine{From: alpha, To: 0, Start: 0, End: end}, so a recipe can use either; M4's
// "exponential<p>" anneal is schedule.Poly. The number of weights to move is
// DropCount(nnz, DropFraction(step, end, alpha)).
func DropFraction(step, end int, alpha float64) float64 {
	return schedule.Cosine{From: alpha, To: 0, Start: 0, End: end}.At(step)
}
