package sparse

import (
	"fmt"
	"math/rand/v2"
)

// NNZ is the number of nonzero entries of mask: the count M4 keeps constant per layer across
// prune-and-grow updates (PAPERS 2.1 M4).
func NNZ(mask []float32) int {
	n := 0
	for _, m := range mask {
		if m != 0 {
			n++
		}
	}
	return n
}

// Density is the fraction of nonzero entries of mask (0 for an empty mask): the realised
// density PAPERS 2.1 M1 asks to report.
func Density(mask []float32) float64 {
	if len(mask) == 0 {
		return 0
	}
	return float64(NNZ(mask)) / float64(len(mask))
}

// Apply multiplies w by mask in place, w[i] *= mask[i]: the masked weight W̃ = W ⊙ M of
// PAPERS 2.5 RP1. mask may be fractional (a decay factor β or a shrink ratio ρ).
func Apply(w, mask []float32) {
	sameLen("Apply", len(w), len(mask))
	for i, m := range mask {
		w[i] *= m
	}
}

// RandomMask sets exactly keep entries of mask to 1, at uniformly random positions, and the
// rest to 0 (PAPERS 2.1 M1: an exact count drawn by a partial Fisher–Yates shuffle, rather than
// a Bernoulli draw per entry). keep is clamped to [0, len(mask)]. The mask is a pure function
// of the state of rng.
func RandomMask(mask []float32, keep int, rng *rand.Rand, s *Scratch) {
	s = orNew(s)
	keep = min(max(keep, 0), len(mask))
	idx := resize(s.idx, len(mask))
	s.idx = idx
	for i := range idx {
		idx[i] = i
		mask[i] = 0
	}
	sample(idx, keep, rng)
	for _, i := range idx[:keep] {
		mask[i] = 1
	}
}

// MagnitudeMask sets mask to keep the keep entries of w with the largest |w| and drop the rest:
// layer-wise magnitude pruning (PAPERS 2.1 M2). Ties keep the lower index; NaN weights rank
// lowest. keep is clamped to [0, len(w)]. It does not allocate once s has grown.
func MagnitudeMask(mask, w []float32, keep int, s *Scratch) {
	sameLen("MagnitudeMask", len(mask), len(w))
	keys, tmp := orNew(s).floats(len(w))
	for i, x := range w {
		keys[i] = key(x)
	}
	c := topCut(keys, tmp, keep)
	c.mark(mask, keys)
}

// GlobalMagnitude sets masks[l] so that, over all layers together, the keep entries with the
// largest |w| are kept: global magnitude pruning (PAPERS 2.1 M2). Entries are ranked as if the
// layers were concatenated in order, so ties keep the earlier layer, then the lower index.
// keep is clamped to [0, Σ len(weights[l])]. It does not allocate once s has grown.
func GlobalMagnitude(masks, weights [][]float32, keep int, s *Scratch) {
	sameLen("GlobalMagnitude: layers", len(masks), len(weights))
	total := 0
	for l, w := range weights {
		if len(masks[l]) != len(w) {
			panic(fmt.Sprintf("sparse: GlobalMagnitude: layer %d: mask length %d, weight length %d", l, len(masks[l]), len(w)))
		}
		total += len(w)
	}
	keys, tmp := orNew(s).floats(total)
	off := 0
	for _, w := range weights {
		for i, x := range w {
			keys[off+i] = key(x)
		}
		off += len(w)
	}
	c := topCut(keys, tmp, keep)
	off = 0
	for _, m := range masks {
		c.mark(m, keys[off:off+len(m)])
		off += len(m)
	}
}

// sameLen panics unless a == b: mismatched buffers are a programming error.
func sameLen(what string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("sparse: %s: lengths %d and %d differ", what, a, b))
	}
}
