package sparse

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRandomCSR checks the pattern's exact count, balanced rows, sorted distinct
// columns in range, and that it depends only on the generator's seed.
func TestRandomCSR(t *testing.T) {
	draw := func(seed uint64) []int32 {
		c := RandomCSR(7, 50, 100, rand.New(rand.NewPCG(seed, 1)))
		if c.NNZ() != 100 || c.RowPtr[7] != 100 {
			t.Fatalf("nnz %d, want 100", c.NNZ())
		}
		for o := range 7 {
			row := c.Col[c.RowPtr[o]:c.RowPtr[o+1]]
			want := 14
			if o < 100%7 {
				want = 15
			}
			if len(row) != want {
				t.Fatalf("row %d has %d entries, want %d", o, len(row), want)
			}
			for i := 1; i < len(row); i++ {
				if row[i] <= row[i-1] {
					t.Fatalf("row %d columns %v are not sorted and distinct", o, row)
				}
			}
			if row[0] < 0 || row[len(row)-1] >= 50 {
				t.Fatalf("row %d columns %v out of range", o, row)
			}
		}
		return slices.Clone(c.Col)
	}
	a, b, other := draw(1), draw(1), draw(2)
	if !slices.Equal(a, b) || slices.Equal(a, other) {
		t.Fatal("the pattern must depend on the seed, and only on it")
	}
	full := RandomCSR(3, 4, 12, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(full.Col, []int32{0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}) {
		t.Fatalf("a full pattern holds every column: %v", full.Col)
	}
}
