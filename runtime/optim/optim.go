package optim

import "github.com/roux-ml/roux/runtime/tensor"

// Optimizer updates parameters from their gradients (Param.Grad holds the gradient of the
// last backward pass).
type Optimizer interface {
	// Step applies one update to every parameter, in slice order, with learning rate lr.
	// Parameters whose Grad is nil are skipped, as PyTorch skips parameters without a gradient.
	Step(params []*tensor.Param, lr float32)
	// Slots returns the optimizer state of one parameter (momentum buffer, Adam moments), in a
	// fixed order with names, so checkpoints can save it and masks can zero it. Every slot has
	// the shape of the parameter. The state is allocated (zeroed) on the first call if Step has
	// not seen the parameter yet. The returned slice belongs to the optimizer: read it, write
	// into the tensors, but do not modify the slice.
	Slots(p *tensor.Param) []Slot
}

// PartStepper is an optimizer whose update can be shared out between cores by parts
// of every parameter (SGD; data-parallel training uses it).
type PartStepper interface {
	Optimizer
	// Ranged reports whether StepPart can update params, readying their state.
	Ranged(params []*tensor.Param) bool
	// StepPart updates entries PartRange(len, part, parts) of every parameter as Step
	// would; calls for different parts may run at once.
	StepPart(params []*tensor.Param, lr float32, part, parts int)
}

// PartRange returns part part of parts of n entries, [lo, hi): near-equal ranges that
// start on multiples of 16, so that every range but the last runs whole AVX-512 blocks.
func PartRange(n, part, parts int) (lo, hi int) {
	lo, hi = n*part/parts&^15, n*(part+1)/parts&^15
	if part == parts-1 {
		hi = n
	}
	return lo, hi
}

// Slot is one named piece of per-parameter optimizer state, shaped like the parameter.
type Slot struct {
	Name  string // "momentum", "m" or "v"
	Value *tensor.Tensor
}

// Counter is implemented by optimizers whose update depends on how many steps each parameter
// has taken (Adam's bias correction). A checkpoint saves Count next to the slots and restores
// it with SetCount, so that a resumed run continues the uninterrupted trajectory.
type Counter interface {
	// Count returns the number of updates p has received.
	Count(p *tensor.Param) int
	// SetCount sets the number of updates p has received.
	SetCount(p *tensor.Param, n int)
}

// zeroLike allocates a zeroed tensor with the shape of p's value.
func zeroLike(p *tensor.Param) *tensor.Tensor {
	return tensor.New(p.Value.Shape...)
}
