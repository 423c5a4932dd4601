package sparse

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Distribution is how a global density is spread over layers (PAPERS 2.1 M1).
type Distribution int

const (
	// Uniform gives every layer the same density: d itself when no layer is forced dense.
	Uniform Distribution = iota
	// ER (Erdős–Rényi) scores a layer (n_out + n_in)/(n_out·n_in) from its first two dimensions;
	// kernel dimensions are ignored, as in Random_Pruning's shape[:2].
	ER
	// ERK (Erdős–Rényi-Kernel) scores a layer (Σ dims / Π dims)^power over all its dimensions.
	ERK
)

// String returns "uniform", "er" or "erk", the names PAPERS 2.1 M1 uses.
func (d Distribution) String() string {
	switch d {
	case Uniform:
		return "uniform"
	case ER:
		return "er"
	case ERK:
		return "erk"
	}
	return fmt.Sprintf("Distribution(%d)", int(d))
}

// Densities spreads a global density d over layers of the given weight shapes (PAPERS 2.1 M1).
// Each layer l gets a raw score r_l from dist (power is ERK's erk_power_scale, 1 in RigL; it is
// ignored by Uniform and ER, and Uniform scores every layer 1). With D the set of dense layers,
// initially those with dense[l] set (dense may be nil), the scale ε solves
//
//	ε · Σ_{l∉D} r_l N_l = d · Σ_{l∉D} N_l − (1−d) · Σ_{l∈D} N_l,
//
// where N_l = Π shape_l. While max_{l∉D} ε·r_l > 1, every layer attaining that largest r_l
// joins D and ε is solved again. The result is ε·r_l for l∉D and 1 for l∈D, so
// Σ density_l·N_l = d·Σ N_l and no density exceeds 1. With layers forced dense, Uniform gives
// the other layers the equal density that keeps this budget, which is below d.
//
// It returns an error for d outside (0, 1], an unknown distribution, a negative or non-finite
// power, a shape with a dimension below 1 (or, for ER, fewer than two dimensions), a dense
// slice of the wrong length, or forced-dense layers that alone exceed the budget.
func Densities(shapes [][]int, d float64, dist Distribution, power float64, dense []bool) ([]float64, error) {
	if !(d > 0 && d <= 1) {
		return nil, fmt.Errorf("sparse: density %v is outside (0, 1]", d)
	}
	if dense != nil && len(dense) != len(shapes) {
		return nil, fmt.Errorf("sparse: %d dense flags for %d layers", len(dense), len(shapes))
	}
	raw, size, err := rawScores(shapes, dist, power)
	if err != nil {
		return nil, err
	}
	eps, inD, err := solveScale(raw, size, d, dense)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(shapes))
	for l := range out {
		out[l] = 1
		if !inD[l] {
			out[l] = eps * raw[l]
		}
	}
	return out, nil
}

// rawScores returns each layer's raw score r_l under dist and its size N_l.
func rawScores(shapes [][]int, dist Distribution, power float64) (raw, size []float64, err error) {
	if dist == ERK && !(power >= 0 && !math.IsInf(power, 1)) {
		return nil, nil, fmt.Errorf("sparse: ERK power %v must be finite and at least 0", power)
	}
	raw, size = make([]float64, len(shapes)), make([]float64, len(shapes))
	for l, shape := range shapes {
		if raw[l], err = rawScore(shape, dist, power); err != nil {
			return nil, nil, fmt.Errorf("sparse: layer %d, shape %s: %w", l, tensor.ShapeString(shape), err)
		}
		size[l] = float64(tensor.Numel(shape))
	}
	return raw, size, nil
}

// rawScore is r_l for one shape.
func rawScore(shape []int, dist Distribution, power float64) (float64, error) {
	if len(shape) == 0 || slices.Min(shape) < 1 {
		return 0, errors.New("every weight needs at least one dimension, each at least 1")
	}
	switch dist {
	case Uniform:
		return 1, nil
	case ER:
		if len(shape) < 2 {
			return 0, errors.New("ER needs at least two dimensions (n_out, n_in)")
		}
		out, in := float64(shape[0]), float64(shape[1])
		return (out + in) / (out * in), nil
	case ERK:
		sum, prod := 0.0, 1.0
		for _, n := range shape {
			sum, prod = sum+float64(n), prod*float64(n)
		}
		return math.Pow(sum/prod, power), nil
	}
	return 0, fmt.Errorf("unknown distribution %v", dist)
}

// solveScale runs M1's loop: solve for ε, move the layers with the largest raw score into the
// dense set while ε·r_l > 1, and return ε with the final dense set.
func solveScale(raw, size []float64, d float64, force []bool) (float64, []bool, error) {
	dense := make([]bool, len(raw))
	copy(dense, force)
	for {
		eps, err := scale(raw, size, d, dense)
		if err != nil {
			return 0, nil, err
		}
		top := maxFree(raw, dense)
		if eps*top <= 1 {
			return eps, dense, nil
		}
		for l := range raw {
			dense[l] = dense[l] || raw[l] == top
		}
	}
}

// scale solves M1's budget equation for ε given the dense set. It is 0 when every layer is dense.
func scale(raw, size []float64, d float64, dense []bool) (float64, error) {
	var scored, free, fixed float64
	for l := range raw {
		if dense[l] {
			fixed += size[l]
			continue
		}
		free += size[l]
		scored += raw[l] * size[l]
	}
	budget := d*free - (1-d)*fixed
	switch {
	case free == 0 && d < 1:
		return 0, fmt.Errorf("sparse: every layer is dense, so the density is 1, not %v", d)
	case free == 0:
		return 0, nil
	case budget <= 0:
		return 0, fmt.Errorf("sparse: the dense layers hold %v of %v weights, leaving nothing of the %v a density of %v allows",
			fixed, fixed+free, d*(fixed+free), d)
	}
	return budget / scored, nil
}

// maxFree is the largest raw score among layers not in the dense set (0 if there are none).
func maxFree(raw []float64, dense []bool) float64 {
	top := 0.0
	for l, r := range raw {
		if !dense[l] {
			top = max(top, r)
		}
	}
	return top
}

// StackedDensities is Densities for weights that may each stack stacks[l] > 1
// independent layers along their first axis (an MoE's experts [E, out, in]): such a
// weight counts as stacks[l] layers of shape shape[1:], so ER and ERK score each
// expert as a layer of its own, and it gets their common density. stacks may be nil.
func StackedDensities(shapes [][]int, stacks []int, d float64, dist Distribution, power float64) ([]float64, error) {
	var layers [][]int
	first := make([]int, len(shapes)) // index of each weight's first layer
	for l, shape := range shapes {
		first[l] = len(layers)
		if l < len(stacks) && stacks[l] > 1 && len(shape) > 1 {
			for range stacks[l] {
				layers = append(layers, shape[1:])
			}
			continue
		}
		layers = append(layers, shape)
	}
	all, err := Densities(layers, d, dist, power, nil)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(shapes))
	for l := range out {
		out[l] = all[first[l]]
	}
	return out, nil
}

// GroupShape is the shape N:M and block masks group a weight by: the weight's own, or
// for a stack of layers along the first axis (stack > 1) the stack seen as one layer
// with the stacked layers' outputs one after another, [E·out, in, ...], so that N:M
// groups run along each layer's inputs and never across layers (a b×b block spans two
// layers when b does not divide out).
func GroupShape(shape []int, stack int) []int {
	if stack <= 1 || len(shape) < 3 {
		return shape
	}
	return append([]int{shape[0] * shape[1]}, shape[2:]...)
}
