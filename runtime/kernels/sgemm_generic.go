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

// addFlag is add as the assembly kernels take it.
func addFlag(add bool) int {
	if add {
		return 1
	}
	return 0
}

// kernelGo is micro's loops in Go, with plain (unfused) multiply-adds, two rows
// by four columns at a time in registers when it can.
func kernelGo(k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool, m, n, w int, _ []float32) {
	j := 0
	if m%2 == 0 {
		for ; j+4 <= n; j += 4 {
			for i := 0; i < m; i += 2 {
				kernelGo2x4(k, a[i*rsa:], rsa, csa, b[j:], w, c[i*ldc+j:], ldc, add)
			}
		}
	}
	if j == n {
		return
	}
	var s [maxNR]float32
	for i := range m {
		row := s[j:n]
		clear(row)
		ai := a[i*rsa:]
		for l := range k {
			av := ai[l*csa]
			for x, bv := range b[l*w+j : l*w+n] {
				row[x] += av * bv
			}
		}
		ci := c[i*ldc+j : i*ldc+n]
		if !add {
			copy(ci, row)
			continue
		}
		for x := range ci {
			ci[x] += row[x]
		}
	}
}

// kernelGo2x4 is kernelGo on a 2×4 block, summed in eight local variables (few
// enough to stay in registers on amd64).
func kernelGo2x4(k int, a []float32, rsa, csa int, b []float32, w int, c []float32, ldc int, add bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	a0, a1 := a, a[rsa:]
	for l := range k {
		p := l * csa
		x0, x1 := a0[p], a1[p]
		bl := b[l*w : l*w+4]
		y0, y1, y2, y3 := bl[0], bl[1], bl[2], bl[3]
		c00 += x0 * y0
		c01 += x0 * y1
		c02 += x0 * y2
		c03 += x0 * y3
		c10 += x1 * y0
		c11 += x1 * y1
		c12 += x1 * y2
		c13 += x1 * y3
	}
	s := [2][4]float32{{c00, c01, c02, c03}, {c10, c11, c12, c13}}
	for i := range 2 {
		ci := (*[4]float32)(c[i*ldc:])
		if !add {
			*ci = s[i]
			continue
		}
		for x := range ci {
			ci[x] += s[i][x]
		}
	}
}
