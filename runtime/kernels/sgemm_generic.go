package kernels

// micro is a micro-kernel. kern computes an m×n block of c (m ≤ mr, n ≤ w, where
// w is nr or, if narrow, nr/2),
//
//	s[i][j] = Σ_l a[i*rsa+l*csa] · b[l*w+j]   for l = 0, 1, …, k-1 in order,
//
// and sets c[i*ldc+j] = s[i][j], or adds s[i][j] to it when add is set. b is a
// packed panel of w columns (zero past n); tmp is mr·nr floats of scratch. k is at
// least 1. It reads no other element of a and writes no other element of c.
type micro struct {
	name   string
	mr, nr int
	narrow bool // kern takes panels of nr/2 columns too
	asm    bool // kern is assembly, so packing may be too
	kern   func(k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool, m, n, w int, tmp []float32)
}

// goMicro is the pure-Go micro-kernel, the fallback on any CPU.
var goMicro = &micro{name: "go-4x16", mr: 4, nr: 16, kern: kernelGo}

// maxMR and maxNR bound the block of every micro-kernel.
const maxMR, maxNR = 8, 32

// bestMicro is the fastest micro-kernel this CPU can run.
func bestMicro() *micro {
	if len(asmMicros) > 0 {
		return asmMicros[0]
	}
	return goMicro
}

// kernelGo is micro's loops in Go, with plain (unfused) multiply-adds.
func kernelGo(k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool, m, n, w int, _ []float32) {
	var s [maxNR]float32
	for i := range m {
		row := s[:n]
		clear(row)
		ai := a[i*rsa:]
		for l := range k {
			av := ai[l*csa]
			for j, bv := range b[l*w : l*w+n] {
				row[j] += av * bv
			}
		}
		ci := c[i*ldc : i*ldc+n]
		if !add {
			copy(ci, row)
			continue
		}
		for j := range ci {
			ci[j] += row[j]
		}
	}
}
