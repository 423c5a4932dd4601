package sparse

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

var (
	lenet   = [][]int{{300, 784}, {100, 300}, {10, 100}}
	convnet = [][]int{{32, 1, 5, 5}, {64, 32, 5, 5}, {512, 3136}, {10, 512}}
)

// TestDensitiesVectors checks the test vectors of PAPERS 2.1 M1 to 4 decimals.
func TestDensitiesVectors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shapes [][]int
		d      float64
		want   []float64
	}{
		{"lenet d=0.10", lenet, 0.10, []float64{0.0796, 0.2302, 1.0}},
		{"lenet d=0.05", lenet, 0.05, []float64{0.0385, 0.1113, 0.9185}},
		{"lenet d=0.02", lenet, 0.02, []float64{0.0154, 0.0445, 0.3674}},
		{"convnet d=0.1", convnet, 0.1, []float64{1.0, 0.0884, 0.0971, 1.0}},
	} {
		got, err := Densities(tc.shapes, tc.d, ERK, 1, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for l := range got {
			if math.Abs(got[l]-tc.want[l]) > 0.5e-4 {
				t.Errorf("%s: layer %d density %.6f, want %.4f", tc.name, l, got[l], tc.want[l])
			}
		}
		checkBudget(t, tc.name, tc.shapes, tc.d, got)
	}
}

func TestDensitiesScale(t *testing.T) {
	raw, size, err := rawScores(lenet, ERK, 1)
	if err != nil {
		t.Fatal(err)
	}
	eps, dense, err := solveScale(raw, size, 0.1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(eps-17.26) > 0.005 || !dense[2] || dense[0] || dense[1] {
		t.Errorf("ε = %.4f, dense %v; want ε≈17.26 with only fc3 dense", eps, dense)
	}
}

// TestDensitiesBudget checks Σ density_l·N_l = d·Σ N_l and density ≤ 1 on random networks.
func TestDensitiesBudget(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		shapes := make([][]int, 1+rng.IntN(6))
		for l := range shapes {
			shapes[l] = []int{1 + rng.IntN(300), 1 + rng.IntN(300)}
			if rng.IntN(2) == 0 {
				k := 1 + rng.IntN(5)
				shapes[l] = append(shapes[l], k, k)
			}
		}
		dense := make([]bool, len(shapes))
		dense[0] = len(shapes) > 1 && rng.IntN(4) == 0
		d := 0.01 + 0.99*rng.Float64()
		dist := Distribution(trial % 3)
		got, err := Densities(shapes, d, dist, 0.5+rng.Float64(), dense)
		if err != nil {
			if strings.Contains(err.Error(), "dense layers hold") {
				continue // the forced-dense layer alone exceeds the budget
			}
			t.Fatalf("%v %v d=%v: %v", dist, shapes, d, err)
		}
		if dense[0] && got[0] != 1 {
			t.Errorf("forced-dense layer has density %v", got[0])
		}
		checkBudget(t, dist.String(), shapes, d, got)
	}
}

func checkBudget(t *testing.T, name string, shapes [][]int, d float64, got []float64) {
	t.Helper()
	var used, total float64
	for l, s := range shapes {
		n := float64(numel(s))
		if got[l] > 1 || got[l] <= 0 {
			t.Errorf("%s: layer %d density %v outside (0, 1]", name, l, got[l])
		}
		used += got[l] * n
		total += n
	}
	if math.Abs(used-d*total) > 1e-9*total {
		t.Errorf("%s: %v weights kept, want d·N = %v", name, used, d*total)
	}
}

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func TestDensitiesUniformAndER(t *testing.T) {
	got, _ := Densities(lenet, 0.3, Uniform, 1, nil)
	for l, g := range got {
		if g != 0.3 {
			t.Errorf("uniform layer %d: %v, want 0.3", l, g)
		}
	}
	// ER ignores kernel dimensions: a conv scores like a dense layer of its first two dims.
	a, _ := rawScore([]int{64, 32, 5, 5}, ER, 1)
	b, _ := rawScore([]int{64, 32}, ER, 1)
	if a != b || a != 96.0/2048 {
		t.Errorf("ER score of [64 32 5 5] = %v, want %v as for [64 32]", a, b)
	}
	// ERK with power 0 is uniform.
	u, _ := Densities(convnet, 0.2, ERK, 0, nil)
	for l, g := range u {
		if math.Abs(g-0.2) > 1e-12 {
			t.Errorf("ERK power 0 layer %d: %v, want 0.2", l, g)
		}
	}
	// Forcing a layer dense: the others share the rest of the budget equally.
	f, _ := Densities(lenet, 0.1, Uniform, 1, []bool{false, false, true})
	if f[2] != 1 || f[0] != f[1] || f[0] >= 0.1 {
		t.Errorf("uniform with fc3 dense: %v", f)
	}
	checkBudget(t, "uniform forced", lenet, 0.1, f)
	// d = 1 makes everything dense.
	all, _ := Densities(convnet, 1, ERK, 1, nil)
	for l, g := range all {
		if g != 1 {
			t.Errorf("d=1 layer %d: %v", l, g)
		}
	}
}

func TestDensitiesErrors(t *testing.T) {
	for _, tc := range []struct {
		shapes [][]int
		d      float64
		dist   Distribution
		power  float64
		dense  []bool
		want   string
	}{
		{lenet, 0, ERK, 1, nil, "density 0 is outside (0, 1]"},
		{lenet, 1.5, ERK, 1, nil, "density 1.5 is outside (0, 1]"},
		{lenet, math.NaN(), ERK, 1, nil, "outside (0, 1]"},
		{lenet, 0.1, ERK, -1, nil, "ERK power -1"},
		{lenet, 0.1, Distribution(7), 1, nil, "unknown distribution Distribution(7)"},
		{[][]int{{10}}, 0.1, ER, 1, nil, "layer 0, shape [10]: ER needs at least two dimensions"},
		{[][]int{{10, 0}}, 0.1, ERK, 1, nil, "layer 0, shape [10 0]"},
		{lenet, 0.1, ERK, 1, []bool{true}, "1 dense flags for 3 layers"},
		{lenet, 0.5, ERK, 1, []bool{true, false, false}, "dense layers hold 235200 of 266200 weights"},
		{lenet, 0.5, ERK, 1, []bool{true, true, true}, "every layer is dense"},
	} {
		_, err := Densities(tc.shapes, tc.d, tc.dist, tc.power, tc.dense)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Densities(%v, %v, %v, %v, %v) = %v, want %q", tc.shapes, tc.d, tc.dist, tc.power, tc.dense, err, tc.want)
		}
	}
}

// TestStackedDensities gives a stack of E layers the density of E separate layers of
// its slices under ERK and ER, and leaves unstacked weights as Densities does.
func TestStackedDensities(t *testing.T) {
	shapes := [][]int{{4, 150, 784}, {100, 600}, {10, 100}}
	got, err := StackedDensities(shapes, []int{4, 1, 1}, 0.1, ERK, 1)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Densities([][]int{{150, 784}, {150, 784}, {150, 784}, {150, 784}, {100, 600}, {10, 100}}, 0.1, ERK, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != want[0] || got[1] != want[4] || got[2] != want[5] {
		t.Fatalf("stacked ERK densities %v, want %v, %v, %v", got, want[0], want[4], want[5])
	}
	plain, err := Densities(shapes, 0.1, ER, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	unstacked, err := StackedDensities(shapes, nil, 0.1, ER, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plain, unstacked) {
		t.Fatalf("without stacks %v, Densities gives %v", unstacked, plain)
	}
	if s := GroupShape([]int{4, 150, 784}, 4); !slices.Equal(s, []int{600, 784}) {
		t.Fatalf("group shape of a stack %v", s)
	}
	if s := GroupShape([]int{64, 32, 5, 5}, 1); !slices.Equal(s, []int{64, 32, 5, 5}) {
		t.Fatalf("group shape of a conv %v", s)
	}
}
