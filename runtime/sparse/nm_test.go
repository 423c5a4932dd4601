package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestNMMaskValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	var s Scratch
	for _, p := range [][2]int{{2, 4}, {1, 8}, {1, 16}, {3, 8}, {1, 2}, {15, 16}} {
		n, m := p[0], p[1]
		for _, shape := range [][]int{{3, 2 * m}, {5, m}, {4, 2 * m, 3, 3}, {2, m, 1, 5}} {
			w := randWeights(rng, numel(shape))
			mask := make([]float32, len(w))
			if err := NMMask(mask, w, shape, n, m, &s); err != nil {
				t.Fatal(err)
			}
			if !NMValid(mask, shape, n, m) {
				t.Fatalf("%d:%d on %v: invalid mask", n, m, shape)
			}
			checkNMTop(t, mask, w, shape, n, m)
		}
	}
}

// checkNMTop checks against a naive reference: permute to (out, inner..., in), then every run
// of m along in keeps exactly its top n.
func checkNMTop(t *testing.T, mask, w []float32, shape []int, n, m int) {
	t.Helper()
	out, in, inner := shape[0], shape[1], numel(shape[2:])
	for o := range out {
		for r := range inner {
			for g := 0; g < in; g += m {
				keys := make([]float32, m)
				for j := range m {
					keys[j] = key(w[(o*in+g+j)*inner+r])
				}
				want := refTop(keys, n)
				for j := range m {
					if got := mask[(o*in+g+j)*inner+r] == 1; got != want[j] {
						t.Fatalf("%d:%d %v: out %d inner %d group %d entry %d kept=%v", n, m, shape, o, r, g/m, j, got)
					}
				}
			}
		}
	}
}

func TestNMMaskRows(t *testing.T) {
	// A dense [2, 8] weight at 2:4: groups are row-consecutive runs of four; ties keep the lower index.
	w := []float32{
		1, -4, 3, 2, 0, 0, 0, 0,
		5, 5, 5, 5, 1, 2, -3, 0.5,
	}
	mask := make([]float32, len(w))
	if err := NMMask(mask, w, []int{2, 8}, 2, 4, nil); err != nil {
		t.Fatal(err)
	}
	want := []float32{
		0, 1, 1, 0, 1, 1, 0, 0,
		1, 1, 0, 0, 0, 1, 1, 0,
	}
	if !slices.Equal(mask, want) {
		t.Errorf("mask %v\nwant %v", mask, want)
	}
}

func TestNMMaskConvGroupsAlongChannels(t *testing.T) {
	// [1, 4, 1, 2] conv at 1:4: for each of the two kernel positions, the largest of the four channels.
	w := []float32{ // index (c, x) = c*2 + x
		1, 9,
		7, 2,
		3, 4,
		5, 8,
	}
	mask := make([]float32, len(w))
	if err := NMMask(mask, w, []int{1, 4, 1, 2}, 1, 4, nil); err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 1, 1, 0, 0, 0, 0, 0}; !slices.Equal(mask, want) {
		t.Errorf("mask %v, want %v", mask, want)
	}
}

func TestNMErrors(t *testing.T) {
	w := make([]float32, 30)
	for _, tc := range []struct {
		shape []int
		n, m  int
		want  string
	}{
		{[]int{3, 10}, 2, 4, "sparse: N:M pattern 2:4 needs the input dimension to be a multiple of 4, but weight [3 10] has input dimension 10"},
		{[]int{3, 10}, 4, 4, "sparse: N:M pattern 4:4 needs 1 ≤ N < M"},
		{[]int{3, 10}, 0, 2, "pattern 0:2 needs 1 ≤ N < M"},
		{[]int{3, 10}, 3, 2, "pattern 3:2 needs 1 ≤ N < M"},
		{[]int{30}, 1, 2, "needs a weight [out, in, ...] of at least two dimensions, each at least 1, got [30]"},
	} {
		err := NMMask(make([]float32, 30), w, tc.shape, tc.n, tc.m, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NMMask(%v, %d:%d) = %v, want %q", tc.shape, tc.n, tc.m, err, tc.want)
		}
		if NMValid(make([]float32, 30), tc.shape, tc.n, tc.m) {
			t.Errorf("NMValid(%v, %d:%d) is true", tc.shape, tc.n, tc.m)
		}
	}
}

func TestNMValidRejects(t *testing.T) {
	shape := []int{1, 8}
	for _, tc := range []struct {
		mask []float32
		want bool
	}{
		{[]float32{1, 1, 0, 0, 0, 1, 0, 1}, true},
		{[]float32{1, 1, 1, 0, 0, 1, 0, 0}, false},   // three in the first group
		{[]float32{1, 0.5, 1, 0, 0, 1, 0, 1}, false}, // not binary
		{[]float32{1, 1, 0, 0, 0, 1, 0}, false},      // wrong length
	} {
		if got := NMValid(tc.mask, shape, 2, 4); got != tc.want {
			t.Errorf("NMValid(%v) = %v, want %v", tc.mask, got, tc.want)
		}
	}
}

// TestRankGroupMatchesSelection compares the small-group ranking with the general
// top-k selection on groups with ties and NaN weights, and so does the unrolled form for
// groups of 4.
func TestRankGroupMatchesSelection(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, m := range []int{2, 4, 8} {
		for n := 1; n < m; n++ {
			for range 500 {
				w := make([]float32, m)
				for j := range w {
					switch r.IntN(6) {
					case 0:
						w[j] = float32(math.NaN())
					case 1:
						w[j] = 0.5 // ties
					case 2:
						w[j] = -0.5
					default:
						w[j] = r.Float32()*2 - 1
					}
				}
				keys, ranks, tmp := make([]float32, m), make([]uint32, m), make([]float32, m)
				for j := range w {
					keys[j], ranks[j] = key(w[j]), rankKey(w[j])
				}
				got := make([]float32, m)
				rankGroup(got, ranks, 0, 1, n)
				c := topCut(keys, tmp, n)
				unrolled := make([]float32, m)
				if m == 4 {
					rank4Rows(unrolled, w, n)
				}
				for j, k := range keys {
					want := float32(0)
					if c.keep(k) {
						want = 1
					}
					if got[j] != want || m == 4 && unrolled[j] != want {
						t.Fatalf("%d:%d on %v: rank keeps %v (unrolled %v), selection %v", n, m, w, got, unrolled, j)
					}
				}
			}
		}
	}
}
