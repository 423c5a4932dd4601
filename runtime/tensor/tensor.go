// Package tensor holds roux's one data type: a dense float32 array with a shape,
// and Param, a trainable tensor with its gradient buffer.
package tensor

import (
	"fmt"
	"slices"
	"strings"
)

// Tensor is a contiguous row-major float32 array. Data has exactly Size() elements.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New allocates a zeroed tensor of the given shape. A tensor with no dimensions is a scalar.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, Numel(shape))}
}

// Numel is the number of elements of a tensor of this shape.
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Size is the number of elements.
func (t *Tensor) Size() int { return len(t.Data) }

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// ShapeString formats a shape as [a b c], the way every roux message prints shapes.
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Param is a trainable tensor: its value, the gradient the last backward pass wrote,
// and the recipe path that names it (for example "net.h1.weight").
type Param struct {
	Name  string
	Value *Tensor
	Grad  *Tensor
	// Active, when not nil, lists the only entries an optimizer updates: the kept weights
	// of a mask with the zero rule, whose pruned entries (zero, with zero gradient and
	// state) an update would leave as they are anyway. Its mask rebuilds it whenever
	// the mask changes.
	Active []int32
}

// ActiveIn returns the entries of Active in [lo, hi), Active being ascending.
func (p *Param) ActiveIn(lo, hi int) []int32 {
	a, _ := slices.BinarySearch(p.Active, int32(lo))
	b, _ := slices.BinarySearch(p.Active, int32(hi))
	return p.Active[a:b]
}

// NewParam allocates a zeroed parameter and its gradient.
func NewParam(name string, shape ...int) *Param {
	return &Param{Name: name, Value: New(shape...), Grad: New(shape...)}
}
