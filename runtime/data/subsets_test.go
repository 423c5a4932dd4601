package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// rowOf recovers the row of seq that row j of s was copied from.
func rowOf(s *Dataset, j int) int { return int(s.Row(j)[0]) / s.Features() }

func TestPerClass(t *testing.T) {
	d := seq(100, 3, 4) // 25 samples per class
	s, err := PerClass(d, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 20 || s.Classes != 4 {
		t.Fatalf("Len, Classes = %d, %d; want 20, 4", s.Len(), s.Classes)
	}
	count := make([]int, 4)
	rows := make([]int, s.Len())
	for j := range rows {
		rows[j] = rowOf(s, j)
		count[s.Y[j]]++
		if !slices.Equal(s.Row(j), d.Row(rows[j])) || s.Y[j] != d.Y[rows[j]] {
			t.Fatalf("row %d = %v label %d; d's row %d is %v label %d", j, s.Row(j), s.Y[j], rows[j], d.Row(rows[j]), d.Y[rows[j]])
		}
		if j > 0 && rows[j] <= rows[j-1] {
			t.Fatalf("rows %v are not strictly ascending", rows)
		}
	}
	if !slices.Equal(count, []int{5, 5, 5, 5}) {
		t.Errorf("samples per class = %v, want 5 each", count)
	}
	s.X[0] = -1
	if d.X[rows[0]*3] != float32(rows[0]*3) {
		t.Error("PerClass aliases d's features")
	}
}

func TestPerClassSeed(t *testing.T) {
	d := seq(100, 2, 4)
	a, _ := PerClass(d, 5, 1)
	b, _ := PerClass(d, 5, 1)
	c, _ := PerClass(d, 5, 2)
	if !slices.Equal(a.X, b.X) {
		t.Error("the same seed chose different rows")
	}
	if slices.Equal(a.X, c.X) {
		t.Error("seeds 1 and 2 chose the same rows")
	}
	all, _ := PerClass(d, 25, 3)
	if !slices.Equal(all.X, d.X) {
		t.Error("taking every sample of each class did not return d in order")
	}
}

func TestPerClassErrors(t *testing.T) {
	d := seq(11, 2, 4) // classes 0–2 have 3 samples, class 3 has 2
	named := seq(11, 2, 4)
	named.ClassNames = []string{"cat", "dog", "bird", "fish"}
	unlabelled := seq(4, 2, 2)
	unlabelled.Y, unlabelled.Classes = nil, 0
	for _, c := range []struct {
		d    *Dataset
		n    int
		want string
	}{
		{d, 3, `dataset "seq": class 3 has 2 samples, fewer than the 3 per class asked for`},
		{named, 3, `class 3 ("fish") has 2 samples`},
		{d, 0, "0 samples per class, want at least 1"},
		{unlabelled, 1, "unlabelled"},
	} {
		if _, err := PerClass(c.d, c.n, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("PerClass(n=%d) error = %v, want %q", c.n, err, c.want)
		}
	}
}

func TestPerClassKeepsTrueY(t *testing.T) {
	noisy, err := WithLabelNoise(seq(100, 2, 4), 0.5, Symmetric, 1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := PerClass(noisy, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	for j := range s.Len() {
		if i := rowOf(s, j); s.TrueY == nil || s.TrueY[j] != noisy.TrueY[i] || s.Y[j] != noisy.Y[i] {
			t.Fatalf("row %d (from %d): Y, TrueY = %d, %v; want %d, %d", j, i, s.Y[j], s.TrueY, noisy.Y[i], noisy.TrueY[i])
		}
	}
}

// corrupted counts the corrupted samples of d.
func corrupted(d *Dataset) int {
	n := 0
	for i := range d.Len() {
		if d.Corrupted(i) {
			n++
		}
	}
	return n
}

func TestWithLabelNoise(t *testing.T) {
	for _, c := range []struct {
		n, classes int
		rate       float64
		kind       NoiseKind
		want       int
	}{
		{1000, 10, 0.4, Symmetric, 400},
		{1000, 10, 0.4, Asymmetric, 400},
		{10, 2, 0.25, Symmetric, 3}, // 2.5 rounds up
		{10, 3, 0.99, Asymmetric, 10},
		{7, 3, 0, Symmetric, 0},
	} {
		d := seq(c.n, 2, c.classes)
		orig := slices.Clone(d.Y)
		noisy, err := WithLabelNoise(d, c.rate, c.kind, 7)
		if err != nil {
			t.Fatal(err)
		}
		// Every chosen sample changed: a symmetric draw never lands on the true class.
		if got := corrupted(noisy); got != c.want {
			t.Errorf("%d samples, rate %g, kind %d: %d corrupted, want %d", c.n, c.rate, c.kind, got, c.want)
		}
		if !slices.Equal(noisy.TrueY, orig) || !slices.Equal(d.Y, orig) || d.TrueY != nil {
			t.Errorf("rate %g: TrueY = %v, d.Y = %v; want both %v", c.rate, noisy.TrueY, d.Y, orig)
		}
		if !slices.Equal(noisy.X, d.X) || noisy.Check() != nil {
			t.Errorf("rate %g: features changed or Check fails: %v", c.rate, noisy.Check())
		}
		for i, y := range noisy.Y {
			if c.kind == Asymmetric && noisy.Corrupted(i) && y != (orig[i]+1)%int32(c.classes) {
				t.Fatalf("asymmetric noise turned class %d into %d", orig[i], y)
			}
		}
	}
}

func TestLabelNoiseSeed(t *testing.T) {
	d := seq(200, 1, 5)
	a, _ := WithLabelNoise(d, 0.3, Symmetric, 1)
	b, _ := WithLabelNoise(d, 0.3, Symmetric, 1)
	c, _ := WithLabelNoise(d, 0.3, Symmetric, 2)
	if !slices.Equal(a.Y, b.Y) || slices.Equal(a.Y, c.Y) {
		t.Error("noisy labels do not follow the seed")
	}
}

// Symmetric noise must reach every other class, not a favourite few.
func TestSymmetricNoiseSpread(t *testing.T) {
	const n, classes = 20000, 10
	noisy, err := WithLabelNoise(seq(n, 1, classes), 0.9, Symmetric, 3)
	if err != nil {
		t.Fatal(err)
	}
	var count [classes][classes]int // count[true][noisy]
	for i, y := range noisy.Y {
		count[noisy.TrueY[i]][y]++
	}
	want := 0.9 * n / classes / (classes - 1) // 200 per (true, other) pair
	for k := range classes {
		for j := range classes {
			if j != k && math.Abs(float64(count[k][j])-want) > 0.35*want {
				t.Errorf("class %d became %d %d times, want about %.0f", k, j, count[k][j], want)
			}
		}
	}
}

func TestLabelNoiseOfNoisy(t *testing.T) {
	d := seq(100, 1, 4)
	first, _ := WithLabelNoise(d, 0.5, Symmetric, 1)
	second, err := WithLabelNoise(first, 0.2, Asymmetric, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(second.TrueY, d.Y) || corrupted(second) != 20 {
		t.Errorf("noise on noise: TrueY = %v, %d corrupted; want d's labels and 20", second.TrueY, corrupted(second))
	}
}

func TestLabelNoiseErrors(t *testing.T) {
	one := seq(4, 1, 1)
	unlabelled := Unlabeled(seq(4, 1, 2))
	for _, c := range []struct {
		d    *Dataset
		rate float64
		kind NoiseKind
		want string
	}{
		{seq(4, 1, 2), 1, Symmetric, "rate 1, want it in [0, 1)"},
		{seq(4, 1, 2), -0.1, Symmetric, "rate -0.1"},
		{seq(4, 1, 2), math.NaN(), Symmetric, "rate NaN"},
		{seq(4, 1, 2), 0.1, NoiseKind(9), "unknown label noise kind 9"},
		{unlabelled, 0.1, Symmetric, "unlabelled"},
		{one, 0.1, Symmetric, "1 classes: label noise needs at least 2"},
	} {
		if _, err := WithLabelNoise(c.d, c.rate, c.kind, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("WithLabelNoise(rate %g, kind %d) error = %v, want %q", c.rate, c.kind, err, c.want)
		}
	}
}

func TestUnlabeled(t *testing.T) {
	d, _ := WithLabelNoise(seq(4, 2, 2), 0.5, Symmetric, 1)
	d.ClassNames = []string{"a", "b"}
	u := Unlabeled(d)
	if u.Y != nil || u.TrueY != nil || u.Labelled() || u.Corrupted(0) {
		t.Fatalf("Unlabeled kept labels: Y %v, TrueY %v", u.Y, u.TrueY)
	}
	if u.Classes != 2 || u.Len() != 4 || !slices.Equal(u.Shape, d.Shape) || !slices.Equal(u.X, d.X) || !slices.Equal(u.ClassNames, d.ClassNames) || u.Check() != nil {
		t.Fatalf("Unlabeled = %+v, want d's features, shape and classes", u)
	}
	u.X[0], u.Shape[0], u.ClassNames[0] = -1, 9, "z"
	if d.X[0] != 0 || d.Shape[0] != 2 || d.ClassNames[0] != "a" {
		t.Fatal("Unlabeled aliases d")
	}
}

func TestTrueYCarried(t *testing.T) {
	d := seq(4, 1, 2)
	d.TrueY = []int32{1, 1, 0, 0}
	s := d.Subset([]int{3, 0})
	c := d.Clone()
	c.TrueY[0] = 0
	if !slices.Equal(s.TrueY, []int32{0, 1}) || d.TrueY[0] != 1 {
		t.Fatalf("Subset TrueY = %v, or Clone aliases TrueY", s.TrueY)
	}
}

func TestCheckTrueY(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Dataset)
		want string
	}{
		{"ok", func(d *Dataset) { d.TrueY = []int32{1, 0, 1, 0} }, ""},
		{"length", func(d *Dataset) { d.TrueY = []int32{1, 0} }, "2 true labels for 4 labels"},
		{"range", func(d *Dataset) { d.TrueY = []int32{0, 0, -1, 0} }, "row 2 has true label -1, outside [0, 2)"},
		{"unlabelled", func(d *Dataset) { d.TrueY, d.Y = d.Y, nil }, "true labels on unlabelled data"},
	} {
		d := seq(4, 3, 2)
		c.edit(d)
		err := d.Check()
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Check() = %v, want %q", c.name, err, c.want)
		}
	}
}
