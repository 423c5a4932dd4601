package check

import (
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/token"
)

// Recipe is a checked recipe: every name resolved, every argument typed and
// defaulted, every shape known. The embedding layer lowers it into a graph.
type Recipe struct {
	File      string
	Title     string
	Data      []*Data     // in source order
	Models    []*Model    // in source order
	Schedules []*Schedule // in source order
	Loss      Value       // a scalar tensor expression
	LossPos   token.Pos
	Stream    *Data   // the data set whose passes make the epochs: the one with the most steps per pass
	Streams   []*Data // every data set the loss draws on, in order of first use
	Augments  []*Augment
	// Evaluated is the model evaluations report on when the loss is a mixture (several data
	// sets, augmentations or per-sample state), where the loss itself has no meaning on a
	// test set: eval's loss is then the cross-entropy of this model's outputs. Nil otherwise.
	Evaluated *Model
	Optimizer *Call
	Train     *Train
	Masks     []*Mask // in source order
	// Regularizers are penalties on selected weights, in source order.
	Regularizers []*Regularizer
	Procedure    []*Step // the phases of the run, or nil for plain training
}

// Mask is a sparsity mask over selected weights: how it starts, how its target sparsity
// changes, how weights are pruned and regrown, and what pruned weights do.
type Mask struct {
	Name     string
	Pos      token.Pos
	Selector *Selector
	Params   []WeightPath // the masked weights, in model order
	Init     *Call        // a mask init, or nil
	Sparsity Value        // target sparsity over time, or nil
	Prune    *Call        // how pruning to the sparsity picks weights, and how often
	Regrow   *Call        // dynamic sparse training, or nil
	Pruned   *Call        // what pruned weights do
}

// Regularizer is "regularize NAME on SELECTOR = PENALTY": a penalty on the selected
// weights, restricted to the weights mask PrunedBy prunes when it is set.
type Regularizer struct {
	Name     string
	Pos      token.Pos
	Selector *Selector
	Params   []WeightPath
	Penalty  *Call
	PrunedBy *Mask
}

// Data is a declared data set.
type Data struct {
	Name string
	Pos  token.Pos
	Call *Call
	Info sig.DataInfo
}

// Model is a declared model: named statements, one input, and as output the one
// statement no other statement uses.
type Model struct {
	Name    string
	Pos     token.Pos
	Input   sig.Shape // per-sample input shape, without the batch dimension
	Stmts   []*Stmt   // in source order
	Output  *Stmt     // the statement nothing else uses
	Weights []WeightPath
	// EMA is the model a teacher declared as ema(EMA, decay: Decay) follows: its weights
	// are an exponential moving average of EMA's, updated after every step, and it passes
	// no gradient. Stmts and Output are EMA's.
	EMA   *Model
	Decay float64
}

// Stmt is one named statement of a model body.
type Stmt struct {
	Name  string
	Pos   token.Pos
	Value Value
	Shape sig.Shape
}

// WeightPath is a trainable tensor with its full path, such as net.h1.weight.
type WeightPath struct {
	Path  string
	Shape sig.Shape
	Stack int // > 1: the first axis stacks this many layers (sig.Weight.Stacked); else 1
}

// Schedule is a named scalar schedule declaration.
type Schedule struct {
	Name  string
	Pos   token.Pos
	Value Value
}

// Train is the training plan.
type Train struct {
	Pos       token.Pos
	Epochs    int
	Batch     int
	EvalBatch int
	Seed      uint64
	DropLast  bool
	Evals     []*Eval
	// Checkpoint is how often to save a checkpoint (Amount 0: never); Keep is how many of
	// the newest checkpoints to keep.
	Checkpoint sig.TimeValue
	Keep       int
	// DataParallel is how many replicas of the model each training step runs at once,
	// each on its share of the batch, their gradients summed before the update (1: one
	// program for the whole batch).
	DataParallel    int
	DataParallelPos token.Pos // where data_parallel was set, if it was
}

// Eval is one "eval DATA every TIME: METRICS" command.
type Eval struct {
	Pos     token.Pos
	Data    []*Data
	Every   sig.TimeValue
	Metrics []string
}

// Value is a checked expression.
type Value interface{ Pos() token.Pos }

// Const is a constant: float64, string, bool or sig.TimeValue; Enum names are strings.
type Const struct {
	At token.Pos
	V  any
}

// Range is "From -> To" over scalars.
type Range struct {
	At       token.Pos
	From, To Value
}

// List is "[a, b, ...]".
type List struct {
	At    token.Pos
	Elems []Value
}

// Call is a call of a catalogue entry. Args is aligned with Sig.Params; an optional
// argument that was not given holds its default as a Const.
type Call struct {
	At    token.Pos
	Sig   *sig.Signature
	Args  []Value
	Given []bool    // whether each argument was written (false: defaulted or absent)
	Const sig.Args  // the constant arguments, as the signature's functions see them
	Shape sig.Shape // output shape of a tensor entry
	Model *Model    // for a layer: the model and statement that own its weights
	Stmt  *Stmt
	// Stream is the data set whose samples a per-sample loss keeps state for.
	Stream *Data
}

// Arg returns the argument for the named parameter.
func (c *Call) Arg(name string) Value {
	for i, p := range c.Sig.Params {
		if p.Name == name {
			return c.Args[i]
		}
	}
	return nil
}

// Arith is a binary arithmetic operation on scalars or tensors: Op is + - * /.
type Arith struct {
	At   token.Pos
	Op   string
	X, Y Value
}

// Neg is unary minus.
type Neg struct {
	At token.Pos
	X  Value
}

// Then is "First then Second": a schedule that switches when First's window ends.
type Then struct {
	At            token.Pos
	First, Second Value
}

// ScheduleRef names a declared schedule.
type ScheduleRef struct {
	At token.Pos
	S  *Schedule
}

// DataField is d.x (features) or d.y (labels).
type DataField struct {
	At    token.Pos
	Data  *Data
	Field string
}

// Augment is a declared augmentation: random changes applied one after another.
type Augment struct {
	Name string
	Pos  token.Pos
	Ops  []*Call
}

// Augmented is an augmentation applied to a data set's inputs; every use is a draw of its
// own (Draw numbers them in the loss), so two uses of one augmentation are two views.
type Augmented struct {
	At   token.Pos
	Aug  *Augment
	X    *DataField
	Draw int
}

// ModelCall applies a model to a tensor.
type ModelCall struct {
	At    token.Pos
	Model *Model
	Arg   Value
}

// StmtRef refers to another statement of the same model.
type StmtRef struct {
	At   token.Pos
	Stmt *Stmt
}

// Input is the model input, input(784).
type Input struct {
	At    token.Pos
	Shape sig.Shape
}

// Selector is a parameter selector with the parameter paths it matched.
type Selector struct {
	At      token.Pos
	Pattern string
	Matches []string
}

func (v *Const) Pos() token.Pos       { return v.At }
func (v *Range) Pos() token.Pos       { return v.At }
func (v *List) Pos() token.Pos        { return v.At }
func (v *Call) Pos() token.Pos        { return v.At }
func (v *Arith) Pos() token.Pos       { return v.At }
func (v *Neg) Pos() token.Pos         { return v.At }
func (v *Then) Pos() token.Pos        { return v.At }
func (v *ScheduleRef) Pos() token.Pos { return v.At }
func (v *DataField) Pos() token.Pos   { return v.At }
func (v *ModelCall) Pos() token.Pos   { return v.At }
func (v *Augmented) Pos() token.Pos   { return v.At }
func (v *StmtRef) Pos() token.Pos     { return v.At }
func (v *Input) Pos() token.Pos       { return v.At }
func (v *Selector) Pos() token.Pos    { return v.At }
