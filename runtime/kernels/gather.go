package kernels

import (
	"fmt"
	"sync"
	"unsafe"
)

// GatherT copies rows of src, a matrix of cols columns, into dst transposed:
//
//	dst[c·ld + k] = src[rows[k]·cols + c]   for c < cols, k < len(rows)
//
// and zeroes the rest of each row of dst (k from len(rows) to ld). It is the layout of
// a transposed Dense, with ld = SparseLd(len(rows)): a shuffled batch gathered this
// way skips the copy and the transpose of the batch. Rows are
// taken gatherGroup at a time, copied into a cache-resident stage and transposed from
// there. It panics if a row is out of range or dst is short; it does not allocate
// once warm.
func GatherT(dst []float32, ld int, src []float32, rows []int32, cols int) {
	gatherT(dst, ld, gatherSrc{f: src, cols: cols}, rows)
}

// GatherTBytes is GatherT for a matrix held as bytes scaled by 1/255 (image pixels):
// dst[c·ld + k] = float32(src[rows[k]·cols + c]) / 255, the bits Go's float32
// division gives. It reads a quarter of the memory GatherT reads.
func GatherTBytes(dst []float32, ld int, src []byte, rows []int32, cols int) {
	gatherT(dst, ld, gatherSrc{b: src, cols: cols}, rows)
}

// PrefetchRows asks the memory system for every cache line of the listed rows of a
// matrix of cols columns held as floats (f) or bytes (b, when f is nil): a batch that
// the next step will gather, so that its misses overlap this step's work instead of
// stalling the gather.
func PrefetchRows(f []float32, b []byte, rows []int32, cols int) {
	s := gatherSrc{f: f, b: b, cols: cols}
	lines := (cols*4+63)/64 + 1
	if f == nil {
		lines = (cols+63)/64 + 1
	}
	for _, r := range rows {
		s.prefetchN(int(r), lines)
	}
}

// gatherSrc is the matrix GatherT reads: floats, or bytes (f nil) scaled by 1/255.
type gatherSrc struct {
	f    []float32
	b    []byte
	cols int
}

// prefetch asks for the first gatherLines cache lines of row r.
func (s gatherSrc) prefetch(r int) { s.prefetchN(r, gatherLines) }

// prefetchN asks for n cache lines from the start of row r (those past the row's
// end too: a hint, never a fault).
func (s gatherSrc) prefetchN(r, n int) {
	lo, hi := r*s.cols, (r+1)*s.cols
	if s.f != nil {
		prefetchLines(unsafe.Pointer(&s.f[lo:hi][0]), n)
	} else {
		prefetchLines(unsafe.Pointer(&s.b[lo:hi][0]), n)
	}
}

// load copies row r into dst.
func (s gatherSrc) load(dst []float32, r int) {
	lo, hi := r*s.cols, (r+1)*s.cols
	if s.f != nil {
		copy(dst, s.f[lo:hi])
	} else {
		scaleBytes(dst, s.b[lo:hi])
	}
}

// gatherT is GatherT from src.
func gatherT(dst []float32, ld int, src gatherSrc, rows []int32) {
	cols := src.cols
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
			src.prefetch(int(r))
		}
		for j, r := range group {
			src.load(stage[j*cols:(j+1)*cols], int(r))
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

// scaleBytes sets dst[i] = float32(src[i]) / 255 for i < len(src), 16 at a time
// with scaleBytes16 where the CPU allows.
func scaleBytes(dst []float32, src []byte) {
	n := 0
	if scaleBytes16 != nil {
		n = len(src) / 16 * 16
		if n > 0 {
			scaleBytes16(&dst[:n][0], &src[0], n)
		}
	}
	for i, b := range src[n:] {
		dst[n+i] = float32(b) / 255
	}
}

// gatherGroup is how many rows GatherT stages at a time: 16 rows fill whole 64-byte
// lines of each row of dst, and 16 rows of MNIST's 784 floats (49 KiB) stay in L2.
const gatherGroup = 16

// gatherLines is how many cache lines of each row of the next group GatherT asks
// for while it copies the current one: the rows are far apart in a large data set,
// so each starts with a TLB and a DRAM miss, and asking early overlaps them.
const gatherLines = 1

// scaleBytes16 sets dst[i] = float32(src[i]) / 255 for i < n, n a multiple of 16;
// nil where there is no assembly for it.
var scaleBytes16 func(dst *float32, src *byte, n int)

// gatherStages holds GatherT's stages.
var gatherStages = sync.Pool{New: func() any { return new([]float32) }}
