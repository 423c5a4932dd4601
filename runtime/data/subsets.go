package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// PCG streams, one per function, so that PerClass and WithLabelNoise with the same seed
// draw unrelated numbers.
const (
	perClassStream = 0x70657263 // "perc"
	noiseStream    = 0x6e6f6973 // "nois"
)

// PerClass returns a labelled subset with n samples of each class, chosen by seed
// (uniformly without replacement within each class), kept in ascending row order of d.
// This is the few-labels split of semi-supervised training. It is an error when d is
// unlabelled or inconsistent, n < 1, or a class has fewer than n samples: the message
// names the class and its count.
func PerClass(d *Dataset, n int, seed uint64) (*Dataset, error) {
	if !d.Labelled() {
		return nil, fmt.Errorf("dataset %q is unlabelled: it has no classes to take samples of", d.Name)
	}
	if n < 1 {
		return nil, fmt.Errorf("dataset %q: %d samples per class, want at least 1", d.Name, n)
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	byClass := make([][]int, d.Classes)
	for i, y := range d.Y {
		byClass[y] = append(byClass[y], i)
	}
	src := rand.NewPCG(seed, perClassStream)
	var idx []int
	for k, rows := range byClass {
		if len(rows) < n {
			return nil, fmt.Errorf("dataset %q: class %s has %d samples, fewer than the %d per class asked for", d.Name, d.className(k), len(rows), n)
		}
		choose(rows, n, src)
		idx = append(idx, rows[:n]...)
	}
	slices.Sort(idx)
	return d.Subset(idx), nil
}

// className names class k in messages: its id, and its name when d has one.
func (d *Dataset) className(k int) string {
	if d.ClassNames != nil {
		return fmt.Sprintf("%d (%q)", k, d.ClassNames[k])
	}
	return fmt.Sprint(k)
}

// choose moves a uniformly random n-subset of p to p[:n] (a partial Fisher–Yates shuffle).
func choose(p []int, n int, src *rand.PCG) {
	for i := range n {
		j := i + int(uintn(src, uint64(len(p)-i)))
		p[i], p[j] = p[j], p[i]
	}
}

// Unlabeled returns d's features without labels: Y and TrueY nil, Classes kept (so the
// class count stays known to models), sharing nothing mutable with d.
func Unlabeled(d *Dataset) *Dataset {
	u := d.Clone()
	u.Y, u.TrueY = nil, nil
	return u
}

// NoiseKind is how corrupted labels are drawn.
type NoiseKind int

const (
	Symmetric  NoiseKind = iota // a uniformly random other class
	Asymmetric                  // class k becomes (k+1) mod Classes: a fixed confusion, as in the CIFAR-100 protocol
)

// WithLabelNoise returns a copy of d in which exactly round(rate·N) samples, chosen by
// seed, carry a corrupted label of the given kind; the original labels are kept in TrueY
// so evaluation can tell memorised noise from learning. rate must be in [0, 1); d must be
// labelled with at least 2 classes (errors otherwise).
//
// Noise is always drawn from the true labels: on an already noisy d the earlier noise is
// replaced, not compounded, so the result's noise rate is rate and TrueY stays the original.
func WithLabelNoise(d *Dataset, rate float64, kind NoiseKind, seed uint64) (*Dataset, error) {
	if err := checkNoise(d, rate, kind); err != nil {
		return nil, err
	}
	c := d.Clone()
	if c.TrueY == nil {
		c.TrueY = slices.Clone(c.Y)
	}
	copy(c.Y, c.TrueY)
	idx := make([]int, c.Len())
	identity(idx)
	src := rand.NewPCG(seed, noiseStream)
	m := int(math.Round(rate * float64(len(idx))))
	choose(idx, m, src)
	for _, i := range idx[:m] {
		c.Y[i] = corrupt(c.TrueY[i], c.Classes, kind, src)
	}
	return c, nil
}

// checkNoise reports why WithLabelNoise cannot corrupt d's labels, if it cannot.
func checkNoise(d *Dataset, rate float64, kind NoiseKind) error {
	switch {
	case !(rate >= 0 && rate < 1):
		return fmt.Errorf("dataset %q: label noise rate %g, want it in [0, 1)", d.Name, rate)
	case kind != Symmetric && kind != Asymmetric:
		return fmt.Errorf("dataset %q: unknown label noise kind %d", d.Name, kind)
	case !d.Labelled():
		return fmt.Errorf("dataset %q is unlabelled: it has no labels to corrupt", d.Name)
	case d.Classes < 2:
		return fmt.Errorf("dataset %q has %d classes: label noise needs at least 2", d.Name, d.Classes)
	}
	return d.Check()
}

// corrupt returns a label other than y among classes, drawn as kind says.
func corrupt(y int32, classes int, kind NoiseKind, src *rand.PCG) int32 {
	if kind == Asymmetric {
		return (y + 1) % int32(classes)
	}
	z := int32(uintn(src, uint64(classes-1))) // skip y: a draw over the other classes only
	if z >= y {
		z++
	}
	return z
}

// Corrupted reports whether sample i's label differs from its true label (false when d has
// no TrueY).
func (d *Dataset) Corrupted(i int) bool {
	return d.TrueY != nil && d.Y[i] != d.TrueY[i]
}
