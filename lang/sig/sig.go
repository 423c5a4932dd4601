// Package sig describes the catalogue's entries as the checker sees them: names, kinds,
// parameters with types and defaults, and the static functions (shape inference, data
// description, trainable weights) that let a recipe be checked before any tensor exists.
//
// The catalogue (stdlib) implements Catalog; lang never imports it, so a Go program that
// registers its own entry gets the same checking as the built-ins.
package sig

import (
	"fmt"
	"strings"
)

// Kind says where in a recipe a catalogue entry may be used.
type Kind string

// The kinds of catalogue entries.
const (
	Layer     Kind = "layer"     // tensor -> tensor with trainable weights, used in model bodies
	Op        Kind = "op"        // tensor -> tensor without weights (activations, math), used anywhere a tensor is
	Loss      Kind = "loss"      // tensors -> scalar tensor
	Schedule  Kind = "schedule"  // a scalar over training time
	Optimizer Kind = "optimizer" // the parameter update rule
	Data      Kind = "data"      // a data set
	Metric    Kind = "metric"    // something an eval command reports
	MaskInit  Kind = "mask init" // how a mask starts: random, magnitude, nm, block
	Criterion Kind = "prune criterion"
	Regrow    Kind = "regrow rule"        // dynamic sparse training: set, rigl
	Pruned    Kind = "pruned-weight rule" // what pruned weights do: zero, ste, srste, decay, shrink
	Augment   Kind = "augmentation"       // a seeded random change of a batch's inputs: noise, shift, rotate, cutout
	Regular   Kind = "regularizer"        // a penalty on selected weights: l1_penalty, l2_penalty, group_lasso
)

// Type is the type of a parameter value.
type Type int

// The value types of the recipe language.
const (
	Number   Type = iota // a plain number
	Int                  // a whole number
	String               // "text"
	Bool                 // true or false
	Time                 // 100 steps, 2 epochs, 25%, end
	Range                // a -> b of numbers
	Scalar               // a number or a schedule: anything that may change over training time
	Tensor               // a tensor expression
	Labels               // class labels of a data set (d.y)
	Enum                 // one of Param.Enum, written as a bare name
	Selector             // a parameter selector such as net.*.weight
	List                 // [a, b, ...] of numbers or times (Param.Elem says which)
	Dataset              // a data set, the piped input of a data transform such as per_class
	MaskName             // the name of a declared mask
)

var typeNames = map[Type]string{
	Number: "number", Int: "whole number", String: "string", Bool: "true or false",
	Time: "time (like 100 steps, 2 epochs, 25% or end)", Range: "range (like 0.1 -> 0)",
	Scalar: "number or schedule", Tensor: "tensor", Labels: "class labels (like train.y)", Enum: "name",
	Selector: "parameter selector (like net.*.weight)", List: "list",
	Dataset: "data set (like mnist(split: \"train\"))", MaskName: "mask name",
}

func (t Type) String() string { return typeNames[t] }

// TimeValue is a time argument: Amount in Unit ("steps", "epochs", "%", "end").
type TimeValue struct {
	Amount float64
	Unit   string
}

func (t TimeValue) String() string {
	switch t.Unit {
	case "end":
		return "end"
	case "%":
		return fmt.Sprintf("%g%%", t.Amount)
	}
	if t.Amount == 1 {
		return fmt.Sprintf("1 %s", strings.TrimSuffix(t.Unit, "s"))
	}
	return fmt.Sprintf("%g %s", t.Amount, t.Unit)
}

// Param is one parameter of an entry.
type Param struct {
	Name     string
	Type     Type
	Elem     Type     // element type of a List
	Default  any      // nil: required (unless Optional); otherwise float64, string, bool or TimeValue
	Optional bool     // may be left out even though it has no default
	Enum     []string // allowed names for an Enum parameter
	Doc      string
	// Check validates a constant value (float64, string, bool, TimeValue) and returns a
	// message such as "must be in [0, 1)"; nil means any value of the type is allowed.
	Check func(v any) string
}

// Required reports whether the argument must be given.
func (p *Param) Required() bool { return p.Default == nil && !p.Optional }

// Shape is a tensor shape at check time; the batch dimension is Batch.
type Shape []int

// Batch marks the batch dimension in a check-time shape.
const Batch = -1

func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d == Batch {
			parts[i] = "B"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// Equal reports whether two shapes are the same.
func (s Shape) Equal(t Shape) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// Args are an entry's constant arguments by parameter name, defaults filled in:
// float64, string, bool or TimeValue. Tensor, schedule and selector arguments are absent.
type Args map[string]any

// Float returns a numeric argument.
func (a Args) Float(name string) float64 { f, _ := a[name].(float64); return f }

// Int returns a numeric argument as an int.
func (a Args) Int(name string) int { return int(a.Float(name)) }

// Str returns a string or enum argument.
func (a Args) Str(name string) string { s, _ := a[name].(string); return s }

// Bool returns a boolean argument.
func (a Args) Bool(name string) bool { b, _ := a[name].(bool); return b }

// Weight is a trainable tensor a layer creates, named relative to its layer ("weight", "bias").
type Weight struct {
	Name  string
	Shape Shape
	// Stacked says the first axis stacks independent layers of shape Shape[1:] (an
	// MoE's experts), which masks spread densities over and group N:M entries in as
	// layers of their own.
	Stacked bool
}

// DataInfo is what the checker knows of a data set before loading it.
type DataInfo struct {
	Shape     Shape   // per-sample feature shape, e.g. [784]
	Classes   int     // number of classes; 0 for data that never had labels
	Size      int     // number of samples, 0 when unknown until loaded
	MinClass  int     // samples in the smallest class, 0 when unknown
	Unlabeled bool    // the labels were dropped (unlabeled()): Classes is known, y is not
	Noisy     bool    // some labels were corrupted; the true ones are kept for evaluation
	Ratio     float64 // samples drawn per step, as a multiple of the batch size; 0 means 1
}

// Draw is how many samples of the data set one training step draws for a batch size.
func (d DataInfo) Draw(batch int) float64 {
	if d.Ratio == 0 {
		return float64(batch)
	}
	return d.Ratio * float64(batch)
}

// ArgError is an error about one argument; the checker positions it on that argument.
type ArgError struct {
	Param string
	Msg   string
}

func (e *ArgError) Error() string { return e.Msg }

// Signature is one catalogue entry as the checker sees it.
type Signature struct {
	Name   string
	Kind   Kind
	Doc    string
	Params []Param
	// Shape infers a tensor entry's output shape from its tensor inputs' shapes (in the
	// order of its Tensor/Labels parameters) and its constant arguments. For an
	// augmentation it checks the per-sample shape of the data it is applied to.
	Shape func(in []Shape, args Args) (Shape, error)
	// Weights lists the trainable tensors a Layer creates for these inputs and arguments.
	Weights func(in []Shape, args Args) []Weight
	// Describe tells the shape and classes of a Data entry without loading it.
	Describe func(args Args) (DataInfo, error)
	// Transform tells the same for a data transform (a Data entry whose first parameter
	// is a Dataset, like per_class), from what is known of its input.
	Transform func(in DataInfo, args Args) (DataInfo, error)
	// PerSample marks a loss that keeps state for every sample of the data set it draws
	// on (ELR's targets, AdaWAC's weights), so its inputs must come from one data set.
	PerSample bool
	// Views marks a consistency loss whose first two arguments must be two different
	// views (augmentations or models) of the same samples.
	Views bool
	// Check validates arguments against each other (for example two lists of equal
	// length); list arguments appear in Args as []any.
	Check func(args Args) error
}

// Param returns the named parameter, or nil.
func (s *Signature) Param(name string) *Param {
	for i := range s.Params {
		if s.Params[i].Name == name {
			return &s.Params[i]
		}
	}
	return nil
}

// Catalog is the set of entries a recipe may use.
type Catalog interface {
	Lookup(name string) (*Signature, bool)
	Names() []string // sorted
}
