package kernels

// micro is a micro-kernel: it computes an mr×nr block of c,
//
//	s[i][j] = Σ_l a[i*rsa+l*csa] · b[l*nr+j]   for l = 0, 1, …, k-1 in order,
//
// and sets c[i*ldc+j] = s[i][j], or adds s[i][j] to it when add is set. b is a
// packed panel of nr columns. asm is an assembly version (on pointers to the first
// elements, add as 0 or 1), nil for the pure-Go kernel.
type micro struct {
	name   string
	mr, nr int
	asm    func(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)
}

// goMicro is the pure-Go micro-kernel, the fallback on any CPU.
var goMicro = &micro{name: "go-4x16", mr: 4, nr: 16}

// maxMR and maxNR bound the block of every micro-kernel.
const maxMR, maxNR = 16, 32

// run computes the block with the assembly kernel, or in Go.
func (u *micro) run(k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool) {
	if u.asm == nil {
		kernelGo(u.mr, u.nr, k, a, rsa, csa, b, c, ldc, add)
		return
	}
	f := 0
	if add {
		f = 1
	}
	u.asm(k, &a[0], rsa, csa, &b[0], &c[0], ldc, f)
}

// kernelGo is the pure-Go micro-kernel: the loops of micro's definition, with plain
// (unfused) multiply-adds.
func kernelGo(mr, nr, k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool) {
	var s [maxMR * maxNR]float32
	for i := range mr {
		row := s[i*nr : i*nr+nr]
		ai := a[i*rsa:]
		for l := range k {
			av := ai[l*csa]
			bl := b[l*nr : l*nr+nr]
			for j, bv := range bl {
				row[j] += av * bv
			}
		}
	}
	for i := range mr {
		ci, si := c[i*ldc:i*ldc+nr], s[i*nr:i*nr+nr]
		if add {
			for j := range ci {
				ci[j] += si[j]
			}
		} else {
			copy(ci, si)
		}
	}
}
