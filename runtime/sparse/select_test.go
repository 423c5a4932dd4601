package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refTop is the naive reference for the engine: sort indices by (key desc, index asc) and
// take the first k.
func refTop(keys []float32, k int) []bool {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case keys[a] > keys[b]:
			return -1
		case keys[a] < keys[b]:
			return 1
		}
		return 0
	})
	sel := make([]bool, len(keys))
	for _, i := range idx[:min(max(k, 0), len(keys))] {
		sel[i] = true
	}
	return sel
}

// keyPatterns are inputs that defeat naive quickselects: sorted, reversed, constant, organ
// pipe, few distinct values, and random.
func keyPatterns(rng *rand.Rand, n int) map[string][]float32 {
	p := map[string][]float32{}
	for _, name := range []string{"sorted", "reversed", "constant", "organ", "few", "random", "sentinels"} {
		a := make([]float32, n)
		for i := range a {
			switch name {
			case "sorted":
				a[i] = float32(i)
			case "reversed":
				a[i] = float32(n - i)
			case "constant":
				a[i] = 0.5
			case "organ":
				a[i] = float32(min(i, n-i))
			case "few":
				a[i] = float32(rng.IntN(3))
			case "random":
				a[i] = rng.Float32()
			case "sentinels":
				a[i] = []float32{excluded, -1, 0, rng.Float32()}[rng.IntN(4)]
			}
		}
		p[name] = a
	}
	return p
}

func TestTopCutMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 3, 7, 16, 17, 33, 100, 1001, 4099} {
		for name, keys := range keyPatterns(rng, n) {
			tmp := make([]float32, n)
			for _, k := range []int{-1, 0, 1, n / 3, n / 2, n - 1, n, n + 5} {
				c := topCut(keys, tmp, k)
				want := refTop(keys, k)
				got := 0
				for i, key := range keys {
					sel := c.keep(key)
					if sel != want[i] {
						t.Fatalf("%s n=%d k=%d: entry %d (key %v) selected=%v, reference %v", name, n, k, i, key, sel, want[i])
					}
					if sel {
						got++
					}
				}
				if wantN := min(max(k, 0), n); got != wantN {
					t.Fatalf("%s n=%d k=%d: selected %d", name, n, k, got)
				}
			}
		}
	}
}

func TestNthWorstCase(t *testing.T) {
	// Many equal keys and sorted runs must neither loop forever nor go quadratic.
	a := make([]float32, 1<<16)
	for i := range a {
		a[i] = float32(i % 2)
	}
	if got := nth(a, len(a)/2); got != 0 {
		t.Errorf("nth of alternating 0/1 at the middle = %v, want 0", got)
	}
	for i := range a {
		a[i] = float32(i)
	}
	if got := nth(a, 10); got != float32(len(a)-11) {
		t.Errorf("nth sorted = %v", got)
	}
}

func TestKey(t *testing.T) {
	nan := float32(math.NaN())
	if key(-2) != 2 || key(3) != 3 || key(nan) != -1 || key(float32(math.Inf(-1))) != float32(math.Inf(1)) {
		t.Errorf("key: %v %v %v", key(-2), key(3), key(nan))
	}
	if key(float32(math.Copysign(0, -1))) != 0 {
		t.Error("key(-0) != 0")
	}
}

func TestCounts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"Count(266200, 0.1)", Count(266200, 0.1), 26620},
		{"Count(10, 0.25)", Count(10, 0.25), 3}, // 2.5 rounds up
		{"Count(10, 0.24)", Count(10, 0.24), 2},
		{"Count(7, 1)", Count(7, 1), 7},
		{"Count(7, 1.5)", Count(7, 1.5), 7},
		{"Count(7, -1)", Count(7, -1), 0},
		{"Count(7, NaN)", Count(7, math.NaN()), 0},
		{"DropCount(10, 0.3)", DropCount(10, 0.3), 3},
		{"DropCount(10, 0.29)", DropCount(10, 0.29), 2},
		{"DropCount(1000, 0.7)", DropCount(1000, 0.7), 700},
		{"PruneCount(10, 0.9)", PruneCount(10, 0.9), 9},
		{"PruneCount(10, 0.91)", PruneCount(10, 0.91), 10},
		{"PruneCount(100, 0.07)", PruneCount(100, 0.07), 7},
		{"PruneCount(5, 2)", PruneCount(5, 2), 5},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}
