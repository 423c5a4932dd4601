package sparse

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBlockMaskCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 13))
	var s Scratch
	for _, shape := range [][]int{{8, 8}, {7, 9}, {1, 13}, {13, 1}, {30, 47}} {
		n := numel(shape)
		w := randWeights(rng, n)
		for _, b := range []int{1, 2, 3, 4, 16} {
			for _, keep := range []int{0, 1, n / 7, n / 3, n / 2, n - 1, n} {
				mask := make([]float32, n)
				if err := BlockMask(mask, w, shape, b, keep, &s); err != nil {
					t.Fatal(err)
				}
				checkBinary(t, mask)
				got := NNZ(mask)
				if 2*abs(got-keep) > b*b {
					t.Errorf("%v b=%d keep=%d: kept %d, more than b²/2 away", shape, b, keep, got)
				}
				if b == 1 && got != keep {
					t.Errorf("%v b=1 keep=%d: kept %d", shape, keep, got)
				}
				checkWholeTopBlocks(t, mask, w, shape, b)
			}
		}
	}
}

// checkWholeTopBlocks checks that every block is all 0 or all 1 and that no dropped block has
// a larger norm than a kept one.
func checkWholeTopBlocks(t *testing.T, mask, w []float32, shape []int, b int) {
	t.Helper()
	g := blockGrid{rows: shape[0], cols: shape[1], b: b}
	minKept, maxDropped := 1e300, -1.0
	for k := range g.count() {
		r0, r1, c0, c1 := g.bounds(k)
		first := mask[r0*g.cols+c0]
		for r := r0; r < r1; r++ {
			for c := c0; c < c1; c++ {
				if mask[r*g.cols+c] != first {
					t.Fatalf("%v b=%d: block %d is partly kept", shape, b, k)
				}
			}
		}
		if n := g.sumSquares(w, k); first == 1 {
			minKept = min(minKept, n)
		} else {
			maxDropped = max(maxDropped, n)
		}
	}
	if maxDropped > minKept {
		t.Fatalf("%v b=%d: dropped a block of squared norm %v but kept one of %v", shape, b, maxDropped, minKept)
	}
}

func TestBlockMaskExample(t *testing.T) {
	// [3, 5] with b=2: blocks (0,0) 2×2, (0,1) 2×2, (0,2) 2×1, (1,0) 1×2, (1,1) 1×2, (1,2) 1×1.
	w := []float32{
		1, 1, 0, 0, 9,
		1, 1, 0, 0, 9,
		0, 0, 3, 3, 0,
	}
	mask := make([]float32, len(w))
	// Ranked: block 2 (norm² 162), block 4 (18), block 0 (4), then zeros. keep 5: take block 2
	// (2 weights), block 4 (covered 4), block 0 would make 8 (3 over, 1 under): stop.
	if err := BlockMask(mask, w, []int{3, 5}, 2, 5, nil); err != nil {
		t.Fatal(err)
	}
	want := []float32{
		0, 0, 0, 0, 1,
		0, 0, 0, 0, 1,
		0, 0, 1, 1, 0,
	}
	if !slices.Equal(mask, want) {
		t.Errorf("keep 5: mask %v, want %v", mask, want)
	}
	// keep 6: block 0 makes 8, exactly as far over as 4 is under: the half rounds up.
	if BlockMask(mask, w, []int{3, 5}, 2, 6, nil); NNZ(mask) != 8 {
		t.Errorf("keep 6: kept %d, want 8", NNZ(mask))
	}
}

func TestBlockMaskErrors(t *testing.T) {
	w := make([]float32, 12)
	for _, tc := range []struct {
		shape []int
		b     int
	}{{[]int{12}, 2}, {[]int{1, 3, 4}, 2}, {[]int{3, 4}, 0}} {
		if err := BlockMask(make([]float32, 12), w, tc.shape, tc.b, 4, nil); err == nil {
			t.Errorf("BlockMask(%v, b=%d) gave no error", tc.shape, tc.b)
		}
	}
}

func abs(x int) int { return max(x, -x) }
