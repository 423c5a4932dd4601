package kernels

import (
	"fmt"
	"sync"
)

// GatherT copies rows of src, a matrix of cols columns, into dst transposed:
//
//	dst[c·ld + k] = src[rows[k]·cols + c]   for c < cols, k < len(rows)
//
// and zeroes the rest of each row of dst (k from len(rows) to ld). It is the layout
// SpMMTTransposed and SDDMMTransposed read, with ld = SparseLd(len(rows)): a shuffled
// batch gathered this way skips the copy and the transpose of the batch. Rows are
// taken gatherGroup at a time, copied into a cache-resident stage and transposed from
// there. It panics if a row is out of range or dst is short; it does not allocate
// once warm.
func GatherT(dst []float32, ld int, src []float32, rows []int32, cols int) {
	if len(rows) > ld {
		panic(fmt.Sprintf("kernels: GatherT: %d rows into rows of %d", len(rows), ld))
	}
	checkLen("GatherT", "dst", dst, cols*ld)
	if cols == 0 {
		return
	}
	sp := gatherStages.Get().(*[]float32)
	stage := spGrow(*sp, gatherGroup*cols)
	for k0 := 0; k0 < len(rows); k0 += gatherGroup {
		group := rows[k0:min(len(rows), k0+gatherGroup)]
		for _, r := range rows[k0+len(group) : min(len(rows), k0+2*gatherGroup)] {
			prefetchLines(&src[int(r)*cols : (int(r)+1)*cols][0], gatherLines)
		}
		for j, r := range group {
			copy(stage[j*cols:(j+1)*cols], src[int(r)*cols:(int(r)+1)*cols])
		}
		spTranspose(dst[k0:], ld, stage, cols, len(group), 0, cols)
	}
	*sp = stage
	gatherStages.Put(sp)
	if len(rows) < ld {
		for c := range cols {
			clear(dst[c*ld+len(rows) : (c+1)*ld])
		}
	}
}

// gatherGroup is how many rows GatherT stages at a time: 16 rows fill whole 64-byte
// lines of each row of dst, and 16 rows of MNIST's 784 floats (49 KiB) stay in L2.
const gatherGroup = 16

// gatherLines is how many cache lines of each row of the next group GatherT asks
// for while it copies the current one: the rows are far apart in a large data set,
// so each starts with a TLB and a DRAM miss, and asking early overlaps them.
const gatherLines = 1

// gatherStages holds GatherT's stages.
var gatherStages = sync.Pool{New: func() any { return new([]float32) }}
