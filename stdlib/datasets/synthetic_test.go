package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/roux-ml/roux/runtime/data"
)

// generators runs every synthetic generator with n samples, noise and seed.
var generators = map[string]func(n int, noise float64, seed uint64) (*data.Dataset, error){
	"moons":   Moons,
	"xor":     XOR,
	"spirals": func(n int, noise float64, seed uint64) (*data.Dataset, error) { return Spirals(n, 3, noise, seed) },
	"blobs":   func(n int, noise float64, seed uint64) (*data.Dataset, error) { return Blobs(n, 4, 5, noise, seed) },
}

func TestSyntheticShapesAndBalance(t *testing.T) {
	for name, gen := range generators {
		for _, n := range []int{4, 101} {
			d, err := gen(n, 0.1, 1)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if d.Len() != n || len(d.X) != n*d.Features() || d.Name != name {
				t.Errorf("%s(%d): Len %d, %d values of %v, name %q", name, n, d.Len(), len(d.X), d.Shape, d.Name)
			}
			checkBalanced(t, name, d)
		}
	}
}

// checkBalanced checks that class sizes differ by at most one.
func checkBalanced(t *testing.T, name string, d *data.Dataset) {
	t.Helper()
	counts := make([]int, d.Classes)
	for _, y := range d.Y {
		counts[y]++
	}
	if slices.Max(counts)-slices.Min(counts) > 1 {
		t.Errorf("%s(%d): class counts %v", name, d.Len(), counts)
	}
}

func TestSyntheticDeterministic(t *testing.T) {
	for name, gen := range generators {
		a, _ := gen(60, 0.2, 7)
		b, _ := gen(60, 0.2, 7)
		c, _ := gen(60, 0.2, 8)
		if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
			t.Errorf("%s: two runs with seed 7 differ", name)
		}
		if slices.Equal(a.X, c.X) {
			t.Errorf("%s: seeds 7 and 8 give the same data", name)
		}
		if slices.IsSorted(a.Y) {
			t.Errorf("%s: rows are grouped by class, not mixed", name)
		}
	}
}

// TestSyntheticPinned pins a few values, so a change of generator or algorithm (which
// would change every recipe's data) is noticed.
func TestSyntheticPinned(t *testing.T) {
	d, _ := Moons(10, 0.1, 1)
	want := []float32{0.37564975, -0.032470465, 1.8166549, -0.19711025}
	for i, w := range want {
		if math.Abs(float64(d.X[i]-w)) > 1e-6 {
			t.Fatalf("Moons(10, 0.1, 1).X[:4] = %v, want %v", d.X[:4], want)
		}
	}
}

func TestMoonsGeometry(t *testing.T) {
	d, _ := Moons(200, 0, 3)
	for i := range d.Len() {
		x, y := float64(d.Row(i)[0]), float64(d.Row(i)[1])
		cx, cy, onArc := 0.0, 0.0, y >= -1e-6 // class 0: the upper half of the unit circle
		if d.Y[i] == 1 {
			cx, cy, onArc = 1, 0.5, y <= 0.5+1e-6 // class 1: the lower half around (1, 0.5)
		}
		if r := math.Hypot(x-cx, y-cy); math.Abs(r-1) > 1e-6 || !onArc {
			t.Fatalf("point %d (%g, %g) of class %d is off its arc", i, x, y, d.Y[i])
		}
	}
}

func TestXORQuadrants(t *testing.T) {
	d, _ := XOR(100, 0, 3)
	for i := range d.Len() {
		x, y := d.Row(i)[0], d.Row(i)[1]
		if same := (x > 0) == (y > 0); same != (d.Y[i] == 0) || math.Abs(float64(x)) > 1 || math.Abs(float64(y)) > 1 {
			t.Fatalf("point (%g, %g) has class %d", x, y, d.Y[i])
		}
	}
}

func TestSpiralsRadius(t *testing.T) {
	d, _ := Spirals(90, 3, 0, 3)
	for i := range d.Len() {
		if r := math.Hypot(float64(d.Row(i)[0]), float64(d.Row(i)[1])); r <= 0 || r > 1+1e-6 {
			t.Fatalf("point %d has radius %g", i, r)
		}
	}
}

func TestBlobsClusters(t *testing.T) {
	d, _ := Blobs(400, 3, 4, 0.01, 5)
	if d.Classes != 3 || d.Features() != 4 {
		t.Fatalf("Classes, Features = %d, %d", d.Classes, d.Features())
	}
	// With a tiny spread, points of one class are close to each other.
	first := map[int32]int{}
	for i, y := range d.Y {
		j, ok := first[y]
		if !ok {
			first[y] = i
			continue
		}
		for k := range 4 {
			if math.Abs(float64(d.Row(i)[k]-d.Row(j)[k])) > 0.2 {
				t.Fatalf("rows %d and %d of class %d are far apart", i, j, y)
			}
		}
	}
}

func TestSyntheticErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"n=0", second(Moons(0, 0.1, 1)), "moons: 0 samples for 2 classes"},
		{"n=1", second(XOR(1, 0.1, 1)), "xor: 1 samples for 2 classes"},
		{"huge", second(XOR(1<<30, 0.1, 1)), "at most 16777216"},
		{"noise<0", second(Moons(10, -1, 1)), "moons: noise -1: want a finite standard deviation >= 0"},
		{"noise NaN", second(XOR(10, math.NaN(), 1)), "xor: noise NaN"},
		{"classes=1", second(Spirals(10, 1, 0.1, 1)), "spirals: 1 classes: want 2 to 65536"},
		{"spread", second(Blobs(10, 2, 2, math.Inf(1), 1)), "blobs: spread +Inf"},
		{"dim", second(Blobs(10, 2, 0, 1, 1)), "blobs: dimension 0 for 10 points"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, c.err, c.want)
		}
	}
}

func second(_ *data.Dataset, err error) error { return err }
