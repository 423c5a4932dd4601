package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGatherT checks GatherT and GatherTBytes against the reference loop on odd
// shapes, repeated rows and garbage in dst, on the assembly kernels and on the Go
// ones.
func TestGatherT(t *testing.T) {
	trans, scale := spTrans8, scaleBytes16
	defer func() { spTrans8, scaleBytes16 = trans, scale }()
	r := rand.New(rand.NewPCG(17, 18))
	for _, asm := range []bool{true, false} {
		if !asm {
			spTrans8, scaleBytes16 = nil, nil
		}
		for _, sh := range [][3]int{{1, 1, 16}, {5, 3, 16}, {128, 784, 128}, {37, 17, 48}, {130, 9, 144}, {8, 8, 8}, {0, 5, 16}, {3, 0, 16}} {
			n, cols, ld := sh[0], sh[1], sh[2]
			src, bytes := spRand(r, 50*cols), make([]byte, 50*cols)
			for i := range bytes {
				bytes[i] = byte(r.Uint32())
			}
			rows := make([]int32, n)
			for k := range rows {
				rows[k] = int32(r.IntN(50))
			}
			dst := spRand(r, cols*ld)
			GatherT(dst, ld, src, rows, cols)
			gatherCheck(t, fmt.Sprintf("asm %v %v", asm, sh), dst, ld, rows, cols, func(i int) float32 { return src[i] })
			GatherTBytes(dst, ld, bytes, rows, cols)
			gatherCheck(t, fmt.Sprintf("bytes asm %v %v", asm, sh), dst, ld, rows, cols, func(i int) float32 { return float32(bytes[i]) / 255 })
		}
	}
}

// gatherCheck fails unless dst [cols, ld] holds at (c, k) the element
// rows[k]·cols + c of the source, as at returns it, and zero after the rows.
func gatherCheck(t *testing.T, name string, dst []float32, ld int, rows []int32, cols int, at func(i int) float32) {
	t.Helper()
	for c := range cols {
		for k := range ld {
			want := float32(0)
			if k < len(rows) {
				want = at(int(rows[k])*cols + c)
			}
			if got := dst[c*ld+k]; math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%s: dst[%d·%d + %d] = %g, want %g", name, c, ld, k, got, want)
			}
		}
	}
}

// TestScaleBytes checks every byte value, at every position of a 16-byte vector
// and in the tail, against Go's float32 division.
func TestScaleBytes(t *testing.T) {
	src := make([]byte, 256*17+5)
	for i := range src {
		src[i] = byte(i + i/256) // each block of 256 shifts the values by one position
	}
	dst := make([]float32, len(src))
	scaleBytes(dst, src)
	for i, b := range src {
		if want := float32(b) / 255; math.Float32bits(dst[i]) != math.Float32bits(want) {
			t.Fatalf("byte %d at %d: %g, want %g", b, i, dst[i], want)
		}
	}
}

// TestPrefetchRowsStaysInBounds asks for whole rows up to the last row of small
// matrices of floats and of bytes, where the lines asked for run past the end: a hint
// that must not index out of range, and that changes nothing.
func TestPrefetchRowsStaysInBounds(t *testing.T) {
	for _, cols := range []int{1, 3, 17, 784} {
		f, b := make([]float32, 5*cols), make([]byte, 5*cols)
		for i := range f {
			f[i], b[i] = float32(i), byte(i)
		}
		fWant, bWant := slices.Clone(f), slices.Clone(b)
		PrefetchRows(f, nil, []int32{4, 0, 2}, cols)
		PrefetchRows(nil, b, []int32{4, 3}, cols)
		PrefetchRows(nil, b, nil, cols)
		if !slices.Equal(f, fWant) || !slices.Equal(b, bWant) {
			t.Fatalf("cols %d: prefetching changed the matrix", cols)
		}
	}
}
