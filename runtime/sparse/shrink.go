package sparse

// Shrink is one step of ISS-P, iterative soft shrinkage by percentage (PAPERS 2.1 M5): it
// multiplies by rho the pruneCount entries of w with the smallest |w| (compared within this
// layer only) and returns their mass Σ|w| before the shrink, the "shrunk mass" to report. Run
// it after each optimizer step with pruneCount = PruneCount(len(w), p_l); the set is recomputed
// on every call, so a shrunk weight that grows past others climbs out of it. rho 0 is
// iterative hard thresholding (IHT); ISS-P's default is 0.99 (ist_ratio).
//
// Ties shrink the higher index first and NaN weights rank smallest. pruneCount is clamped to
// [0, len(w)]. It does not allocate once s has grown.
func Shrink(w []float32, pruneCount int, rho float32, s *Scratch) float64 {
	return ShrinkMask(nil, w, pruneCount, rho, s)
}

// ShrinkMask is Shrink that also sets mask (when not nil) to 0 on the shrunk set and 1
// elsewhere. That is the mask MagnitudeMask would compute from the shrunk weights with
// keep = len(w) − pruneCount — shrinking keeps the set smallest, ties and NaNs included
// — without a second selection.
func ShrinkMask(mask, w []float32, pruneCount int, rho float32, s *Scratch) float64 {
	keys, tmp := orNew(s).floats(len(w))
	for i, x := range w {
		keys[i] = key(x)
	}
	c := topCut(keys, tmp, len(w)-pruneCount)
	mass := 0.0
	for i, k := range keys {
		kept := c.keep(k)
		if !kept {
			mass += float64(k)
			w[i] *= rho
		}
		if mask != nil {
			mask[i] = 0
			if kept {
				mask[i] = 1
			}
		}
	}
	return mass
}
