package stdlib

import (
	"io"
	"math/rand/v2"

	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// Args are an entry's arguments as its implementation sees them: numbers as float64,
// strings and enum names as string, booleans, times as step numbers (int), ranges as
// [2]float64, numbers-or-schedules as schedule.Schedule, selectors as the parameter
// paths they matched ([]string), lists as []float64 or []int.
type Args map[string]any

// Has reports whether the argument was given or has a default.
func (a Args) Has(name string) bool { _, ok := a[name]; return ok }

// Float returns a number.
func (a Args) Float(name string) float64 { v, _ := a[name].(float64); return v }

// Int returns a whole number.
func (a Args) Int(name string) int { return int(a.Float(name)) }

// Str returns a string or an enum name.
func (a Args) Str(name string) string { v, _ := a[name].(string); return v }

// Bool returns a boolean.
func (a Args) Bool(name string) bool { v, _ := a[name].(bool); return v }

// Steps returns a time as a step number.
func (a Args) Steps(name string) int { v, _ := a[name].(int); return v }

// Range returns the two ends of a range.
func (a Args) Range(name string) (from, to float64) { v, _ := a[name].([2]float64); return v[0], v[1] }

// Scalar returns a number-or-schedule argument as a schedule.
func (a Args) Scalar(name string) schedule.Schedule { v, _ := a[name].(schedule.Schedule); return v }

// Paths returns the parameter paths a selector matched.
func (a Args) Paths(name string) []string { v, _ := a[name].([]string); return v }

// Floats returns a list of numbers.
func (a Args) Floats(name string) []float64 { v, _ := a[name].([]float64); return v }

// StepList returns a list of times as step numbers.
func (a Args) StepList(name string) []int { v, _ := a[name].([]int); return v }

// Init fills a new weight tensor; fanIn is the number of inputs each output sees.
type Init func(w []float32, fanIn int, rng *rand.Rand)

// Builder is what a layer, op or loss gets to emit itself into a graph.
type Builder struct {
	G *graph.Graph
	// Weight returns the named trainable tensor of the layer being built (for example
	// "weight"), creating and initialising it on first use.
	Weight func(name string, shape []int, fanIn int, init Init) *graph.Node
	// State returns the named non-trainable state of the layer being built (for example
	// batch_norm's "running_mean"), created filled with fill on first use; the session
	// shares it between its programs and saves it in checkpoints.
	State func(name string, shape []int, fill float32) *tensor.Tensor
	// Sparse returns the compressed mask of the named weight of the layer being built,
	// once Weight has made it, when the layer may compute with sparse kernels
	// (graph.SparseLinear); nil, as is a nil Sparse, means the dense product.
	Sparse func(name string) *graph.Sparsity
	// SampleState gives a per-sample loss (Signature.PerSample) the rows of its state for
	// this step's batch, [B width] or [B] when width is 0, created filled with fill; commit
	// names the node holding the rows' new values, stored after each training step. The
	// session saves the state in checkpoints.
	SampleState func(name string, width int, fill float32) (rows *graph.Node, commit func(next *graph.Node))
	// StateView names a reading of one-value-per-sample state, such as AdaWAC's weight
	// β⁰ = sigmoid(log-odds): evaluations report it by group on noisy data and the REPL
	// shows it next to the stored values.
	StateView func(state, view string, of func(float32) float64)
	// Scalar feeds a schedule's value at every step into the graph.
	Scalar func(s schedule.Schedule) *graph.Node
	// Report records a node, such as the share of samples a confidence threshold keeps,
	// as a training statistic averaged between evaluations (a vector as name[i]; a
	// layer's statistics are named after it, like net.h1 load[0]).
	Report func(name string, v *graph.Node)
	// AuxLoss adds a term to the training loss, such as an MoE layer's balance term.
	AuxLoss func(v *graph.Node)
	// Shared returns an object the layer keeps across all the session's programs, such
	// as a fixed sparsity pattern, made once by make with a generator that depends only
	// on the training seed and the layer's path.
	Shared func(name string, make func(rng *rand.Rand) any) any
}

// sparse returns b.Sparse(name), or nil without a Sparse.
func (b *Builder) sparse(name string) *graph.Sparsity {
	if b.Sparse == nil {
		return nil
	}
	return b.Sparse(name)
}

// Env is what a data set's loader may use from outside the recipe. Relative file paths
// are resolved against the working directory, at check time and at load time alike.
type Env struct {
	Log io.Writer // where to say that a download is happening; may be nil
}
