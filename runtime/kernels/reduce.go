package kernels

import "math"

// SumAll returns Σ x[i], accumulated in float64.
func SumAll(x []float32) float32 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return float32(s)
}

// SumAxis sets dst[o,i] = scale · Σ_j x[o,j,i] for x of shape [outer, n, inner].
func SumAxis(dst, x []float32, outer, n, inner int, scale float32) {
	for o := range outer {
		d := dst[o*inner : (o+1)*inner]
		if inner == 1 {
			d[0] = scale * SumAll(x[o*n:(o+1)*n])
			continue
		}
		block := x[o*n*inner : (o+1)*n*inner]
		copy(d, block[:inner])
		for j := 1; j < n; j++ {
			Add(d, d, block[j*inner:(j+1)*inner])
		}
		if scale != 1 {
			MulScalar(d, d, scale)
		}
	}
}

// BroadcastAxis sets dst[o,j,i] = scale · g[o,i] for dst of shape [outer, n, inner];
// it is the adjoint of SumAxis.
func BroadcastAxis(dst, g []float32, outer, n, inner int, scale float32) {
	for o := range outer {
		src := g[o*inner : (o+1)*inner]
		for j := range n {
			off := (o*n + j) * inner
			MulScalar(dst[off:off+inner], src, scale)
		}
	}
}

// MaxAxis sets dst[o,i] = max_j x[o,j,i] for x of shape [outer, n, inner].
func MaxAxis(dst, x []float32, outer, n, inner int) {
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			m := float32(math.Inf(-1))
			for j := range n {
				m = max(m, x[base+j*inner])
			}
			dst[o*inner+i] = m
		}
	}
}

// MaxAxisGrad is the adjoint of MaxAxis: for each (o,i) it routes g[o,i] to the first
// j where x[o,j,i] equals the maximum y[o,i], and sets the other dst entries to 0.
func MaxAxisGrad(dst, g, x, y []float32, outer, n, inner int) {
	clear(dst[:outer*n*inner])
	for o := range outer {
		for i := range inner {
			base := o*n*inner + i
			for j := range n {
				if x[base+j*inner] == y[o*inner+i] {
					dst[base+j*inner] = g[o*inner+i]
					break
				}
			}
		}
	}
}

// OneHotArgmax sets each row of dst (shape [rows, n]) to 1 at the first largest
// value of the same row of x and 0 elsewhere.
func OneHotArgmax(dst, x []float32, rows, n int) {
	clear(dst[:rows*n])
	for r := range rows {
		row, best := x[r*n:(r+1)*n], 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		dst[r*n+best] = 1
	}
}

// AddBias sets dst[r,j] = x[r,j] + b[j] for x of shape [rows, n].
func AddBias(dst, x, b []float32, rows, n int) {
	for r := range rows {
		Add(dst[r*n:(r+1)*n], x[r*n:(r+1)*n], b[:n])
	}
}

// SumRows sets dst[j] = Σ_r x[r,j] for x of shape [rows, n]; it is the bias gradient
// of AddBias.
func SumRows(dst, x []float32, rows, n int) {
	d := dst[:n]
	copy(d, x[:n])
	for r := 1; r < rows; r++ {
		Add(d, d, x[r*n:(r+1)*n])
	}
}

// SumRowsT is SumRows for x given transposed, [n, rows]: dst[j] = Σ_r xt[j·rows + r],
// summed in the order of r as SumRows sums, so the bits are the same. It sums four
// rows of xt at once, whose additions do not wait on one another.
func SumRowsT(dst, xt []float32, rows, n int) {
	d, xt := dst[:n], xt[:rows*n]
	j := 0
	for ; j+4 <= n; j += 4 {
		a, b, c, e := xt[j*rows:][:rows], xt[(j+1)*rows:][:rows], xt[(j+2)*rows:][:rows], xt[(j+3)*rows:][:rows]
		s0, s1, s2, s3 := a[0], b[0], c[0], e[0]
		for r := 1; r < rows; r++ {
			s0, s1, s2, s3 = s0+a[r], s1+b[r], s2+c[r], s3+e[r]
		}
		d[j], d[j+1], d[j+2], d[j+3] = s0, s1, s2, s3
	}
	for ; j < n; j++ {
		s := xt[j*rows]
		for _, v := range xt[j*rows+1 : (j+1)*rows] {
			s += v
		}
		d[j] = s
	}
}
