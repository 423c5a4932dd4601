package data

import (
	"math/bits"
	"math/rand/v2"
)

// identity sets p[i] = i.
func identity[T int | int32](p []T) {
	for i := range p {
		p[i] = T(i)
	}
}

// shuffle permutes p uniformly (Fisher–Yates) with numbers drawn from src.
func shuffle[T int | int32](p []T, src *rand.PCG) {
	for i := len(p) - 1; i > 0; i-- {
		j := uintn(src, uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
}

// uintn returns a uniform integer in [0, n), n > 0, by Lemire's multiply-and-reject
// method. Unlike rand.Rand.IntN, which takes a 32-bit path on 32-bit machines, it draws
// the same numbers on every platform.
func uintn(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// Perm returns a uniformly random permutation of [0, n) that depends only on (seed,
// stream) and is the same on every platform: the one a shuffling Batcher uses for epoch
// e is Perm(n, seed, e). Loaders use it, with their own streams, to mix or split rows.
func Perm(n int, seed, stream uint64) []int {
	p := make([]int, n)
	identity(p)
	shuffle(p, rand.NewPCG(seed, stream))
	return p
}
