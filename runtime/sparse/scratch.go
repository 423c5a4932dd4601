package sparse

// Scratch holds the buffers the mask functions work in, so that the per-step updates of
// PAPERS 2.1 M2–M5 (scheduled magnitude pruning, N:M recomputed every forward pass,
// prune-and-grow every ΔT steps, shrinkage every step) run without allocating. Reuse one Scratch across calls to
// avoid allocation; it grows to the largest layer it has seen. A Scratch is not safe for
// concurrent use, and slices a function returns from it stay valid only until the Scratch
// is next used.
type Scratch struct {
	keys, tmp []float32 // ranking keys and the engine's working copy
	idx, out  []int     // candidate indices and returned indices
	norms     []float64 // block norms
}

// orNew returns s, or a fresh Scratch when s is nil.
func orNew(s *Scratch) *Scratch {
	if s == nil {
		return new(Scratch)
	}
	return s
}

// floats returns the key and working buffers, both of length n.
func (s *Scratch) floats(n int) (keys, tmp []float32) {
	s.keys, s.tmp = resize(s.keys, n), resize(s.tmp, n)
	return s.keys, s.tmp
}

// resize returns b with length n, reallocating only when its capacity is too small.
func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}
