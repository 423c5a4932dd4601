package regularize

import (
	"math"
	"testing"
)

func TestL1AndL2Gradients(t *testing.T) {
	w := []float32{2, -3, 0, 0.5}
	g := []float32{1, 1, 1, 1}
	L1().Grad(g, w, nil, 0.1)
	want := []float32{1.1, 0.9, 1, 1.1}
	for i := range g {
		if math.Abs(float64(g[i]-want[i])) > 1e-6 {
			t.Fatalf("l1: g = %v, want %v", g, want)
		}
	}
	g = []float32{0, 0, 0, 0}
	L2().Grad(g, w, []float32{1, 0, 1, 0}, 0.5) // only the pruned positions 1 and 3
	want = []float32{0, -1.5, 0, 0.25}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("l2 on pruned: g = %v, want %v", g, want)
		}
	}
}

// TestGroupLassoRows shrinks each row of [2, 2] by t/‖row‖ and zeroes a row whose norm is
// below t: rows (3, 4) with t = 1 become (2.4, 3.2); (0.3, 0.4) becomes 0.
func TestGroupLassoRows(t *testing.T) {
	w := []float32{3, 4, 0.3, 0.4}
	GroupLasso(true).Prox(w, []int{2, 2}, nil, 1)
	want := []float32{2.4, 3.2, 0, 0}
	for i := range w {
		if math.Abs(float64(w[i]-want[i])) > 1e-6 {
			t.Fatalf("w = %v, want %v", w, want)
		}
	}
}

// TestGroupLassoColumns groups a [2 out, 2 in, 2 kernel] weight by input: column 0 holds
// indices 0, 1, 4, 5.
func TestGroupLassoColumns(t *testing.T) {
	w := []float32{1, 1, 9, 9, 1, 1, 9, 9}
	GroupLasso(false).Prox(w, []int{2, 2, 2}, nil, 2) // column 0 has norm 2: zeroed
	for i, x := range w {
		zero := i == 0 || i == 1 || i == 4 || i == 5
		if zero != (x == 0) {
			t.Fatalf("w = %v: column 0 (indices 0 1 4 5) must be zero and only it", w)
		}
	}
	if want := float32(9 * (1 - 2.0/18)); math.Abs(float64(w[2]-want)) > 1e-5 {
		t.Fatalf("column 1 scaled to %v, want %v", w[2], want)
	}
}

// TestGroupLassoOnlyPrunedGroups leaves a row alone unless all its weights are pruned.
func TestGroupLassoOnlyPrunedGroups(t *testing.T) {
	w := []float32{0.1, 0.1, 0.1, 0.1}
	GroupLasso(true).Prox(w, []int{2, 2}, []float32{0, 0, 1, 0}, 1)
	if w[0] != 0 || w[1] != 0 || w[2] != 0.1 || w[3] != 0.1 {
		t.Fatalf("w = %v: only row 0 (fully pruned) shrinks", w)
	}
}
