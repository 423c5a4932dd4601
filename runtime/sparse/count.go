package sparse

import "math"

// Count is the number of entries kept when a layer of n weights has the given density:
// density·n rounded to the nearest integer, halves rounding up, clamped to [0, n] (NaN counts
// as 0). Building every mask from Count makes the realised density equal the target within
// half a weight per layer (PAPERS 2.1 M1 "sample an exact count").
func Count(n int, density float64) int {
	return clampCount(math.Round(density*float64(n)), n)
}

// DropCount is k = ⌊fraction·nnz⌋, the number of weights a prune-and-grow update moves in a
// layer holding nnz active weights (PAPERS 2.1 M4 step 1). Products that miss an integer only
// by floating-point error (0.3·10) count as that integer.
func DropCount(nnz int, fraction float64) int {
	x := fraction * float64(nnz)
	return clampCount(math.Floor(x+tolerance(x)), nnz)
}

// PruneCount is ⌈ratio·n⌉, the size of the set ISS-P shrinks in a layer of n weights with
// target pruning ratio ratio (PAPERS 2.1 M5). Products that miss an integer only by
// floating-point error (0.9·10) count as that integer.
func PruneCount(n int, ratio float64) int {
	x := ratio * float64(n)
	return clampCount(math.Ceil(x-tolerance(x)), n)
}

// tolerance is the slack allowed for rounding error in a product x of a fraction and a count.
func tolerance(x float64) float64 { return 1e-9 * max(1, math.Abs(x)) }

// clampCount converts x to an int in [0, n]; NaN gives 0.
func clampCount(x float64, n int) int {
	switch {
	case !(x > 0):
		return 0
	case x >= float64(n):
		return n
	}
	return int(x)
}
