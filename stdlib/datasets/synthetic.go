package datasets

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/runtime/data"
)

// Limits on the synthetic generators' arguments.
const (
	maxSamples  = 1 << 24 // n
	maxClasses  = 1 << 16
	maxDim      = 1 << 16
	maxElements = 1 << 28 // n × dim
)

// spiralTurns is how far each spiral arm winds, in turns, from the centre to radius 1.
const spiralTurns = 0.75

// Moons returns n points of two interleaving half circles, like scikit-learn's
// make_moons: class 0 on the upper arc (cos t, sin t), class 1 on the lower arc
// (1 − cos t, 0.5 − sin t), t evenly spaced over [0, π], each coordinate then shifted by
// Gaussian noise of standard deviation noise.
func Moons(n int, noise float64, seed uint64) (*data.Dataset, error) {
	if err := checkSynthetic("moons", n, 2, noise, "noise"); err != nil {
		return nil, err
	}
	g := newGen("moons", n, 2, 2, seed)
	for c, m := range classSizes(n, 2) {
		for i := range m {
			t := math.Pi * linspace(i, m)
			if c == 0 {
				g.add(c, math.Cos(t), math.Sin(t))
			} else {
				g.add(c, 1-math.Cos(t), 0.5-math.Sin(t))
			}
		}
	}
	return g.finish(noise)
}

// Spirals returns n points on classes interleaved spiral arms. Arm k starts at angle
// 2πk/classes; its points are evenly spaced in radius r over (0, 1], at angle
// 2πk/classes + 2π·0.75·r. Each coordinate is then shifted by Gaussian noise of standard
// deviation noise.
func Spirals(n, classes int, noise float64, seed uint64) (*data.Dataset, error) {
	if err := checkSynthetic("spirals", n, classes, noise, "noise"); err != nil {
		return nil, err
	}
	g := newGen("spirals", n, 2, classes, seed)
	for c, m := range classSizes(n, classes) {
		for i := range m {
			r := float64(i+1) / float64(m)
			a := 2*math.Pi*float64(c)/float64(classes) + 2*math.Pi*spiralTurns*r
			g.add(c, r*math.Cos(a), r*math.Sin(a))
		}
	}
	return g.finish(noise)
}

// Blobs returns n points in dim dimensions around classes centres drawn uniformly from
// [−10, 10]^dim, like scikit-learn's make_blobs: each point is its class's centre plus
// Gaussian noise of standard deviation spread in every coordinate.
func Blobs(n, classes, dim int, spread float64, seed uint64) (*data.Dataset, error) {
	if err := checkSynthetic("blobs", n, classes, spread, "spread"); err != nil {
		return nil, err
	}
	if dim < 1 || dim > maxDim || n*dim > maxElements {
		return nil, fmt.Errorf("blobs: dimension %d for %d points: want 1 to %d dimensions and at most %d values in all", dim, n, maxDim, maxElements)
	}
	g := newGen("blobs", n, dim, classes, seed)
	centres := make([]float64, classes*dim)
	for i := range centres {
		centres[i] = 20*g.rng.Float64() - 10
	}
	for c, m := range classSizes(n, classes) {
		for range m {
			g.add(c, centres[c*dim:(c+1)*dim]...)
		}
	}
	return g.finish(spread)
}

// XOR returns n points of the XOR problem in [−1, 1]²: class 0 in the quadrants where x
// and y have the same sign, class 1 where they differ, each class's points alternating
// between its two quadrants, uniform within them. Each coordinate is then shifted by
// Gaussian noise of standard deviation noise, so with noise some points cross the axes.
func XOR(n int, noise float64, seed uint64) (*data.Dataset, error) {
	if err := checkSynthetic("xor", n, 2, noise, "noise"); err != nil {
		return nil, err
	}
	g := newGen("xor", n, 2, 2, seed)
	for c, m := range classSizes(n, 2) {
		for i := range m {
			sx := float64(1 - 2*(i%2))                   // +, −, +, − ...
			sy := sx * float64(1-2*c)                    // same sign for class 0, opposite for 1
			x, y := 1-g.rng.Float64(), 1-g.rng.Float64() // in (0, 1]
			g.add(c, sx*x, sy*y)
		}
	}
	return g.finish(noise)
}

// checkSynthetic validates the arguments every generator shares.
func checkSynthetic(name string, n, classes int, noise float64, noiseName string) error {
	switch {
	case classes < 2 || classes > maxClasses:
		return fmt.Errorf("%s: %d classes: want 2 to %d", name, classes, maxClasses)
	case n < classes || n > maxSamples:
		return fmt.Errorf("%s: %d samples for %d classes: want at least one per class and at most %d", name, n, classes, maxSamples)
	case !(noise >= 0) || math.IsInf(noise, 0):
		return fmt.Errorf("%s: %s %g: want a finite standard deviation >= 0", name, noiseName, noise)
	}
	return nil
}

// classSizes splits n samples into k balanced classes, the first n%k one larger.
func classSizes(n, k int) []int {
	sizes := make([]int, k)
	for c := range sizes {
		sizes[c] = n / k
		if c < n%k {
			sizes[c]++
		}
	}
	return sizes
}

// linspace is the i-th of m evenly spaced points of [0, 1], both ends included.
func linspace(i, m int) float64 {
	if m < 2 {
		return 0
	}
	return float64(i) / float64(m-1)
}

// gen accumulates a synthetic dataset. Its points come grouped by class; finish adds the
// noise and mixes the rows in a seeded order.
type gen struct {
	d    *data.Dataset
	rng  *rand.Rand
	seed uint64
}

// newGen starts a dataset with room for n points of dim values. Its generator's stream
// is fixed by the dataset's name, so different generators given one seed draw different
// numbers (and none the numbers of a Batcher's epochs, which use streams 1, 2, 3...).
func newGen(name string, n, dim, classes int, seed uint64) *gen {
	d := &data.Dataset{Name: name, X: make([]float32, 0, n*dim), Y: make([]int32, 0, n), Shape: []int{dim}, Classes: classes}
	return &gen{d: d, rng: rand.New(rand.NewPCG(seed, stream(name))), seed: seed}
}

// add appends a point of class c.
func (g *gen) add(c int, x ...float64) {
	for _, v := range x {
		g.d.X = append(g.d.X, float32(v))
	}
	g.d.Y = append(g.d.Y, int32(c))
}

// finish adds Gaussian noise of standard deviation sd to every coordinate, in class-grouped
// order, and returns the rows in a seeded order.
func (g *gen) finish(sd float64) (*data.Dataset, error) {
	if sd > 0 {
		for i := range g.d.X {
			g.d.X[i] += float32(sd * g.rng.NormFloat64())
		}
	}
	mixed := g.d.Subset(data.Perm(g.d.Len(), g.seed, stream(g.d.Name+"/order")))
	return mixed, mixed.Check()
}

// stream is the PCG stream of a generator: the FNV-1a hash of its name.
func stream(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
