package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGatherT gathers shuffled batches of 128 MNIST-sized rows from 60000,
// most of them out of cache, as a training epoch does, and from 1000, which stay in
// cache (the cost of the transpose), from floats and from bytes.
//
//	go test -run XXX -bench GatherT ./runtime/kernels
func BenchmarkGatherT(b *testing.B) {
	b.Run("mnist", func(b *testing.B) { benchGatherT(b, 60000, false) })
	b.Run("cached", func(b *testing.B) { benchGatherT(b, 1000, false) })
	b.Run("mnist-bytes", func(b *testing.B) { benchGatherT(b, 60000, true) })
	b.Run("cached-bytes", func(b *testing.B) { benchGatherT(b, 1000, true) })
}

// benchGatherT times GatherT (GatherTBytes if bytes is set) of batches of 128
// shuffled rows out of n.
func benchGatherT(b *testing.B, n int, bytes bool) {
	const cols, batch = 784, 128
	r := rand.New(rand.NewPCG(21, 22))
	src, pixels := spRand(r, n*cols), make([]byte, n*cols)
	for i := range pixels {
		pixels[i] = byte(i)
	}
	rows := make([]int32, n)
	for i, p := range r.Perm(n) {
		rows[i] = int32(p)
	}
	ld := SparseLd(batch)
	dst := make([]float32, cols*ld)
	b.SetBytes(batch * cols * 4)
	b.ResetTimer()
	pos := 0
	for range b.N {
		if pos+batch > n {
			pos = 0
		}
		if bytes {
			GatherTBytes(dst, ld, pixels, rows[pos:pos+batch], cols)
		} else {
			GatherT(dst, ld, src, rows[pos:pos+batch], cols)
		}
		pos += batch
	}
}
