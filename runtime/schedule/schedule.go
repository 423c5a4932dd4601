package schedule

import (
	"fmt"
	"strconv"
)

// Schedule is a scalar that depends on the clock's step.
type Schedule interface {
	// At returns the value at the given step (completed optimizer steps).
	At(step int) float64
	// String returns a short readable form, like "cosine(0.1 -> 0, from 0 until 4680)".
	String() string
}

// Constant is the same value at every step.
type Constant struct {
	Value float64
}

// At returns c.Value.
func (c Constant) At(int) float64 { return c.Value }

// String returns the value as a number, like "0.1".
func (c Constant) String() string { return num(c.Value) }

// num formats a value in the shortest form that reads back exactly.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// ramp formats a schedule that moves from one value to another over a window,
// like "cosine(0.1 -> 0, from 0 until 4680)".
func ramp(name string, from, to float64, start, end int, extra string) string {
	return fmt.Sprintf("%s(%s -> %s%s, from %d until %d)", name, num(from), num(to), extra, start, end)
}
