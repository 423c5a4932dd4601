package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Forward kernels are compared with naive float64 references; the tolerance is
// 1e-5 relative (1e-6 absolute), a few float32 ulps.
func near(got float32, want float64) bool {
	return math.Abs(float64(got)-want) <= 1e-6+1e-5*math.Abs(want)
}

func check(t *testing.T, name string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		if !near(got[i], want[i]) {
			t.Errorf("%s[%d] = %g, want %g", name, i, got[i], want[i])
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 4*r.Float32() - 2
	}
	return v
}

func mapRef(x []float32, f func(float64) float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = f(float64(v))
	}
	return out
}

func TestUnaryKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := randSlice(r, 37)
	gelu := func(v float64) float64 { return 0.5 * v * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v))) }
	for _, c := range []struct {
		name string
		k    func(dst, x []float32)
		ref  func(float64) float64
	}{
		{"neg", Neg, func(v float64) float64 { return -v }},
		{"exp", Exp, math.Exp},
		{"square", Square, func(v float64) float64 { return v * v }},
		{"abs", Abs, math.Abs},
		{"relu", Relu, func(v float64) float64 { return math.Max(v, 0) }},
		{"tanh", Tanh, math.Tanh},
		{"sigmoid", Sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"softplus", Softplus, func(v float64) float64 { return math.Log(1 + math.Exp(v)) }},
		{"greater", func(d, x []float32) { Greater(d, x, 0.5) }, func(v float64) float64 {
			if v > 0.5 {
				return 1
			}
			return 0
		}},
		{"gelu", Gelu, gelu},
		{"leaky_relu", func(d, x []float32) { LeakyRelu(d, x, 0.1) }, func(v float64) float64 {
			if v < 0 {
				return 0.1 * v
			}
			return v
		}},
		{"clamp", func(d, x []float32) { Clamp(d, x, -0.5, 1) }, func(v float64) float64 { return math.Min(math.Max(v, -0.5), 1) }},
		{"log", func(d, x []float32) { Abs(d, x); Log(d, d) }, func(v float64) float64 { return math.Log(math.Abs(v)) }},
		{"sqrt", func(d, x []float32) { Abs(d, x); Sqrt(d, d) }, func(v float64) float64 { return math.Sqrt(math.Abs(v)) }},
	} {
		d := make([]float32, len(x))
		c.k(d, x)
		check(t, c.name, d, mapRef(x, c.ref))
	}
	// Hand-computed values.
	d := make([]float32, 3)
	Gelu(d, []float32{0, 1, -1})
	check(t, "gelu hand", d, []float64{0, 0.8411919906, -0.1588080094})
}

func TestBinaryKernels(t *testing.T) {
	a, b := []float32{1, 2, 3}, []float32{4, 5, 8}
	d := make([]float32, 3)
	for _, c := range []struct {
		name string
		k    func()
		want []float64
	}{
		{"add", func() { Add(d, a, b) }, []float64{5, 7, 11}},
		{"sub", func() { Sub(d, a, b) }, []float64{-3, -3, -5}},
		{"mul", func() { Mul(d, a, b) }, []float64{4, 10, 24}},
		{"div", func() { Div(d, a, b) }, []float64{0.25, 0.4, 0.375}},
		{"add_scalar", func() { AddScalar(d, a, 2) }, []float64{3, 4, 5}},
		{"sub_scalar", func() { SubScalar(d, a, 2) }, []float64{-1, 0, 1}},
		{"scalar_sub", func() { ScalarSub(d, 2, a) }, []float64{1, 0, -1}},
		{"mul_scalar", func() { MulScalar(d, a, 2) }, []float64{2, 4, 6}},
		{"div_scalar", func() { DivScalar(d, a, 2) }, []float64{0.5, 1, 1.5}},
		{"scalar_div", func() { ScalarDiv(d, 2, b) }, []float64{0.5, 0.4, 0.25}},
		{"add_bias", func() { AddBias(d, a, []float32{10}, 3, 1) }, []float64{11, 12, 13}},
		{"relu_grad", func() { ReluGrad(d, b, []float32{-1, 0, 2}) }, []float64{0, 0, 8}},
		{"leaky_relu_grad", func() { LeakyReluGrad(d, b, []float32{-1, 0, 2}, 0.5) }, []float64{2, 2.5, 8}},
		{"abs_grad", func() { AbsGrad(d, b, []float32{-1, 0, 2}) }, []float64{-4, 0, 8}},
		{"clamp_grad", func() { ClampGrad(d, b, []float32{-1, 0, 2}, -1, 1) }, []float64{0, 5, 0}},
		{"tanh_grad", func() { TanhGrad(d, b, []float32{0, 0.5, 1}) }, []float64{4, 3.75, 0}},
		{"sigmoid_grad", func() { SigmoidGrad(d, b, []float32{0, 0.5, 1}) }, []float64{0, 1.25, 0}},
		{"mse_grad", func() { MSEGrad(d, a, b, 2) }, []float64{-6, -6, -10}},
	} {
		c.k()
		check(t, c.name, d, c.want)
	}
}

// axisRef applies f to each line of x (shape [outer, n, inner]) along the middle axis.
func axisRef(x []float32, outer, n, inner int, f func(line []float64) []float64) []float64 {
	var out []float64
	res := make([][]float64, outer*inner)
	for o := range outer {
		for i := range inner {
			line := make([]float64, n)
			for j := range n {
				line[j] = float64(x[(o*n+j)*inner+i])
			}
			res[o*inner+i] = f(line)
		}
	}
	m := len(res[0])
	for o := range outer {
		for j := range m {
			for i := range inner {
				out = append(out, res[o*inner+i][j])
			}
		}
	}
	return out
}

func sumRef(l []float64) []float64 {
	s := 0.0
	for _, v := range l {
		s += v
	}
	return []float64{s}
}

func maxRef(l []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range l {
		m = math.Max(m, v)
	}
	return []float64{m}
}

func softmaxRef(l []float64) []float64 {
	out := make([]float64, len(l))
	s := 0.0
	for j, v := range l {
		out[j] = math.Exp(v)
		s += out[j]
	}
	for j := range out {
		out[j] /= s
	}
	return out
}

func logSoftmaxRef(l []float64) []float64 {
	out := softmaxRef(l)
	for j := range out {
		out[j] = math.Log(out[j])
	}
	return out
}

func TestAxisKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, dims := range [][3]int{{1, 5, 1}, {3, 4, 1}, {1, 3, 4}, {2, 3, 4}} {
		o, n, in := dims[0], dims[1], dims[2]
		x := randSlice(r, o*n*in)
		red := make([]float32, o*in)
		full := make([]float32, o*n*in)
		SumAxis(red, x, o, n, in, 1)
		check(t, "sum", red, axisRef(x, o, n, in, sumRef))
		SumAxis(red, x, o, n, in, 0.5)
		check(t, "sum*0.5", red, scale(axisRef(x, o, n, in, sumRef), 0.5))
		MaxAxis(red, x, o, n, in)
		check(t, "max", red, axisRef(x, o, n, in, maxRef))
		Softmax(full, x, o, n, in)
		check(t, "softmax", full, axisRef(x, o, n, in, softmaxRef))
		LogSoftmax(full, x, o, n, in)
		check(t, "log_softmax", full, axisRef(x, o, n, in, logSoftmaxRef))
	}
	d := make([]float32, 6)
	BroadcastAxis(d, []float32{1, 2, 3}, 1, 2, 3, 2)
	check(t, "broadcast", d, []float64{2, 4, 6, 2, 4, 6})
	MaxAxisGrad(d, []float32{5, 7}, []float32{1, 3, 3, 2, 0, 2}, []float32{3, 2}, 2, 3, 1)
	check(t, "max_grad", d, []float64{0, 5, 0, 7, 0, 0})
	OneHotArgmax(d, []float32{1, 3, 3, 2, 0, 2}, 2, 3)
	check(t, "one_hot_argmax", d, []float64{0, 1, 0, 1, 0, 0})
	r2 := make([]float32, 3)
	SumRows(r2, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	check(t, "sum_rows", r2, []float64{5, 7, 9})
}

// TestSumRowsT: SumRowsT on x transposed gives SumRows's bits, for row counts that
// leave every remainder of its four-row blocks.
func TestSumRowsT(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3, 4, 7, 300} {
		for _, rows := range []int{1, 2, 64, 129} {
			x, xt := make([]float32, rows*n), make([]float32, rows*n)
			for i := range x {
				x[i] = float32(r.NormFloat64()) * 1e3
			}
			for b := range rows {
				for j := range n {
					xt[j*rows+b] = x[b*n+j]
				}
			}
			want, got := make([]float32, n), make([]float32, n)
			SumRows(want, x, rows, n)
			SumRowsT(got, xt, rows, n)
			for j := range want {
				if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
					t.Fatalf("n %d, rows %d: [%d] = %v, SumRows %v", n, rows, j, got[j], want[j])
				}
			}
		}
	}
}

func scale(v []float64, s float64) []float64 {
	for i := range v {
		v[i] *= s
	}
	return v
}

func TestSoftmaxStable(t *testing.T) {
	d := make([]float32, 3)
	Softmax(d, []float32{1000, 1000, -1000}, 1, 3, 1)
	check(t, "softmax", d, []float64{0.5, 0.5, 0})
	LogSoftmax(d, []float32{1000, 1000, -1000}, 1, 3, 1)
	check(t, "log_softmax", d, []float64{-math.Ln2, -math.Ln2, -2000 - math.Ln2})
}

// TestSoftplusStable checks softplus where log(1+e^x) overflows (x = 1000) or rounds
// to 0 in float32 (x = -30, -80), to 1e-6 relative.
func TestSoftplusStable(t *testing.T) {
	x := []float32{0, 30, -30, -80, 1000, -1000}
	want := []float64{math.Ln2, 30, 9.357622968840175e-14, 1.8048513878454153e-35, 1000, 0}
	d := make([]float32, len(x))
	Softplus(d, x)
	for i := range d {
		if math.Abs(float64(d[i])-want[i]) > 1e-6*want[i] {
			t.Errorf("softplus(%g) = %g, want %g", x[i], d[i], want[i])
		}
	}
}

func TestCrossEntropy(t *testing.T) {
	logits, p := []float32{0, 0, 1000, 0, 0, 0}, make([]float32, 6)
	loss, bad := SoftmaxCrossEntropy(p, logits, []float32{1, 2}, 2, 3)
	// row 0: lse = 1000 (+ tiny), loss 1000 - 0; row 1: log 3.
	if bad != -1 || !near(loss, (1000+math.Log(3))/2) {
		t.Errorf("loss %g bad %d", loss, bad)
	}
	if _, bad := SoftmaxCrossEntropy(p, logits, []float32{1, 3}, 2, 3); bad != 1 {
		t.Errorf("label 3 of 3 classes: bad = %d, want 1", bad)
	}
	if _, bad := SoftmaxCrossEntropy(p, logits, []float32{0.5, 1}, 2, 3); bad != 0 {
		t.Errorf("label 0.5: bad = %d, want 0", bad)
	}
	d := make([]float32, 6)
	SoftmaxCrossEntropy(p, make([]float32, 6), []float32{0, 2}, 2, 3)
	SoftmaxCrossEntropyGrad(d, p, []float32{0, 2}, 2, 3, 0.5)
	third := 1.0 / 3
	check(t, "ce_grad", d, []float64{(third - 1) / 2, third / 2, third / 2, third / 2, third / 2, (third - 1) / 2})
}

// TestCrossEntropyProbs checks that SoftmaxCrossEntropy's probabilities and loss are
// the bits of Softmax and of the log-sum-exp, on rows of odd widths, some longer
// than the chunks softmaxRows takes, some spread beyond expVecMin.
func TestCrossEntropyProbs(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	for _, k := range []int{1, 3, 10, 17, 64, 65, 130} {
		rows := 13
		logits, labels := make([]float32, rows*k), make([]float32, rows)
		for i := range logits {
			logits[i] = float32(r.NormFloat64() * 10)
		}
		logits[len(logits)-1] = -800
		var want float64
		for i := range labels {
			labels[i] = float32(r.IntN(k))
			m, ls := logSumExp(logits, i*k, k, 1)
			want += float64(m-logits[i*k+int(labels[i])]) + float64(ls)
		}
		p, soft := make([]float32, rows*k), make([]float32, rows*k)
		loss, _ := SoftmaxCrossEntropy(p, logits, labels, rows, k)
		Softmax(soft, logits, rows, k, 1)
		if loss != float32(want/float64(rows)) || !slices.Equal(p, soft) {
			t.Fatalf("k=%d: loss %v, want %v; p %v, want %v", k, loss, float32(want/float64(rows)), p, soft)
		}
	}
}

func TestMSEAndSums(t *testing.T) {
	if got := MSE([]float32{1, 2, 3}, []float32{1, 0, 0}); !near(got, 13.0/3) {
		t.Errorf("mse = %g", got)
	}
	if got := SumAll([]float32{1, 2, 3.5}); got != 6.5 {
		t.Errorf("sum_all = %g", got)
	}
}

func TestDropout(t *testing.T) {
	const n = 10001
	x := make([]float32, n)
	Fill(x, 2)
	d, mask := make([]float32, n), make([]float32, n)
	Dropout(d, mask, x, rand.NewPCG(3, 0), 0.25)
	dropped := 0
	for i := range d {
		switch d[i] {
		case 0:
			dropped++
		case float32(2 / 0.75):
		default:
			t.Fatalf("d[%d] = %g", i, d[i])
		}
	}
	if f := float64(dropped) / n; math.Abs(f-0.25) > 0.02 {
		t.Errorf("dropped fraction %g, want 0.25", f)
	}
	d2 := make([]float32, n)
	Dropout(d2, mask, x, rand.NewPCG(3, 0), 0.25)
	for i := range d {
		if d[i] != d2[i] {
			t.Fatal("same seed, different mask")
		}
	}
}

// gemmRef is the naive product op(a)·op(b) in float64.
func gemmRef(ta, tb bool, m, n, k int, a, b []float32) []float64 {
	c := make([]float64, m*n)
	for i := range m {
		for j := range n {
			s := 0.0
			for l := range k {
				av, bv := a[i*k+l], b[l*n+j]
				if ta {
					av = a[l*m+i]
				}
				if tb {
					bv = b[j*k+l]
				}
				s += float64(av) * float64(bv)
			}
			c[i*n+j] = s
		}
	}
	return c
}

func TestGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, sz := range [][3]int{{2, 3, 4}, {1, 1, 1}, {70, 130, 65}, {130, 150, 70}, {128, 10, 100}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				a, b := randSlice(r, m*k), randSlice(r, k*n)
				g := &Gemm{TransA: ta, TransB: tb, M: m, N: n, K: k}
				c := randSlice(r, m*n) // overwritten
				g.Run(c, a, b, false)
				want := gemmRef(ta, tb, m, n, k, a, b)
				checkTol(t, "gemm", c, want, 1e-4)
				g.Run(c, a, b, true)
				checkTol(t, "gemm+=", c, scale(want, 2), 1e-4)
			}
		}
	}
	c := make([]float32, 4)
	(&Gemm{M: 2, N: 2, K: 2}).Run(c, []float32{1, 2, 3, 4}, []float32{5, 6, 7, 8}, false)
	check(t, "gemm hand", c, []float64{19, 22, 43, 50})
}

// checkTol compares with an absolute tolerance scaled by sqrt(k)-sized sums.
func checkTol(t *testing.T, name string, got []float32, want []float64, tol float64) {
	t.Helper()
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s[%d] = %g, want %g", name, i, got[i], want[i])
		}
	}
}

func TestGemmDoesNotAllocate(t *testing.T) {
	m, n, k := 300, 400, 500
	a, b, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			g := &Gemm{TransA: ta, TransB: tb, M: m, N: n, K: k}
			g.Run(c, a, b, false)
			if allocs := testing.AllocsPerRun(3, func() { g.Run(c, a, b, false) }); allocs != 0 {
				t.Errorf("Gemm.Run (transA %v, transB %v) allocates %v times", ta, tb, allocs)
			}
		}
	}
}

func TestGemmConcurrentCallers(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	m, n, k := 150, 130, 90
	done := make(chan bool)
	for w := range 3 {
		a, b := randSlice(r, m*k), randSlice(r, k*n)
		want := gemmRef(w == 1, w == 2, m, n, k, a, b)
		go func() {
			g := &Gemm{TransA: w == 1, TransB: w == 2, M: m, N: n, K: k}
			c := make([]float32, m*n)
			ok := true
			for range 20 {
				g.Run(c, a, b, false)
				for i := range c {
					ok = ok && math.Abs(float64(c[i])-want[i]) <= 1e-4*(1+math.Abs(want[i]))
				}
			}
			done <- ok
		}()
	}
	for range 3 {
		if !<-done {
			t.Error("wrong product under concurrent use of the pool")
		}
	}
}

// TestExps checks exps against math.Exp bit for bit: over [expVecMin, 0], where it
// runs 8 at a time, at the ends and halfway between multiples of ln 2 (where the
// exponent's rounding flips), and outside, where it goes one at a time.
func TestExps(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	var vals []float64
	for range 100000 {
		vals = append(vals, -r.Float64()*-expVecMin, -r.Float64()*2)
	}
	for k := range 1010 {
		h := -(float64(k) + 0.5) * math.Ln2
		vals = append(vals, h, math.Nextafter(h, 0), math.Nextafter(h, -1))
	}
	vals = append(vals, 0, math.Copysign(0, -1), expVecMin, -1e-300, -5e-324)
	check := func(name string, in []float64, n int) {
		x := make([]float64, n, (n+7)&^7)
		copy(x, in)
		exps(x)
		for i, v := range in[:n] {
			if want := math.Exp(v); math.Float64bits(x[i]) != math.Float64bits(want) {
				t.Fatalf("%s: exp(%v) = %v, math.Exp %v", name, v, x[i], want)
			}
		}
	}
	for i := 0; i < len(vals); i += 61 {
		in := vals[i:min(i+61, len(vals))]
		for _, n := range []int{len(in), min(len(in), 5)} {
			check("in range", in, n)
		}
	}
	check("outside", []float64{-1, -800, math.NaN(), 1, math.Inf(-1), -3}, 6)
}
