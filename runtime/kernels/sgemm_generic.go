package kernels

// kernel6x16 is the pure-Go micro-kernel: it computes the mr×nr block
//
//	s[i][j] = Σ_l a[i*rsa+l*csa] · b[l*ldb+j]   for l = 0, 1, …, k-1 in order
//
// and sets c[i*ldc+j] = s[i][j], or adds s[i][j] to it when add is set. The
// assembly kernel computes the same sums in the same order (with fused
// multiply-adds).
func kernel6x16(k int, a []float32, rsa, csa int, b []float32, ldb int, c []float32, ldc int, add bool) {
	var s [mr][nr]float32
	for i := range mr {
		row := &s[i]
		ai := a[i*rsa:]
		for l := range k {
			av := ai[l*csa]
			bl := (*[nr]float32)(b[l*ldb:])
			for j, bv := range bl {
				row[j] += av * bv
			}
		}
	}
	for i := range mr {
		ci := (*[nr]float32)(c[i*ldc:])
		if add {
			for j := range ci {
				ci[j] += s[i][j]
			}
		} else {
			*ci = s[i]
		}
	}
}
