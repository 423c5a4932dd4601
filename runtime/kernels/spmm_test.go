package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// spCase is a masked weight and operands for the sparse kernels.
type spCase struct {
	out, in, batch int
	mask, w        []float32
	x, dy          []float32
}

// newSpCase draws a weight, a mask of the given density, an input and an output
// gradient.
func newSpCase(r *rand.Rand, out, in, batch int, density float64) *spCase {
	c := &spCase{out: out, in: in, batch: batch}
	c.w, c.x, c.dy = spRand(r, out*in), spRand(r, batch*in), spRand(r, batch*out)
	c.mask = make([]float32, out*in)
	for j := range c.mask {
		if r.Float64() < density {
			c.mask[j] = 1
		}
	}
	return c
}

func spRand(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// dense returns W⊙M in float64.
func (c *spCase) dense() []float64 {
	d := make([]float64, len(c.w))
	for j := range d {
		d[j] = float64(c.w[j]) * float64(c.mask[j])
	}
	return d
}

// refForward returns y = x·W̃ᵀ and the sums of |terms| per element.
func (c *spCase) refForward() (y, scale []float64) {
	wd := c.dense()
	y, scale = make([]float64, c.batch*c.out), make([]float64, c.batch*c.out)
	for b := range c.batch {
		for o := range c.out {
			for i := range c.in {
				t := float64(c.x[b*c.in+i]) * wd[o*c.in+i]
				y[b*c.out+o] += t
				scale[b*c.out+o] += math.Abs(t)
			}
		}
	}
	return y, scale
}

// refBackward returns dx = dy·W̃ and the sums of |terms|.
func (c *spCase) refBackward() (dx, scale []float64) {
	wd := c.dense()
	dx, scale = make([]float64, c.batch*c.in), make([]float64, c.batch*c.in)
	for b := range c.batch {
		for o := range c.out {
			d := float64(c.dy[b*c.out+o])
			for i := range c.in {
				t := d * wd[o*c.in+i]
				dx[b*c.in+i] += t
				scale[b*c.in+i] += math.Abs(t)
			}
		}
	}
	return dx, scale
}

// refGrad returns dW = dyᵀ·x at the mask's nonzeros, in row-major order, and the
// sums of |terms|.
func (c *spCase) refGrad() (g, scale []float64) {
	for o := range c.out {
		for i := range c.in {
			if c.mask[o*c.in+i] == 0 {
				continue
			}
			var s, a float64
			for b := range c.batch {
				t := float64(c.dy[b*c.out+o]) * float64(c.x[b*c.in+i])
				s += t
				a += math.Abs(t)
			}
			g, scale = append(g, s), append(scale, a)
		}
	}
	return g, scale
}

// spCheck fails if got differs from want by more than a float32 rounding bound.
func spCheck(t *testing.T, what string, got []float32, want, scale []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for j := range want {
		if d := math.Abs(float64(got[j]) - want[j]); d > 1e-5*scale[j]+1e-30 || math.IsNaN(float64(got[j])) {
			t.Fatalf("%s[%d] = %g, want %g (scale %g)", what, j, got[j], want[j], scale[j])
		}
	}
}

// spShapes are {out, in} of the correctness tests.
var spShapes = [][2]int{{1, 1}, {1, 784}, {3, 17}, {17, 3}, {17, 1}, {300, 784}, {784, 300}, {3, 300}}

func TestSparseKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sh := range spShapes {
		for _, d := range []float64{1, 0.5, 0.1, 0.01, 0} {
			for _, batch := range []int{1, 128, 37, 130} {
				if sh[0]*sh[1] > 10000 && batch != 128 && d != 0.1 {
					continue
				}
				name := fmt.Sprintf("%dx%d/d%g/b%d", sh[0], sh[1], d, batch)
				c := newSpCase(r, sh[0], sh[1], batch, d)
				if sh[0] > 1 {
					clear(c.mask[:sh[1]]) // an empty row
				}
				spRunCase(t, name, c)
			}
		}
	}
}

// spRunCase checks the three kernels on c, twice, for equal results.
func spRunCase(t *testing.T, name string, c *spCase) {
	t.Helper()
	var w CSR
	w.Build(c.mask, c.w, c.out, c.in)
	y, dx, g := make([]float32, c.batch*c.out), make([]float32, c.batch*c.in), make([]float32, w.NNZ())
	SpMMT(y, c.x, &w, c.batch)
	SpMM(dx, c.dy, &w, c.batch)
	SDDMM(g, c.dy, c.x, &w, c.batch)
	ry, sy := c.refForward()
	spCheck(t, name+" SpMMT", y, ry, sy)
	rdx, sdx := c.refBackward()
	spCheck(t, name+" SpMM", dx, rdx, sdx)
	rg, sg := c.refGrad()
	spCheck(t, name+" SDDMM", g, rg, sg)
	y2, dx2, g2 := slices.Clone(y), slices.Clone(dx), slices.Clone(g)
	SpMMT(y2, c.x, &w, c.batch)
	SpMM(dx2, c.dy, &w, c.batch)
	SDDMM(g2, c.dy, c.x, &w, c.batch)
	if !spSameBits(y, y2) || !spSameBits(dx, dx2) || !spSameBits(g, g2) {
		t.Fatalf("%s: a second run differs", name)
	}
	// the weight gradient right after the forward reuses its transposed input, and
	// one after the input gradient reuses the transposed output gradient
	g3 := make([]float32, w.NNZ())
	SpMMT(y2, c.x, &w, c.batch)
	SDDMM(g3, c.dy, c.x, &w, c.batch)
	SDDMM(g2, c.dy, c.x, &w, c.batch)
	if !spSameBits(g, g3) || !spSameBits(g, g2) {
		t.Fatalf("%s: SDDMM on operands already transposed differs", name)
	}
	spCheckTransposed(t, name, c, &w, y, g)
	spCheckLayouts(t, name, c, &w, y, dx, g)
	// other operands are transposed afresh: doubling both quadruples the gradient exactly
	x2, dy2 := slices.Clone(c.x), slices.Clone(c.dy)
	for i := range x2 {
		x2[i] *= 2
	}
	for i := range dy2 {
		dy2[i] *= 2
	}
	SDDMM(g3, dy2, x2, &w, c.batch)
	for k := range g {
		if g3[k] != 4*g[k] {
			t.Fatalf("%s: SDDMM on new operands gave %v at %d, want %v", name, g3[k], k, 4*g[k])
		}
	}
}

// spCheckTransposed fails unless the kernels on x gathered transposed give SpMMT's y
// and SDDMM's g bit for bit, with garbage in w's scratch.
func spCheckTransposed(t *testing.T, name string, c *spCase, w *CSR, y, g []float32) {
	t.Helper()
	ld := SparseLd(c.batch)
	xt, rows := make([]float32, c.in*ld), make([]int32, c.batch)
	for k := range rows {
		rows[k] = int32(k)
	}
	GatherT(xt, ld, c.x, rows, c.in)
	y2, g2 := make([]float32, len(y)), make([]float32, len(g))
	SpMM(make([]float32, c.batch*c.in), c.dy, w, c.batch) // leaves w's scratch holding other operands
	SpMMTOf(Dense{Data: y2}, Dense{Data: xt, T: true}, w, c.batch)
	SDDMMOf(g2, Dense{Data: c.dy}, Dense{Data: xt, T: true}, w, c.batch)
	if !spSameBits(y, y2) || !spSameBits(g, g2) {
		t.Fatalf("%s: the kernels on x given transposed differ", name)
	}
}

// spCheckLayouts fails unless the kernels give the bits of the row-major ones with
// their operands in the transposed layout, alone and together: y and dx written
// transposed (compared at lanes b < batch), dy read transposed.
func spCheckLayouts(t *testing.T, name string, c *spCase, w *CSR, y, dx, g []float32) {
	t.Helper()
	ld := SparseLd(c.batch)
	tr := func(m []float32, n int) []float32 { // [batch, n] as [n, ld], padding zero
		out := make([]float32, n*ld)
		for b := range c.batch {
			for i := range n {
				out[i*ld+b] = m[b*n+i]
			}
		}
		return out
	}
	same := func(what string, got, want []float32, n int, transposed bool) {
		t.Helper()
		if transposed {
			want = tr(want, n)
			for i := range n {
				clear(got[i*ld+c.batch : (i+1)*ld])
			}
		}
		if !spSameBits(got, want) {
			t.Fatalf("%s: %s differs from the row-major kernel's", name, what)
		}
	}
	xt, dyt := tr(c.x, c.in), tr(c.dy, c.out)
	for _, xT := range []bool{false, true} {
		x := Dense{Data: c.x}
		if xT {
			x = Dense{Data: xt, T: true}
		}
		yt := make([]float32, c.out*ld)
		SpMMTOf(Dense{Data: yt, T: true}, x, w, c.batch)
		same("y transposed", yt, y, c.out, true)
		g2 := make([]float32, len(g))
		SDDMMOf(g2, Dense{Data: dyt, T: true}, x, w, c.batch)
		same("g from dy transposed", g2, g, 0, false)
	}
	for _, outT := range []bool{false, true} {
		d := make([]float32, len(dx))
		if outT {
			d = make([]float32, c.in*ld)
		}
		SpMMOf(Dense{Data: d, T: outT}, Dense{Data: dyt, T: true}, w, c.batch)
		same("dx from dy transposed", d, dx, c.in, outT)
		d = make([]float32, len(d))
		SpMMOf(Dense{Data: d, T: outT}, Dense{Data: c.dy}, w, c.batch)
		same("dx", d, dx, c.in, outT)
	}
}

func spSameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestSparseNM checks the kernels on 2:4 and 1:8 masks, whose rows all hold
// in·N/M nonzeros.
func TestSparseNM(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, nm := range [][2]int{{2, 4}, {1, 8}} {
		c := newSpCase(r, 300, 784, 128, 0)
		for j := 0; j < len(c.mask); j += nm[1] {
			for _, p := range r.Perm(nm[1])[:nm[0]] {
				c.mask[j+p] = 1
			}
		}
		var w CSR
		w.Build(c.mask, c.w, c.out, c.in)
		for o := range c.out {
			if n := w.RowPtr[o+1] - w.RowPtr[o]; int(n) != c.in*nm[0]/nm[1] {
				t.Fatalf("%d:%d row %d holds %d nonzeros", nm[0], nm[1], o, n)
			}
		}
		spRunCase(t, fmt.Sprintf("%d:%d", nm[0], nm[1]), c)
	}
}

// TestCSRRoundTrip checks Build and SetValues against the dense W⊙M, and that
// SpMM sees the new values after SetValues.
func TestCSRRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	c := newSpCase(r, 17, 300, 5, 0.3)
	var w CSR
	w.Build(c.mask, c.w, c.out, c.in)
	spCheckDense(t, &w, c)
	dx := make([]float32, c.batch*c.in)
	SpMM(dx, c.dy, &w, c.batch) // builds the column index
	c.w = spRand(r, len(c.w))
	w.SetValues(c.w)
	spCheckDense(t, &w, c)
	SpMM(dx, c.dy, &w, c.batch)
	rdx, sdx := c.refBackward()
	spCheck(t, "SpMM after SetValues", dx, rdx, sdx)
	c2 := newSpCase(r, 17, 300, 5, 0.1) // a sparser mask reuses the slices
	col := &w.Col[0]
	w.Build(c2.mask, c2.w, c2.out, c2.in)
	spCheckDense(t, &w, c2)
	if &w.Col[0] != col {
		t.Error("Build reallocated Col for fewer nonzeros")
	}
}

// spCheckDense fails unless w holds exactly c's W⊙M.
func spCheckDense(t *testing.T, w *CSR, c *spCase) {
	t.Helper()
	d := make([]float32, c.out*c.in)
	for o := range w.Rows {
		for k := w.RowPtr[o]; k < w.RowPtr[o+1]; k++ {
			if k > w.RowPtr[o] && w.Col[k] <= w.Col[k-1] {
				t.Fatalf("row %d: columns not ascending", o)
			}
			d[o*c.in+int(w.Col[k])] = w.Val[k]
		}
	}
	for j := range d {
		if d[j] != c.w[j]*c.mask[j] {
			t.Fatalf("dense[%d] = %g, want %g", j, d[j], c.w[j]*c.mask[j])
		}
	}
}

// TestSparseNoAlloc checks that the kernels, SetValues and Build for an unchanged
// count of nonzeros do not allocate once warm.
func TestSparseNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	c := newSpCase(r, 300, 784, 128, 0.1)
	var w CSR
	w.Build(c.mask, c.w, c.out, c.in)
	y, dx, g := make([]float32, c.batch*c.out), make([]float32, c.batch*c.in), make([]float32, w.NNZ())
	ld := SparseLd(c.batch)
	xt, rows := make([]float32, c.in*ld), make([]int32, c.batch)
	for name, f := range map[string]func(){
		"SpMMT":     func() { SpMMT(y, c.x, &w, c.batch) },
		"SpMM":      func() { SpMM(dx, c.dy, &w, c.batch) },
		"SDDMM":     func() { SDDMM(g, c.dy, c.x, &w, c.batch) },
		"GatherT":   func() { GatherT(xt, ld, c.x, rows, c.in) },
		"SpMMTT":    func() { SpMMTOf(Dense{Data: y}, Dense{Data: xt, T: true}, &w, c.batch) },
		"SDDMMT":    func() { SDDMMOf(g, Dense{Data: c.dy}, Dense{Data: xt, T: true}, &w, c.batch) },
		"SetValues": func() { w.SetValues(c.w) },
		"Build":     func() { w.Build(c.mask, c.w, c.out, c.in) },
	} {
		if a := testing.AllocsPerRun(20, f); a != 0 {
			t.Errorf("%s: %g allocations per call", name, a)
		}
	}
}

// TestSparseKernelsGo runs some of TestSparseKernels's cases on the pure-Go inner
// loops and transpose, which assembly replaces on CPUs with AVX-512.
func TestSparseKernelsGo(t *testing.T) {
	axpys, dots, trans := spAxpys, spDots, spTrans8
	spAxpys, spDots, spTrans8 = spAxpysGo, spDotsGo, nil
	defer func() { spAxpys, spDots, spTrans8 = axpys, dots, trans }()
	r := rand.New(rand.NewPCG(15, 16))
	for _, sh := range [][2]int{{3, 17}, {17, 300}} {
		for _, batch := range []int{1, 130} {
			c := newSpCase(r, sh[0], sh[1], batch, 0.3)
			spRunCase(t, fmt.Sprintf("go/%dx%d/b%d", sh[0], sh[1], batch), c)
		}
	}
}
