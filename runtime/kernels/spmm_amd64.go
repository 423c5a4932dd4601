//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run spmm_gen.go

// The sparse kernels use the AVX-512 inner loops where the CPU has them.
func init() {
	if cpu.X86.HasAVX512F {
		spAxpys, spDots = spAxpysAVX512, spDotsAVX512
	}
	if cpu.X86.HasAVX {
		spTrans8 = spTrans8AVX
	}
}

// spTrans8AVX transposes nb 8×8 blocks: dst[r·ldd + c] = src[c·lds + r] for
// r < 8·nb, c < 8.
func spTrans8AVX(dst []float32, ldd int, src []float32, lds, nb int) {
	_ = src[7*lds+8*nb-1]
	_ = dst[(8*nb-1)*ldd+7]
	spTrans8avx(&dst[0], ldd, &src[0], lds, nb)
}

// spAxpysAVX512 is spAxpysGo for len(acc) a multiple of 16, at most 128.
func spAxpysAVX512(acc, src []float32, ld int, idx []int32, val []float32) {
	if len(idx) == 0 {
		clear(acc)
		return
	}
	spCheckAsm(len(acc), src, ld, idx)
	spAxpy512[len(acc)/16-1](&acc[0], &src[0], ld, unsafe.SliceData(idx), unsafe.SliceData(val[:len(idx)]), len(idx))
}

// spDotsAVX512 is spDotsGo for len(a) a multiple of 16, at most 128.
func spDotsAVX512(g, a, src []float32, ld int, idx []int32, add bool) {
	if len(idx) == 0 {
		return
	}
	spCheckAsm(len(a), src, ld, idx)
	spDot512[len(a)/16-1](&g[:len(idx)][0], &a[0], &src[0], ld, &idx[0], len(idx), addFlag(add))
}

// spCheckAsm panics unless n lanes fit the assembly loops and every row idx[k]
// of src (rows ld apart) holds n floats. The kernels guarantee it; the check is
// O(1) per row of the product, cheap next to the loop.
func spCheckAsm(n int, src []float32, ld int, idx []int32) {
	if n == 0 || n%16 != 0 || n > spLanes || n > ld {
		panic("kernels: sparse assembly loop on a bad width")
	}
	_ = src[int(idx[len(idx)-1])*ld+n-1] // idx ascends, so its last row is the farthest
}

var spAxpy512 = [8]func(acc, src *float32, ld int, idx *int32, val *float32, nnz int){
	spAxpy512x1, spAxpy512x2, spAxpy512x3, spAxpy512x4, spAxpy512x5, spAxpy512x6, spAxpy512x7, spAxpy512x8,
}

var spDot512 = [8]func(dst, a, src *float32, ld int, idx *int32, nnz int, add int){
	spDot512x1, spDot512x2, spDot512x3, spDot512x4, spDot512x5, spDot512x6, spDot512x7, spDot512x8,
}

//go:noescape
func spAxpy512x1(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x2(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x3(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x4(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x5(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x6(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x7(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spAxpy512x8(acc, src *float32, ld int, idx *int32, val *float32, nnz int)

//go:noescape
func spDot512x1(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x2(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x3(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x4(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x5(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x6(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x7(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spDot512x8(dst, a, src *float32, ld int, idx *int32, nnz int, add int)

//go:noescape
func spTrans8avx(dst *float32, ldd int, src *float32, lds int, nb int)
