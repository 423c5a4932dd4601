package sparse

import (
	"math/rand/v2"
	"slices"

	"github.com/roux-ml/roux/runtime/kernels"
)

// RandomCSR draws a random sparsity pattern of nnz entries for a rows×cols weight
// directly in compressed form, never touching the rows·cols dense positions: each row
// gets ⌊nnz/rows⌋ or ⌈nnz/rows⌉ distinct columns (the first nnz mod rows rows the
// larger count), chosen uniformly by Floyd's algorithm and sorted. Values are zero.
// It is how a layer too large to hold densely (a 65536×65536 weight at 99.9% sparsity)
// gets its static random mask.
func RandomCSR(rows, cols, nnz int, rng *rand.Rand) *kernels.CSR {
	nnz = min(nnz, rows*cols)
	c := &kernels.CSR{Rows: rows, Cols: cols, RowPtr: make([]int32, rows+1), Col: make([]int32, nnz), Val: make([]float32, nnz)}
	chosen := map[int32]bool{}
	k := 0
	for o := range rows {
		n := nnz / rows
		if o < nnz%rows {
			n++
		}
		c.RowPtr[o] = int32(k)
		clear(chosen)
		row := c.Col[k : k+n]
		for j := cols - n; j < cols; j++ { // Floyd: n distinct columns of cols
			t := int32(rng.IntN(j + 1))
			if chosen[t] {
				t = int32(j)
			}
			chosen[t] = true
			row[j-(cols-n)] = t
		}
		slices.Sort(row)
		k += n
	}
	c.RowPtr[rows] = int32(k)
	return c
}
