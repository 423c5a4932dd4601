package roux_test

import (
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/runtime/sparse"
)

// TestHugeSparseMLPDensities pins the densities written in recipes/huge_sparse_mlp.recipe
// to ERK's at 99.9% sparsity for its three layers, and checks the recipe (its data are
// described, not loaded).
func TestHugeSparseMLPDensities(t *testing.T) {
	const file = "recipes/huge_sparse_mlp.recipe"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sparse.Densities([][]int{{65536, 784}, {65536, 65536}, {10, 65536}}, 0.001, sparse.ERK, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`density: ([0-9.e-]+)`).FindAllStringSubmatch(string(src), -1)
	if len(got) != 2 || want[2] != 1 {
		t.Fatalf("the recipe has %d sparse layers and ERK gives the output layer %v; want 2 sparse layers and a dense output", len(got), want[2])
	}
	for i, m := range got {
		d, _ := strconv.ParseFloat(m[1], 64)
		if math.Abs(d-want[i])/want[i] > 1e-8 {
			t.Errorf("layer %d: density %v in the recipe, ERK gives %v", i+1, d, want[i])
		}
	}
	if _, err := roux.Load(file); err != nil {
		t.Fatal(err)
	}
}
