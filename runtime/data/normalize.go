package data

import (
	"fmt"
	"math"
)

// MinStd is the smallest per-feature standard deviation Standardize divides by. A feature
// whose standard deviation is below it is constant in the data: Standardize centres it and
// leaves it unscaled (std 1) rather than multiplying whatever the test set holds there by 1e8.
const MinStd = 1e-8

// Standardize rescales every feature of d in place to zero mean and unit variance and
// returns the per-feature statistics it used, so another split can be given the same
// transform with Apply. std is the population standard deviation, replaced by 1 where it
// is below MinStd (or not a number). An empty dataset gets mean 0 and std 1.
func (d *Dataset) Standardize() (mean, std []float32) {
	mean, std = d.stats()
	d.apply(mean, std)
	return mean, std
}

// Apply replaces every feature value x of d by (x - mean[j]) / std[j], j being the
// feature's index. It fails if mean or std does not have Features() values or if a std is
// not positive and finite.
func (d *Dataset) Apply(mean, std []float32) error {
	f := d.Features()
	if len(mean) != f || len(std) != f {
		return fmt.Errorf("dataset %q: normalisation statistics have %d means and %d stds for %d features", d.Name, len(mean), len(std), f)
	}
	for j, s := range std {
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("dataset %q: feature %d has standard deviation %g; it must be positive and finite", d.Name, j, s)
		}
	}
	d.apply(mean, std)
	return nil
}

// apply is Apply without the argument checks. X no longer matches Bytes.
func (d *Dataset) apply(mean, std []float32) {
	d.Bytes = nil
	f := len(mean)
	for i := 0; i+f <= len(d.X); i += f {
		row := d.X[i : i+f]
		for j := range row {
			row[j] = (row[j] - mean[j]) / std[j]
		}
	}
}

// stats computes the per-feature mean and population standard deviation of d in float64,
// in two passes for accuracy.
func (d *Dataset) stats() (mean, std []float32) {
	f, n := d.Features(), d.Len()
	m, v := make([]float64, f), make([]float64, f)
	for i := 0; i < n; i++ {
		for j, x := range d.Row(i) {
			m[j] += float64(x)
		}
	}
	for j := range m {
		m[j] /= float64(max(n, 1))
	}
	for i := 0; i < n; i++ {
		for j, x := range d.Row(i) {
			dx := float64(x) - m[j]
			v[j] += dx * dx
		}
	}
	return toFloat32(m), stdOf(v, n)
}

// stdOf turns per-feature sums of squared deviations over n rows into standard deviations,
// replacing those below MinStd by 1.
func stdOf(sumSq []float64, n int) []float32 {
	std := make([]float32, len(sumSq))
	for j, s := range sumSq {
		sd := math.Sqrt(s / float64(max(n, 1)))
		if !(sd >= MinStd) { // also catches NaN from non-finite data
			sd = 1
		}
		std[j] = float32(sd)
	}
	return std
}

func toFloat32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
