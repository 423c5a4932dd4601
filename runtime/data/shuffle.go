package data

import (
	"math/bits"
	"math/rand/v2"
)

// identity sets p[i] = i.
func identity(p []int32) {
	for i := range p {
		p[i] = int32(i)
	}
}

// shuffle permutes p uniformly (Fisher–Yates) with numbers drawn from src.
func shuffle(p []int32, src *rand.PCG) {
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
