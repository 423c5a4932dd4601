package train

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// Compiled is a program for one batch size with the inputs a step feeds.
type Compiled struct {
	Prog    *graph.Program
	X, Y    *tensor.Tensor // the data inputs; Y is nil for unlabelled data
	Loss    *graph.Node
	Logits  *graph.Node // the model output accuracy is measured on; may be nil
	Scalars []Scalar    // schedule values fed every step
}

// Scalar is a schedule whose value is fed into a program input every step.
type Scalar struct {
	Input    *tensor.Tensor
	Schedule schedule.Schedule
}

// Group is a set of parameters updated by one optimizer.
type Group struct {
	Opt    optim.Optimizer
	Params []*tensor.Param
}

// Update is how parameters change after each backward pass.
type Update struct {
	Groups   []Group
	LR       schedule.Schedule
	ClipNorm float32         // 0: no clipping
	Set      func(step int)  // applies scheduled optimizer settings; may be nil
	Params   []*tensor.Param // every trained parameter, for clipping
}

// Hook is run around every step, for example by sparsity masks: AfterBackward turns
// the program's gradients into the gradients the optimizer applies, AfterUpdate runs
// once the step's update is done (step counts completed steps).
type Hook interface {
	AfterBackward()
	AfterUpdate(step int) error
}

// Trainer runs training steps over one data stream.
type Trainer struct {
	Clock   schedule.Clock
	Batches *data.Batcher
	// Program returns the training program for a batch of n rows (compiled once per n).
	Program func(n int) (*Compiled, error)
	Update  Update
	Seed    uint64
	Hooks   []Hook

	lastLoss float64
}

// Step runs one optimizer step on the next batch and returns its loss.
func (t *Trainer) Step() (float64, error) {
	n, ok := t.Batches.Next()
	if !ok {
		if n, ok = t.Batches.Next(); !ok {
			return 0, fmt.Errorf("the training data yields no batch")
		}
	}
	c, err := t.Program(n)
	if err != nil {
		return 0, err
	}
	feed(c, t.Batches, t.Clock.Step)
	c.Prog.SetTraining(true)
	c.Prog.Seed(t.Seed ^ uint64(t.Clock.Step+1)*0x9E3779B97F4A7C15)
	if err := c.Prog.Run(); err != nil {
		return 0, fmt.Errorf("step %d: %w", t.Clock.Step+1, err)
	}
	for _, h := range t.Hooks {
		h.AfterBackward()
	}
	t.apply()
	t.Clock.Step++
	for _, h := range t.Hooks {
		if err := h.AfterUpdate(t.Clock.Step); err != nil {
			return 0, fmt.Errorf("step %d: %w", t.Clock.Step, err)
		}
	}
	t.lastLoss = float64(c.Prog.Value(c.Loss).Data[0])
	return t.lastLoss, nil
}

// apply clips the gradients and runs the optimizers with this step's learning rate.
func (t *Trainer) apply() {
	u := &t.Update
	if u.ClipNorm > 0 {
		optim.ClipGlobalNorm(u.Params, u.ClipNorm)
	}
	if u.Set != nil {
		u.Set(t.Clock.Step)
	}
	lr := float32(u.LR.At(t.Clock.Step))
	for _, g := range u.Groups {
		g.Opt.Step(g.Params, lr)
	}
}

// LR is the learning rate of the next step.
func (t *Trainer) LR() float64 { return t.Update.LR.At(t.Clock.Step) }

// feed copies a batch and this step's scalar values into a program's inputs.
func feed(c *Compiled, b *data.Batcher, step int) {
	copy(c.X.Data, b.X())
	if c.Y != nil {
		copy(c.Y.Data, b.Y())
	}
	for _, s := range c.Scalars {
		s.Input.Data[0] = float32(s.Schedule.At(step))
	}
}

// Metrics are the results of one evaluation, by metric name.
type Metrics map[string]float64

// Evaluate runs a forward program over a whole data set, in order, and returns the
// mean loss and the accuracy of the logits against the labels.
func Evaluate(d *data.Dataset, batch int, step int, program func(n int) (*Compiled, error)) (Metrics, error) {
	b := data.NewBatcher(d, batch, false, 0)
	var lossSum float64
	correct, seen := 0, 0
	for n, ok := b.Next(); ok; n, ok = b.Next() {
		c, err := program(n)
		if err != nil {
			return nil, err
		}
		feed(c, b, step)
		c.Prog.SetTraining(false)
		if err := c.Prog.Run(); err != nil {
			return nil, fmt.Errorf("evaluating on %s: %w", d.Name, err)
		}
		lossSum += float64(c.Prog.Value(c.Loss).Data[0]) * float64(n)
		if c.Logits != nil && c.Y != nil {
			correct += countCorrect(c.Prog.Value(c.Logits), c.Y.Data[:n])
		}
		seen += n
	}
	if seen == 0 {
		return nil, fmt.Errorf("evaluating on %s: the data set is empty", d.Name)
	}
	m := Metrics{"loss": lossSum / float64(seen)}
	if d.Classes > 0 {
		m["accuracy"] = float64(correct) / float64(seen)
	}
	return m, nil
}

// countCorrect counts rows whose largest logit is at the label's column.
func countCorrect(logits *tensor.Tensor, labels []float32) int {
	k := logits.Shape[len(logits.Shape)-1]
	correct := 0
	for i, y := range labels {
		row := logits.Data[i*k : (i+1)*k]
		best, arg := float32(math.Inf(-1)), 0
		for j, v := range row {
			if v > best {
				best, arg = v, j
			}
		}
		if arg == int(y) {
			correct++
		}
	}
	return correct
}
