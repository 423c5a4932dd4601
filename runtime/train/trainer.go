package train

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/kernels"
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
	// Before, when set, fills the program's other inputs (more data streams,
	// augmentations, per-sample state) after the batch is fed; After runs after a
	// training run, before the update (it stores per-sample state).
	Before func(step int) error
	After  func()
	// Share, in a replica's program, is fed the replica's share of the batch's rows; the
	// program multiplies its loss by it (nil in other programs).
	Share *tensor.Tensor
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

// PartHook is a Hook whose AfterBackward works entry by entry: a data-parallel step
// whose cores each sum and update their own part of every gradient runs it on each
// part in between (AfterBackwardPart, with the parts of optim.PartRange).
type PartHook interface {
	Hook
	AfterBackwardPart(part, parts int)
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
	// Replicas, when set, makes every step data-parallel; Program is then not used.
	Replicas *Replicas

	lastLoss float64
	runs     []replicaRun
	fork     kernels.Fork
	replicas replicaItems
	parts    partItems
}

// Replicas is data-parallel training. Every step's batch is cut into N shares of
// near-equal size, and replica r's program runs share r on its own goroutine, at the
// same time as the others. The programs compute with the same weight values, and each
// writes its own gradients, which are summed into the parameters' before the update.
// A replica's program multiplies its loss by its share of the batch (Compiled.Share),
// so the sum is the gradient of the whole batch's mean loss, and the programs' losses
// sum to that loss. The replicas run under a kernels.Fork, which keeps each one's
// kernels on its own core. A replica's After runs once all have run, so the
// statistics a program reports are averaged over the replicas; a replica's program
// must keep no per-sample state, which After would store by the whole batch's rows.
type Replicas struct {
	N int
	// Program returns replica r's training program for a share of n rows.
	Program func(r, n int) (*Compiled, error)
	// Params are the parameters the programs compute with: Update.Params, or in their
	// place the tensors the hooks turn into their gradients (a masked weight's
	// effective weight). Replica 0 writes their gradients; Grads[r][i] is the one
	// replica r ≥ 1 writes for Params[i] (Grads[0] is unused). The sum is taken before
	// the hooks run.
	Params []*tensor.Param
	Grads  [][]*tensor.Tensor
}

// replicaRun is one replica's part of the current step: its program, its rows of the
// batch and how its run ended.
type replicaRun struct {
	c      *Compiled
	lo, hi int
	err    error
}

// Step runs one optimizer step on the next batch and returns its loss.
func (t *Trainer) Step() (float64, error) {
	n, ok := t.Batches.Next()
	if !ok {
		if n, ok = t.Batches.Next(); !ok {
			return 0, fmt.Errorf("the training data yields no batch")
		}
	}
	if t.Replicas != nil {
		return t.stepReplicas(n)
	}
	c, err := t.Program(n)
	if err != nil {
		return 0, err
	}
	feed(c, t.Batches, t.Clock.Step)
	if c.Before != nil {
		if err := c.Before(t.Clock.Step); err != nil {
			return 0, fmt.Errorf("step %d: %w", t.Clock.Step+1, err)
		}
	}
	c.Prog.SetTraining(true)
	c.Prog.Seed(t.stepSeed())
	if err := c.Prog.Run(); err != nil {
		return 0, fmt.Errorf("step %d: %w", t.Clock.Step+1, err)
	}
	if c.After != nil {
		c.After()
	}
	return t.update(t.apply, func() float64 { return float64(c.Prog.Value(c.Loss).Data[0]) })
}

// update ends a step whose gradients are computed: the update apply makes (the
// hooks' AfterBackward included), the clock, and the hooks' AfterUpdate. loss reads
// the step's loss once the hooks have run.
func (t *Trainer) update(apply func(), loss func() float64) (float64, error) {
	apply()
	t.Clock.Step++
	for _, h := range t.Hooks {
		if err := h.AfterUpdate(t.Clock.Step); err != nil {
			return 0, fmt.Errorf("step %d: %w", t.Clock.Step, err)
		}
	}
	t.lastLoss = loss()
	return t.lastLoss, nil
}

// stepReplicas runs a data-parallel step on the current batch of n rows.
func (t *Trainer) stepReplicas(n int) (float64, error) {
	rp := t.Replicas
	if len(t.runs) != rp.N {
		t.runs = make([]replicaRun, rp.N)
	}
	for r := range t.runs {
		run := &t.runs[r]
		run.c, run.lo, run.hi, run.err = nil, r*n/rp.N, (r+1)*n/rp.N, nil
		if run.hi == run.lo {
			continue
		}
		c, err := rp.Program(r, run.hi-run.lo)
		if err != nil {
			return 0, err
		}
		run.c = c
	}
	t.replicas = replicaItems{t: t, n: n}
	t.fork.Run(rp.N, &t.replicas)
	for _, run := range t.runs {
		if run.c != nil && run.err != nil {
			return 0, fmt.Errorf("step %d: %w", t.Clock.Step+1, run.err)
		}
	}
	for _, run := range t.runs {
		if run.c != nil && run.c.After != nil {
			run.c.After() // one after another: each adds its replica's statistics
		}
	}
	apply := t.apply
	if t.byParts() {
		apply = t.applyParts
	} else {
		t.sumGrads()
	}
	return t.update(apply, func() float64 {
		loss := 0.0 // each replica's loss is already weighted by its share
		for _, run := range t.runs {
			if run.c != nil {
				loss += float64(run.c.Prog.Value(run.c.Loss).Data[0])
			}
		}
		return loss
	})
}

// byParts reports whether each core can sum and update its own part of every
// parameter (applyParts), so that the sum it writes is the one it reads: every
// optimizer must update by parts, every hook must turn gradients into the optimizer's
// entry by entry (PartHook), and nothing may need the whole sum before the update
// (clipping).
func (t *Trainer) byParts() bool {
	u := &t.Update
	parts := u.ClipNorm == 0
	for _, h := range t.Hooks {
		_, ok := h.(PartHook)
		parts = parts && ok
	}
	for _, g := range u.Groups {
		ps, ok := g.Opt.(optim.PartStepper)
		parts = parts && ok && ps.Ranged(g.Params)
	}
	return parts
}

// sumGrads adds the replicas' gradients into the parameters', before the hooks and the
// update see them.
func (t *Trainer) sumGrads() {
	rp := t.Replicas
	for r := 1; r < rp.N; r++ {
		if t.runs[r].c != nil {
			for i, p := range rp.Params {
				kernels.Accumulate(p.Grad.Data, rp.Grads[r][i].Data)
			}
		}
	}
}

// applyParts sums the replicas' gradients, runs the hooks' AfterBackwardPart and
// updates the weights, each core its own part of every parameter.
func (t *Trainer) applyParts() {
	t.parts = partItems{t: t, lr: t.rates()}
	t.fork.Run(t.Replicas.N, &t.parts)
}

// replicaItems runs the replicas of a step on a batch of n rows, one item each.
type replicaItems struct {
	t *Trainer
	n int
}

func (it *replicaItems) Item(r int) {
	if it.t.runs[r].c != nil {
		it.t.runReplica(r, it.n)
	}
}

// partItems sums the replicas' gradients and updates the weights with learning rate
// lr, part by part of every parameter (optim.PartRange), one part per item.
type partItems struct {
	t  *Trainer
	lr float32
}

func (it *partItems) Item(part int) {
	t, u, rp := it.t, &it.t.Update, it.t.Replicas
	for i, p := range rp.Params {
		lo, hi := optim.PartRange(len(p.Grad.Data), part, rp.N)
		sum := p.Grad.Data[lo:hi]
		for r := 1; r < rp.N; r++ {
			if t.runs[r].c != nil {
				kernels.Add(sum, sum, rp.Grads[r][i].Data[lo:hi])
			}
		}
	}
	for _, h := range t.Hooks {
		h.(PartHook).AfterBackwardPart(part, rp.N)
	}
	for _, g := range u.Groups {
		g.Opt.(optim.PartStepper).StepPart(g.Params, it.lr, part, rp.N)
	}
}

// runReplica feeds replica r its rows of the current batch of n rows, gathering them
// from the data set itself, runs it, and asks for its share of the next batch.
func (t *Trainer) runReplica(r, n int) {
	run := &t.runs[r]
	c, step := run.c, t.Clock.Step
	transposed := c.Prog.FeedTransposed(c.X, func(xt []float32, ld int) { t.Batches.GatherTRows(xt, ld, run.lo, run.hi) })
	if !transposed {
		t.Batches.XRows(c.X.Data, run.lo, run.hi)
	}
	if c.Y != nil {
		copy(c.Y.Data, t.Batches.Y()[run.lo:run.hi])
	}
	feedScalars(c, step)
	c.Share.Data[0] = float32(run.hi-run.lo) / float32(n)
	c.Prog.SetTraining(true)
	c.Prog.Seed(t.stepSeed() ^ uint64(r)*0xBF58476D1CE4E5B9)
	run.err = c.Prog.Run()
	b := t.Batches.BatchSize()
	t.Batches.PrefetchNextRows(transposed, r*b/t.Replicas.N, (r+1)*b/t.Replicas.N)
}

// apply runs the hooks' AfterBackward, clips the gradients and runs the optimizers
// with this step's learning rate.
func (t *Trainer) apply() {
	for _, h := range t.Hooks {
		h.AfterBackward()
	}
	u := &t.Update
	if u.ClipNorm > 0 {
		optim.ClipGlobalNorm(u.Params, u.ClipNorm)
	}
	lr := t.rates()
	for _, g := range u.Groups {
		g.Opt.Step(g.Params, lr)
	}
}

// rates applies this step's scheduled optimizer settings and returns its learning
// rate.
func (t *Trainer) rates() float32 {
	u := &t.Update
	if u.Set != nil {
		u.Set(t.Clock.Step)
	}
	return float32(u.LR.At(t.Clock.Step))
}

// stepSeed is the seed of this step's random ops (dropout, noise).
func (t *Trainer) stepSeed() uint64 { return t.Seed ^ uint64(t.Clock.Step+1)*0x9E3779B97F4A7C15 }

// LR is the learning rate of the next step.
func (t *Trainer) LR() float64 { return t.Update.LR.At(t.Clock.Step) }

// feed copies a batch and this step's scalar values into a program's inputs. A batch
// only compact layers read is gathered straight into their transposed layout, unless
// Before may read the program's x.
func feed(c *Compiled, b *data.Batcher, step int) {
	if c.Before != nil || !c.Prog.FeedTransposed(c.X, b.GatherT) {
		copy(c.X.Data, b.X())
	}
	if c.Y != nil {
		copy(c.Y.Data, b.Y())
	}
	feedScalars(c, step)
}

// feedScalars feeds a program this step's values of its schedules.
func feedScalars(c *Compiled, step int) {
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
	var noise noiseCounts
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
			logits := c.Prog.Value(c.Logits)
			correct += countCorrect(logits, c.Y.Data[:n])
			noise.add(d, logits, seen, n)
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
	if d.TrueY != nil {
		m["clean_accuracy"] = float64(noise.clean) / float64(seen)
		m["memorized"] = float64(noise.memorized) / float64(max(noise.corrupted, 1))
	}
	return m, nil
}

// noiseCounts tells learning from memorising on a data set with corrupted labels.
type noiseCounts struct {
	clean     int // predictions equal to the true label
	corrupted int // samples whose label was corrupted
	memorized int // corrupted samples predicted as their corrupted label
}

// add counts rows [first, first+n) of d, whose logits are given.
func (c *noiseCounts) add(d *data.Dataset, logits *tensor.Tensor, first, n int) {
	if d.TrueY == nil {
		return
	}
	for i := range n {
		pred := int32(argmax(logits, i))
		row := first + i
		if pred == d.TrueY[row] {
			c.clean++
		}
		if d.Corrupted(row) {
			c.corrupted++
			if pred == d.Y[row] {
				c.memorized++
			}
		}
	}
}

// countCorrect counts rows whose largest logit is at the label's column.
func countCorrect(logits *tensor.Tensor, labels []float32) int {
	correct := 0
	for i, y := range labels {
		if argmax(logits, i) == int(y) {
			correct++
		}
	}
	return correct
}

// argmax is the column of row i's largest logit (the first, on ties).
func argmax(logits *tensor.Tensor, i int) int {
	k := logits.Shape[len(logits.Shape)-1]
	best, arg := float32(math.Inf(-1)), 0
	for j, v := range logits.Data[i*k : (i+1)*k] {
		if v > best {
			best, arg = v, j
		}
	}
	return arg
}
