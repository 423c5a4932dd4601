package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// dstCase is a layer with a random mask, weights and dense gradient.
func dstCase(seed uint64, n, nnz int) (mask, w, grad []float32) {
	rng := rand.New(rand.NewPCG(seed, seed))
	mask = make([]float32, n)
	RandomMask(mask, nnz, rng, nil)
	return mask, randWeights(rng, n), randWeights(rng, n)
}

// refDrop is the set a reference update drops: the k smallest |w| among active entries,
// the higher index first on a tie.
func refDrop(mask, w []float32, k int) []bool {
	keys := make([]float32, len(w))
	for i := range w {
		keys[i] = excluded
		if mask[i] != 0 {
			keys[i] = key(w[i])
		}
	}
	keep := refTop(keys, NNZ(mask)-k)
	out := make([]bool, len(w))
	for i := range out {
		out[i] = mask[i] != 0 && !keep[i]
	}
	return out
}

func TestDropGrowScore(t *testing.T) {
	var s Scratch
	for _, n := range []int{10, 101, 1000} {
		for _, exclude := range []bool{false, true} {
			mask, w, grad := dstCase(uint64(n), n, n/3)
			w[1], grad[2] = 0, 0 // some ties
			before := slices.Clone(mask)
			k := DropCount(NNZ(mask), 0.3)
			wantDrop := refDrop(mask, w, k)
			grown, err := DropGrow(mask, w, grad, k, Grow{Rule: GrowScore, ExcludeDropped: exclude}, nil, &s)
			if err != nil {
				t.Fatal(err)
			}
			checkBinary(t, mask)
			if NNZ(mask) != NNZ(before) {
				t.Fatalf("n=%d: nnz %d → %d", n, NNZ(before), NNZ(mask))
			}
			// The grown set is exactly the top-k |grad| among the candidates.
			keys := make([]float32, n)
			for i := range keys {
				keys[i] = excluded
				if before[i] == 0 || (wantDrop[i] && !exclude) {
					keys[i] = key(grad[i])
				}
			}
			wantGrow := refTop(keys, k)
			var wantNew []int
			for i := range mask {
				want := before[i] != 0 && !wantDrop[i] || wantGrow[i]
				if (mask[i] == 1) != want {
					t.Fatalf("n=%d exclude=%v: entry %d mask %v, want %v", n, exclude, i, mask[i], want)
				}
				if wantGrow[i] && before[i] == 0 {
					wantNew = append(wantNew, i)
				}
			}
			if !slices.Equal(grown, wantNew) {
				t.Fatalf("n=%d: grown %v, want %v", n, grown, wantNew)
			}
		}
	}
}

func TestDropGrowRegrow(t *testing.T) {
	// Active {0, 1}; drop the smaller (index 1), whose gradient is the largest: RigL grows it
	// back (not reported as new), ExcludeDropped grows the best inactive entry instead.
	w := []float32{5, 1, 0, 0}
	grad := []float32{0, 9, 3, 2}
	mask := []float32{1, 1, 0, 0}
	grown, _ := DropGrow(mask, w, grad, 1, Grow{Rule: GrowScore}, nil, nil)
	if !slices.Equal(mask, []float32{1, 1, 0, 0}) || len(grown) != 0 {
		t.Errorf("regrow: mask %v grown %v", mask, grown)
	}
	grown, _ = DropGrow(mask, w, grad, 1, Grow{Rule: GrowScore, ExcludeDropped: true}, nil, nil)
	if !slices.Equal(mask, []float32{1, 0, 1, 0}) || !slices.Equal(grown, []int{2}) {
		t.Errorf("exclude: mask %v grown %v", mask, grown)
	}
}

func TestDropGrowRandom(t *testing.T) {
	var s Scratch
	for _, exclude := range []bool{false, true} {
		g := Grow{Rule: GrowRandom, ExcludeDropped: exclude}
		mask, w, _ := dstCase(21, 999, 200)
		before := slices.Clone(mask)
		wantDrop := refDrop(mask, w, 60)
		grown, err := DropGrow(mask, w, nil, 60, g, rand.New(rand.NewPCG(1, 2)), &s)
		if err != nil {
			t.Fatal(err)
		}
		grown = slices.Clone(grown)
		if NNZ(mask) != 200 || !slices.IsSorted(grown) {
			t.Fatalf("nnz %d, grown sorted %v", NNZ(mask), slices.IsSorted(grown))
		}
		for i := range mask {
			if before[i] != 0 && !wantDrop[i] && mask[i] != 1 {
				t.Fatalf("entry %d was kept by the drop but is inactive", i)
			}
			if exclude && wantDrop[i] && mask[i] != 0 {
				t.Fatalf("entry %d was dropped and regrown despite ExcludeDropped", i)
			}
			if isNew := before[i] == 0 && mask[i] == 1; isNew != slices.Contains(grown, i) {
				t.Fatalf("entry %d newly active %v, in grown %v", i, isNew, !isNew)
			}
		}
		// Same seed, same mask.
		again, _, _ := dstCase(21, 999, 200)
		DropGrow(again, w, nil, 60, g, rand.New(rand.NewPCG(1, 2)), nil)
		if !slices.Equal(mask, again) {
			t.Error("same seed gave different masks")
		}
		other, _, _ := dstCase(21, 999, 200)
		DropGrow(other, w, nil, 60, g, rand.New(rand.NewPCG(1, 3)), nil)
		if slices.Equal(mask, other) {
			t.Error("different seeds gave the same mask")
		}
	}
}

func TestDropGrowManySteps(t *testing.T) {
	// nnz stays constant across many updates with moving weights.
	mask, w, grad := dstCase(5, 500, 50)
	rng := rand.New(rand.NewPCG(5, 6))
	var s Scratch
	for step := range 50 {
		rule := Grow{Rule: GrowRule(step % 2)}
		grown, err := DropGrow(mask, w, grad, DropCount(NNZ(mask), DropFraction(step, 50, 0.3)), rule, rng, &s)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range grown {
			w[i] = 0
		}
		for i := range w {
			w[i] += 0.01 * grad[i] * mask[i]
			grad[i] = float32(rng.NormFloat64())
		}
		if NNZ(mask) != 50 {
			t.Fatalf("step %d: nnz %d", step, NNZ(mask))
		}
	}
}

func TestDropGrowErrors(t *testing.T) {
	mask := []float32{1, 1, 1, 0}
	w := make([]float32, 4)
	for _, tc := range []struct {
		k    int
		g    Grow
		want string
	}{
		{4, Grow{Rule: GrowScore}, "cannot drop 4 of 3 active weights"},
		{-1, Grow{Rule: GrowScore}, "cannot drop -1 of 3"},
		{2, Grow{Rule: GrowScore, ExcludeDropped: true}, "cannot grow 2 weights: only 1 are inactive"},
		{1, Grow{Rule: 9}, "unknown grow rule GrowRule(9)"},
	} {
		_, err := DropGrow(mask, w, w, tc.k, tc.g, rand.New(rand.NewPCG(1, 1)), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("k=%d %+v: %v, want %q", tc.k, tc.g, err, tc.want)
		}
	}
	if !slices.Equal(mask, []float32{1, 1, 1, 0}) {
		t.Errorf("a failed update changed the mask: %v", mask)
	}
}

func TestDropFraction(t *testing.T) {
	for _, tc := range []struct {
		step, end int
		want      float64
	}{
		{0, 100, 0.3}, {50, 100, 0.15}, {25, 100, 0.15 * (1 + math.Sqrt2/2)},
		{100, 100, 0}, {150, 100, 0}, {-5, 100, 0.3}, {0, 0, 0},
	} {
		if got := DropFraction(tc.step, tc.end, 0.3); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("DropFraction(%d, %d, 0.3) = %v, want %v", tc.step, tc.end, got, tc.want)
		}
	}
	for step := range 751 { // M4: (α/2)(1 + cos(π·t/T_end)) over the whole window
		want := 0.15 * (1 + math.Cos(math.Pi*float64(step)/750))
		if got := DropFraction(step, 750, 0.3); math.Abs(got-want) > 1e-12 {
			t.Fatalf("DropFraction(%d, 750, 0.3) = %v, want %v", step, got, want)
		}
	}
}
