package augment

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

var mnist = Image{1, 28, 28}

// batch returns rows samples of img filled by f(r, i), i the index within the sample.
func batch(rows int, img Image, f func(r, i int) float32) []float32 {
	n := img.size()
	b := make([]float32, rows*n)
	for r := range rows {
		for i := range n {
			b[r*n+i] = f(r, i)
		}
	}
	return b
}

// random is a batch of distinct-looking values in [0.5, 1.5), so no value is 0.
func random(rows int, img Image) []float32 {
	rng := rand.New(rand.NewPCG(1, 2))
	return batch(rows, img, func(int, int) float32 { return 0.5 + rng.Float32() })
}

func ones(int, int) float32 { return 1 }

// apply runs op on a copy of src and returns it.
func apply(op Op, src []float32, rows int, img Image, seed uint64) []float32 {
	dst := make([]float32, len(src))
	op.Apply(dst, src, rows, img, seed)
	return dst
}

// allOps is one op of each kind, built afresh, and a composition.
func allOps() []Op {
	return []Op{
		Noise(0.2), Shift(2), Rotate(15), Cutout(8), Dropout(0.3),
		Compose(Noise(0.2), Shift(2), Rotate(15), Cutout(8)),
	}
}

func TestGeometry(t *testing.T) {
	for _, c := range []struct {
		shape []int
		img   Image
		ok    bool
	}{
		{[]int{3, 32, 32}, Image{3, 32, 32}, true},
		{[]int{28, 28}, Image{1, 28, 28}, true},
		{[]int{4, 7}, Image{1, 4, 7}, true},
		{[]int{784}, Image{1, 28, 28}, true},
		{[]int{1}, Image{1, 1, 1}, true},
		{[]int{10}, Image{1, 1, 10}, false},
		{[]int{2, 3, 4, 5}, Image{1, 1, 120}, false},
		{[]int{}, Image{1, 1, 1}, false},
		{[]int{3, 0, 4}, Image{}, false},
		{[]int{-4}, Image{}, false},
	} {
		img, ok := Geometry(c.shape)
		if img != c.img || ok != c.ok {
			t.Errorf("Geometry(%v) = %v, %v; want %v, %v", c.shape, img, ok, c.img, c.ok)
		}
	}
}

func TestStringAndGeometric(t *testing.T) {
	for _, c := range []struct {
		op        Op
		s         string
		geometric bool
	}{
		{Noise(0.1), "noise(0.1)", false},
		{Dropout(0.25), "dropout(0.25)", false},
		{Shift(2), "shift(2)", true},
		{Rotate(15), "rotate(15)", true},
		{Cutout(8), "cutout(8)", true},
		{Compose(Noise(0.2), Dropout(0.1)), "noise(0.2) + dropout(0.1)", false},
		{Compose(Noise(0.2), Cutout(8)), "noise(0.2) + cutout(8)", true},
	} {
		if s, g := c.op.String(), c.op.Geometric(); s != c.s || g != c.geometric {
			t.Errorf("got %q geometric %v, want %q %v", s, g, c.s, c.geometric)
		}
	}
}

func TestBadArgumentsPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"noise":   func() { Noise(-1) },
		"nan":     func() { Noise(math.NaN()) },
		"dropout": func() { Dropout(1.5) },
		"shift":   func() { Shift(-1) },
		"rotate":  func() { Rotate(-3) },
		"cutout":  func() { Cutout(-2) },
		"length":  func() { Noise(1).Apply(make([]float32, 10), make([]float32, 10), 2, Image{1, 2, 3}, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestEmptyBatch(t *testing.T) {
	for _, op := range allOps() {
		op.Apply(nil, nil, 0, mnist, 1) // must not panic
	}
}

// meanStd returns the mean and standard deviation of dst - src.
func meanStd(dst, src []float32) (mean, std float64) {
	var s, s2 float64
	for i := range dst {
		d := float64(dst[i] - src[i])
		s += d
		s2 += d * d
	}
	n := float64(len(dst))
	mean = s / n
	return mean, math.Sqrt(s2/n - mean*mean)
}

func TestNoiseMoments(t *testing.T) {
	src := random(448, mnist)
	mean, std := meanStd(apply(Noise(0.1), src, 448, mnist, 7), src)
	// 351232 draws: the mean's standard error is 0.1/593, the std's about 0.1/838.
	if math.Abs(mean) > 1e-3 || math.Abs(std-0.1) > 1e-3 {
		t.Errorf("noise(0.1): mean %g, std %g; want 0, 0.1", mean, std)
	}
}

func TestDropoutFraction(t *testing.T) {
	for _, p := range []float64{0, 0.3, 1} {
		src := batch(448, mnist, ones)
		dst := apply(Dropout(p), src, 448, mnist, 3)
		zeros := 0
		for _, v := range dst {
			switch v {
			case 0:
				zeros++
			case 1:
			default:
				t.Fatalf("dropout(%g) changed a kept value to %g", p, v)
			}
		}
		// The fraction's standard error at p = 0.3 is 0.00077.
		if f := float64(zeros) / float64(len(dst)); math.Abs(f-p) > 0.004 {
			t.Errorf("dropout(%g) zeroed a fraction %g", p, f)
		}
	}
}

// translate is the reference shift: img moved by (dx, dy), 0 where nothing lands.
func translate(src []float32, img Image, dx, dy int) []float32 {
	dst := make([]float32, len(src))
	for c := range img.C {
		for y := range img.H {
			for x := range img.W {
				sx, sy := x-dx, y-dy
				if sx >= 0 && sx < img.W && sy >= 0 && sy < img.H {
					dst[(c*img.H+y)*img.W+x] = src[(c*img.H+sy)*img.W+sx]
				}
			}
		}
	}
	return dst
}

func TestShiftZeroIsIdentity(t *testing.T) {
	src := random(16, Image{2, 5, 7})
	if dst := apply(Shift(0), src, 16, Image{2, 5, 7}, 9); !slices.Equal(dst, src) {
		t.Error("shift(0) changed the images")
	}
}

// TestShiftTranslates checks that each output is the input translated by one of the
// (2k+1)² allowed offsets, and that every offset occurs.
func TestShiftTranslates(t *testing.T) {
	const k, rows = 2, 400
	img := Image{3, 6, 9}
	n := img.size()
	src := random(rows, img)
	dst := apply(Shift(k), src, rows, img, 11)
	seen := map[[2]int]int{}
	for r := range rows {
		in, out := src[r*n:(r+1)*n], dst[r*n:(r+1)*n]
		found := false
		for dy := -k; dy <= k && !found; dy++ {
			for dx := -k; dx <= k && !found; dx++ {
				if slices.Equal(out, translate(in, img, dx, dy)) {
					seen[[2]int{dx, dy}]++
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("row %d is no translate of its input by at most %d pixels", r, k)
		}
	}
	if len(seen) != (2*k+1)*(2*k+1) {
		t.Errorf("only %d of the %d offsets occurred: %v", len(seen), (2*k+1)*(2*k+1), seen)
	}
}

// TestShiftMovesLitPixel follows one lit pixel: it lands within k pixels of where it was,
// and nothing else lights up.
func TestShiftMovesLitPixel(t *testing.T) {
	const k, rows = 3, 100
	src := batch(rows, mnist, func(_, i int) float32 {
		if i == 10*28+12 {
			return 1
		}
		return 0
	})
	dst := apply(Shift(k), src, rows, mnist, 5)
	for r := range rows {
		var lit []int
		for i, v := range dst[r*784 : (r+1)*784] {
			if v != 0 {
				lit = append(lit, i)
			}
		}
		if len(lit) != 1 {
			t.Fatalf("row %d: %d lit pixels, want 1", r, len(lit))
		}
		if dy, dx := lit[0]/28-10, lit[0]%28-12; abs(dx) > k || abs(dy) > k {
			t.Errorf("row %d: pixel moved by (%d, %d)", r, dx, dy)
		}
	}
}

func abs(x int) int { return max(x, -x) }

func TestRotateZeroIsIdentity(t *testing.T) {
	img := Image{2, 6, 9}
	src := random(16, img)
	if dst := apply(Rotate(0), src, 16, img, 4); !slices.Equal(dst, src) {
		t.Error("rotate(0) changed the images")
	}
}

// TestRotateKeepsCentredBlob rotates a centred Gaussian blob: it is round, so every
// rotation should leave it nearly unchanged, mass included.
func TestRotateKeepsCentredBlob(t *testing.T) {
	src := batch(50, mnist, func(_, i int) float32 {
		x, y := float64(i%28)-13.5, float64(i/28)-13.5
		return float32(math.Exp(-(x*x + y*y) / (2 * 3 * 3)))
	})
	dst := apply(Rotate(45), src, 50, mnist, 8)
	var in, out, worst float64
	for i := range src {
		in += float64(src[i])
		out += float64(dst[i])
		worst = max(worst, math.Abs(float64(dst[i]-src[i])))
	}
	if math.Abs(out/in-1) > 0.01 || worst > 0.03 {
		t.Errorf("rotated blob: mass ratio %g, largest pixel change %g", out/in, worst)
	}
}

// TestRotateAngles rotates a horizontal bar and reads each output's angle from its
// second moments: all within ±degrees, both directions, and reaching near the limit.
func TestRotateAngles(t *testing.T) {
	const deg, rows = 20.0, 300
	src := batch(rows, mnist, func(_, i int) float32 {
		if y, x := i/28, i%28; (y == 13 || y == 14) && x >= 4 && x < 24 {
			return 1
		}
		return 0
	})
	dst := apply(Rotate(deg), src, rows, mnist, 21)
	lo, hi := 0.0, 0.0
	for r := range rows {
		a := orientation(dst[r*784:(r+1)*784], 28)
		if math.Abs(a) > deg+1 {
			t.Fatalf("row %d rotated by %.1f°, more than %g°", r, a, deg)
		}
		lo, hi = min(lo, a), max(hi, a)
	}
	if lo > -deg+3 || hi < deg-3 {
		t.Errorf("angles span [%.1f°, %.1f°], want about [-%g°, %g°]", lo, hi, deg, deg)
	}
}

// orientation is the angle in degrees of the principal axis of a W-wide image.
func orientation(p []float32, W int) float64 {
	var m, mx, my, mxx, myy, mxy float64
	for i, v := range p {
		x, y, w := float64(i%W), float64(i/W), float64(v)
		m, mx, my = m+w, mx+w*x, my+w*y
		mxx, myy, mxy = mxx+w*x*x, myy+w*y*y, mxy+w*x*y
	}
	mx, my = mx/m, my/m
	cxx, cyy, cxy := mxx/m-mx*mx, myy/m-my*my, mxy/m-mx*my
	return 0.5 * math.Atan2(2*cxy, cxx-cyy) * 180 / math.Pi
}

// TestCutoutZeroesClippedSquare checks on all-ones images that each row's zeros are the
// same axis-aligned rectangle in every channel, of side size unless clipped by a border.
func TestCutoutZeroesClippedSquare(t *testing.T) {
	const size, rows = 8, 500
	img := Image{3, 20, 28}
	plane := img.H * img.W
	dst := apply(Cutout(size), batch(rows, img, ones), rows, img, 2)
	clipped := 0
	for r := range rows {
		row := dst[r*img.size() : (r+1)*img.size()]
		x0, y0, x1, y1, zeros := img.W, img.H, -1, -1, 0
		for i, v := range row[:plane] {
			if v == 0 {
				x, y := i%img.W, i/img.W
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
				zeros++
			}
		}
		w, h := x1-x0+1, y1-y0+1
		if zeros < 1 || zeros > size*size || zeros != w*h {
			t.Fatalf("row %d: %d zeros in a %d×%d box", r, zeros, w, h)
		}
		if (w != size && x0 != 0 && x1 != img.W-1) || (h != size && y0 != 0 && y1 != img.H-1) || w > size || h > size {
			t.Fatalf("row %d: a %d×%d hole at (%d, %d) is no clipped %d-square", r, w, h, x0, y0, size)
		}
		if w*h < size*size {
			clipped++
		}
		for c := 1; c < img.C; c++ {
			if !slices.Equal(row[c*plane:(c+1)*plane], row[:plane]) {
				t.Fatalf("row %d: channel %d differs from channel 0", r, c)
			}
		}
	}
	if clipped == 0 || clipped == rows {
		t.Errorf("%d of %d holes clipped: centres do not cover the image", clipped, rows)
	}
}

// TestComposeOrder checks that ops run left to right: noise after cutout leaves no
// zeros, cutout after noise does.
func TestComposeOrder(t *testing.T) {
	src := batch(20, mnist, ones)
	count := func(op Op) (zeros int) {
		for _, v := range apply(op, src, 20, mnist, 1) {
			if v == 0 {
				zeros++
			}
		}
		return zeros
	}
	if z := count(Compose(Cutout(8), Noise(0.1))); z != 0 {
		t.Errorf("cutout + noise left %d zeros", z)
	}
	if z := count(Compose(Noise(0.1), Cutout(8))); z < 20 {
		t.Errorf("noise + cutout left %d zeros, want at least one per row", z)
	}
	if dst := apply(Compose(), src, 20, mnist, 1); !slices.Equal(dst, src) {
		t.Error("an empty composition is not the identity")
	}
}

// TestComposeSeparatesStreams checks that two composed noises are independent: their
// sum has std σ√2, where one noise drawn twice would have 2σ.
func TestComposeSeparatesStreams(t *testing.T) {
	src := random(448, mnist)
	_, std := meanStd(apply(Compose(Noise(0.1), Noise(0.1)), src, 448, mnist, 7), src)
	if math.Abs(std-0.1*math.Sqrt2) > 2e-3 {
		t.Errorf("noise(0.1) + noise(0.1): std %g, want %g", std, 0.1*math.Sqrt2)
	}
}

// TestDeterministic checks, for every op, that a seed fixes the output bit for bit
// (with a fresh op too), another seed changes it, applying in place gives the same, and
// so does splitting the rows across a different number of goroutines.
func TestDeterministic(t *testing.T) {
	const rows = 64
	src := random(rows, mnist)
	fresh := allOps()
	for i, op := range allOps() {
		want := apply(op, src, rows, mnist, 42)
		if !slices.Equal(apply(op, src, rows, mnist, 42), want) ||
			!slices.Equal(apply(fresh[i], src, rows, mnist, 42), want) {
			t.Errorf("%v: same seed, different output", op)
		}
		if slices.Equal(apply(op, src, rows, mnist, 43), want) {
			t.Errorf("%v: seeds 42 and 43 give the same output", op)
		}
		in := slices.Clone(src)
		op.Apply(in, in, rows, mnist, 42)
		if !slices.Equal(in, want) {
			t.Errorf("%v: in place differs from a separate dst", op)
		}
		for _, procs := range []int{1, 3} {
			old := runtime.GOMAXPROCS(procs)
			got := apply(op, src, rows, mnist, 42)
			runtime.GOMAXPROCS(old)
			if !slices.Equal(got, want) {
				t.Errorf("%v: output changes with GOMAXPROCS=%d", op, procs)
			}
		}
	}
}

// TestRowsIndependent checks that a row's output depends on its index and the seed,
// not on the rest of the batch: the first rows of a batch augment as a batch of their own.
func TestRowsIndependent(t *testing.T) {
	src := random(448, mnist)
	for _, op := range allOps() {
		whole := apply(op, src, 448, mnist, 5)
		part := apply(op, src[:10*784], 10, mnist, 5)
		if !slices.Equal(part, whole[:10*784]) {
			t.Errorf("%v: rows depend on the batch size", op)
		}
	}
}

func TestApplyDoesNotAllocate(t *testing.T) {
	src := random(448, mnist)
	dst := make([]float32, len(src))
	for _, op := range allOps() {
		op.Apply(dst, src, 448, mnist, 0)
		if a := testing.AllocsPerRun(10, func() { op.Apply(dst, src, 448, mnist, 1) }); a != 0 {
			t.Errorf("%v: %g allocations per Apply", op, a)
		}
	}
}

// BenchmarkStrong times a strong view of an MNIST batch of 448.
func BenchmarkStrong(b *testing.B) {
	op := Compose(Noise(0.2), Shift(2), Rotate(15), Cutout(8))
	src := random(448, mnist)
	dst := make([]float32, len(src))
	for i := 0; b.Loop(); i++ {
		op.Apply(dst, src, 448, mnist, uint64(i))
	}
}
