package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// seq returns an n-row dataset with f features where row i holds i*f, i*f+1, ... and
// label i%classes.
func seq(n, f, classes int) *Dataset {
	d := &Dataset{Name: "seq", X: make([]float32, n*f), Y: make([]int32, n), Shape: []int{f}, Classes: classes}
	for i := range d.X {
		d.X[i] = float32(i)
	}
	for i := range d.Y {
		d.Y[i] = int32(i % classes)
	}
	return d
}

func TestLenFeatures(t *testing.T) {
	d := seq(5, 3, 2)
	if d.Len() != 5 || d.Features() != 3 {
		t.Fatalf("Len, Features = %d, %d; want 5, 3", d.Len(), d.Features())
	}
	d.Y = nil
	if d.Len() != 5 {
		t.Fatalf("unlabelled Len = %d, want 5", d.Len())
	}
	img := &Dataset{X: make([]float32, 2*784), Shape: []int{1, 28, 28}}
	if img.Len() != 2 || img.Features() != 784 {
		t.Fatalf("image Len, Features = %d, %d; want 2, 784", img.Len(), img.Features())
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Dataset)
		want string
	}{
		{"ok", func(*Dataset) {}, ""},
		{"ragged", func(d *Dataset) { d.X = d.X[:len(d.X)-1] }, "not a whole number of rows"},
		{"labels", func(d *Dataset) { d.Y = d.Y[:2] }, "2 labels for 4 rows"},
		{"range", func(d *Dataset) { d.Y[3] = 7 }, "row 3 has label 7, outside [0, 2)"},
		{"shape", func(d *Dataset) { d.Shape = []int{0} }, "bad sample shape [0]"},
		{"names", func(d *Dataset) { d.ClassNames = []string{"a"} }, "1 class names for 2 classes"},
		{"bytes", func(d *Dataset) { d.Bytes = make([]byte, 5) }, "5 bytes for 12 feature values"},
	} {
		d := seq(4, 3, 2)
		c.edit(d)
		err := d.Check()
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Check() = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestSubsetClone(t *testing.T) {
	d := seq(4, 2, 2)
	s := d.Subset([]int{3, 0, 3})
	want := []float32{6, 7, 0, 1, 6, 7}
	for i, x := range want {
		if s.X[i] != x {
			t.Fatalf("Subset X = %v, want %v", s.X, want)
		}
	}
	if s.Len() != 3 || s.Y[0] != 1 || s.Y[1] != 0 || s.Classes != 2 {
		t.Fatalf("Subset = %+v", s)
	}
	s.X[0] = -1
	c := d.Clone()
	c.X[0], c.Y[0] = -1, 1
	if d.X[6] != 6 || d.X[0] != 0 || d.Y[0] != 0 {
		t.Fatal("Subset or Clone aliases the original")
	}
}

func TestSubsetPanicsOutOfRange(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "index 4 out of range [0, 4)") {
			t.Fatalf("recover() = %v", r)
		}
	}()
	seq(4, 2, 2).Subset([]int{4})
}

func TestStandardize(t *testing.T) {
	d := &Dataset{X: []float32{1, 5, 3, 5, 5, 5}, Shape: []int{2}} // feature 1 is constant
	mean, std := d.Standardize()
	if mean[0] != 3 || mean[1] != 5 || math.Abs(float64(std[0])-math.Sqrt(8.0/3)) > 1e-6 || std[1] != 1 {
		t.Fatalf("mean, std = %v, %v", mean, std)
	}
	var sum, sq float64
	for i := 0; i < 3; i++ {
		x := float64(d.Row(i)[0])
		sum, sq = sum+x, sq+x*x
		if d.Row(i)[1] != 0 {
			t.Fatalf("constant feature became %v", d.Row(i)[1])
		}
	}
	if math.Abs(sum) > 1e-6 || math.Abs(sq/3-1) > 1e-6 {
		t.Fatalf("standardised feature has sum %g, mean square %g", sum, sq/3)
	}
	test := &Dataset{X: []float32{3, 6}, Shape: []int{2}}
	if err := test.Apply(mean, std); err != nil || test.X[0] != 0 || test.X[1] != 1 {
		t.Fatalf("Apply: %v, X = %v", err, test.X)
	}
}

func TestStandardizeEmpty(t *testing.T) {
	d := &Dataset{Shape: []int{2}}
	mean, std := d.Standardize()
	if mean[0] != 0 || std[0] != 1 || len(mean) != 2 {
		t.Fatalf("mean, std = %v, %v", mean, std)
	}
}

func TestApplyErrors(t *testing.T) {
	d := seq(2, 2, 2)
	if err := d.Apply([]float32{0}, []float32{1, 1}); err == nil || !strings.Contains(err.Error(), "1 means and 2 stds for 2 features") {
		t.Errorf("short mean: %v", err)
	}
	if err := d.Apply([]float32{0, 0}, []float32{1, 0}); err == nil || !strings.Contains(err.Error(), "feature 1 has standard deviation 0") {
		t.Errorf("zero std: %v", err)
	}
}

// pixels returns n rows of f byte features with X their scaled floats.
func pixels(n, f int) *Dataset {
	d := seq(n, f, 2)
	d.Bytes = make([]byte, n*f)
	for i := range d.Bytes {
		d.Bytes[i] = byte(i * 37)
		d.X[i] = float32(d.Bytes[i]) / 255
	}
	return d
}

// TestBytesFollowX checks that Subset and Clone keep Bytes matching X, that
// Standardize drops them, and that a Batcher gathers the same batch from them.
func TestBytesFollowX(t *testing.T) {
	d := pixels(20, 5)
	for name, s := range map[string]*Dataset{"subset": d.Subset([]int{3, 19, 3}), "clone": d.Clone()} {
		if len(s.Bytes) != len(s.X) {
			t.Fatalf("%s: %d bytes for %d features", name, len(s.Bytes), len(s.X))
		}
		for i, b := range s.Bytes {
			if s.X[i] != float32(b)/255 {
				t.Fatalf("%s: byte %d is %d, feature %g", name, i, b, s.X[i])
			}
		}
	}
	plain := d.Clone()
	plain.Bytes = nil
	a, b := NewBatcher(d, 7, true, 3), NewBatcher(plain, 7, true, 3)
	ga, gb := make([]float32, 5*16), make([]float32, 5*16)
	for range 4 {
		a.Next()
		b.Next()
		a.GatherT(ga, 16)
		b.GatherT(gb, 16)
		if !slices.Equal(ga, gb) {
			t.Fatalf("gathered from bytes %v, from floats %v", ga, gb)
		}
	}
	d.Standardize()
	if d.Bytes != nil {
		t.Error("Standardize kept the bytes of the features it changed")
	}
}
