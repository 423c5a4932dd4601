package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestGatherT checks GatherT against the reference loop on odd shapes, repeated
// rows and garbage in dst, on the assembly transpose and on the Go one.
func TestGatherT(t *testing.T) {
	trans := spTrans8
	defer func() { spTrans8 = trans }()
	r := rand.New(rand.NewPCG(17, 18))
	for _, t8 := range []func([]float32, int, []float32, int, int){trans, nil} {
		spTrans8 = t8
		for _, sh := range [][3]int{{1, 1, 16}, {5, 3, 16}, {128, 784, 128}, {37, 17, 48}, {130, 9, 144}, {8, 8, 8}, {0, 5, 16}, {3, 0, 16}} {
			n, cols, ld := sh[0], sh[1], sh[2]
			src := spRand(r, 50*cols)
			rows := make([]int32, n)
			for k := range rows {
				rows[k] = int32(r.IntN(50))
			}
			dst := spRand(r, cols*ld)
			GatherT(dst, ld, src, rows, cols)
			for c := range cols {
				for k := range ld {
					want := float32(0)
					if k < n {
						want = src[int(rows[k])*cols+c]
					}
					if got := dst[c*ld+k]; got != want {
						t.Fatalf("%s: dst[%d·%d + %d] = %g, want %g", fmt.Sprint(sh), c, ld, k, got, want)
					}
				}
			}
		}
	}
}
