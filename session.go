package roux

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
	"github.com/roux-ml/roux/runtime/train"
	"github.com/roux-ml/roux/stdlib"
)

// Options configure a session.
type Options struct {
	// Log receives notices such as a data set being fetched; nil means silence.
	Log io.Writer
	// CheckpointDir is where a recipe that says checkpoint = ... writes its numbered
	// checkpoints (DIR/step-000000123); such a recipe needs one.
	CheckpointDir string
}

// Session is a recipe being trained: its data, weights, programs and clock.
type Session struct {
	recipe        *Recipe
	data          map[*check.Data]*data.Dataset
	weights       *weights
	trainer       *train.Trainer
	trainProgs    map[int]*train.Compiled
	evalProgs     map[int]*train.Compiled
	stepsPerEpoch int
	totalSteps    int
	layers        map[string]*mask.Layer // masked weights by path
	masks         []*mask.Mask
	paramSteps    float64                       // Σ over completed steps of the parameters in use, for N̄
	snapshots     map[string][]*tensor.Tensor   // saved weights, for rewinding
	slotCache     map[*tensor.Param][][]float32 // optimizer slot lists of masked weights
	ckptDir       string                        // where numbered checkpoints go
	ckptEvery     int                           // steps between checkpoints; 0: none
	lastMetrics   map[string]float64            // the last evaluation, as "data metric", for checkpoints
	phase         string                        // names a soup ingredient in evaluations
	streams       map[*check.Data]*data.Batcher // the loss's other data streams
	sampleStates  map[string]*check.Data        // per-sample state paths and the data set they index
	stateViews    map[string]stateView          // named readings of per-sample state, by state path
	stats         *stats
	shadows       map[string]*shadow // mean-teacher weights by path
	shared        map[string]any     // objects layers keep across programs, by path
	shadowOrder   []*shadow
	replicas      *replicas // data-parallel training, or nil
}

// EvalResult is one evaluation of one data set.
type EvalResult struct {
	Data      string
	Step      int
	Epoch     float64
	LR        float64
	Metrics   train.Metrics
	Sparsity  float64 // share of masked weights pruned; 0 without masks
	AvgParams float64 // N̄, the average number of parameters in use so far
	Phase     string  // "ingredient 2/3" or "soup" inside a soup; empty otherwise
	// Train holds training statistics of a loss mixture averaged over the steps since
	// the previous evaluation (mask_ratio, tsa_threshold, adawac_beta0, ...) and, on data
	// with label noise, per-sample state by group (loss.adawac.beta0 clean/corrupted).
	Train map[string]float64
}

// NewSession loads the recipe's data, creates its weights and compiles its programs.
func NewSession(r *Recipe, opts Options) (*Session, error) {
	s := &Session{recipe: r, data: map[*check.Data]*data.Dataset{},
		weights:    &weights{seed: r.Train.Seed, byPath: map[string]*tensor.Param{}, states: map[string]*tensor.Tensor{}},
		trainProgs: map[int]*train.Compiled{}, evalProgs: map[int]*train.Compiled{}, layers: map[string]*mask.Layer{}, snapshots: map[string][]*tensor.Tensor{}, slotCache: map[*tensor.Param][][]float32{},
		sampleStates: map[string]*check.Data{}, stateViews: map[string]stateView{}, stats: &stats{sum: map[string]float64{}, n: map[string]int{}}, shadows: map[string]*shadow{}, shared: map[string]any{}}
	if err := s.loadData(opts); err != nil {
		return nil, err
	}
	tr := r.Train
	b := data.NewBatcher(s.data[r.Stream], r.DrawSize(r.Stream), true, tr.Seed)
	b.DropLast = tr.DropLast
	s.buildStreams()
	s.stepsPerEpoch = b.StepsPerEpoch()
	s.totalSteps = s.stepsPerEpoch * tr.Epochs
	if r.Procedure != nil {
		s.totalSteps = check.ProcedureSteps(r.Procedure, s.stepsPerEpoch)
	}
	s.trainer = &train.Trainer{Batches: b, Program: s.trainProgram, Seed: tr.Seed,
		Clock: schedule.Clock{StepsPerEpoch: s.stepsPerEpoch, TotalSteps: s.totalSteps}}
	if _, err := s.trainProgram(r.DrawSize(r.Stream)); err != nil {
		return nil, err
	}
	s.trainer.Update = s.update()
	if err := s.buildMasks(); err != nil {
		return nil, err
	}
	if tr.DataParallel > 1 {
		s.replicas = newReplicas(s.computedParams(), tr.DataParallel)
		s.trainer.Replicas = &train.Replicas{N: tr.DataParallel, Program: s.replicaProgram,
			Params: s.replicas.params, Grads: s.replicas.grads}
	}
	s.buildRegularizers()
	if len(s.shadowOrder) > 0 {
		s.trainer.Hooks = append(s.trainer.Hooks, teacherHook{s})
	}
	if every := tr.Checkpoint; every.Amount > 0 {
		if opts.CheckpointDir == "" {
			return nil, fmt.Errorf("%s: the recipe saves a checkpoint every %s, but no checkpoint directory was given (roux run --checkpoint-dir DIR)", tr.Pos, every)
		}
		s.ckptDir, s.ckptEvery = opts.CheckpointDir, max(s.steps(every), 1)
	}
	return s, nil
}

// loadData loads the training stream and every evaluated data set.
func (s *Session) loadData(opts Options) error {
	env := stdlib.Env{Log: opts.Log}
	need := slices.Clone(s.recipe.Streams)
	for _, e := range s.recipe.Train.Evals {
		need = append(need, e.Data...)
	}
	for _, d := range need {
		if s.data[d] != nil {
			continue
		}
		ds, err := s.loadCall(d.Call, env)
		if err != nil {
			return fmt.Errorf("%s: data %s: %w", d.Pos, d.Name, err)
		}
		ds.Name = d.Name
		s.data[d] = ds
	}
	return nil
}

// loadCall loads a data entry, or the data set a chain of transforms makes from one.
func (s *Session) loadCall(c *check.Call, env stdlib.Env) (*data.Dataset, error) {
	e, _ := stdlib.Default.Entry(c.Sig.Name)
	if e.Derive == nil {
		return e.Load(s.args(c), env)
	}
	in, err := s.loadCall(c.Args[0].(*check.Call), env)
	if err != nil {
		return nil, err
	}
	return e.Derive(in, s.args(c))
}

func (s *Session) trainProgram(n int) (*train.Compiled, error) {
	return cached(s.trainProgs, n, func() (*train.Compiled, error) { return s.compile(n, true) })
}

func (s *Session) evalProgram(n int) (*train.Compiled, error) {
	return cached(s.evalProgs, n, func() (*train.Compiled, error) { return s.compile(n, false) })
}

func cached(m map[int]*train.Compiled, n int, build func() (*train.Compiled, error)) (*train.Compiled, error) {
	if c, ok := m[n]; ok {
		return c, nil
	}
	c, err := build()
	if err == nil {
		m[n] = c
	}
	return c, err
}

// update builds the optimizer: one group, or two when weight decay has a selector.
func (s *Session) update() train.Update {
	e, _ := stdlib.Default.Entry(s.recipe.Optimizer.Sig.Name)
	o := e.Optimizer(s.args(s.recipe.Optimizer))
	params := s.weights.order
	u := train.Update{LR: o.LR, ClipNorm: float32(o.ClipNorm), Set: o.Set, Params: params}
	if o.NoDecay == nil {
		u.Groups = []train.Group{{Opt: o.Update, Params: params}}
		return u
	}
	var decayed, rest []*tensor.Param
	for _, p := range params {
		if slices.Contains(o.DecayOn, p.Name) {
			decayed = append(decayed, p)
		} else {
			rest = append(rest, p)
		}
	}
	u.Groups = []train.Group{{Opt: o.Update, Params: decayed}, {Opt: o.NoDecay, Params: rest}}
	return u
}

// Step runs one optimizer step and returns its loss.
func (s *Session) Step() (float64, error) {
	loss, err := s.trainer.Step()
	if err == nil {
		s.paramSteps += float64(s.activeParams())
	}
	return loss, err
}

// Clock is where training is.
func (s *Session) Clock() schedule.Clock { return s.trainer.Clock }

// LR is the learning rate of the next step.
func (s *Session) LR() float64 { return s.trainer.LR() }

// Done reports whether the planned number of steps has run.
func (s *Session) Done() bool { return s.trainer.Clock.Step >= s.totalSteps }

// Params returns every trainable tensor in creation order.
func (s *Session) Params() []*tensor.Param { return s.weights.order }

// Param returns a trainable tensor by path, like net.h1.weight, or nil.
func (s *Session) Param(path string) *tensor.Param { return s.weights.byPath[path] }

// Recipe is the recipe the session runs.
func (s *Session) Recipe() *Recipe { return s.recipe }

// Hooks are called while training; any may be nil.
type Hooks struct {
	AfterStep func(step int, loss float64)
	AfterEval func(r EvalResult)
}

// Train runs the remaining steps, or the recipe's procedure, evaluating as the recipe's
// eval commands say and once more at the end. It stops early, with ctx's error, when ctx
// is cancelled. A procedure runs once, from the start.
func (s *Session) Train(ctx context.Context, h Hooks) error {
	if s.recipe.Procedure == nil {
		return s.trainSteps(ctx, h, s.totalSteps-s.trainer.Clock.Step)
	}
	if s.trainer.Clock.Step > 0 {
		return fmt.Errorf("the procedure has already run (step %d); a procedure runs once, from the start", s.trainer.Clock.Step)
	}
	return s.runProcedure(ctx, h, s.recipe.Procedure)
}

// trainSteps runs n steps, evaluating when due.
func (s *Session) trainSteps(ctx context.Context, h Hooks, n int) error {
	for range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		loss, err := s.Step()
		if err != nil {
			return err
		}
		if h.AfterStep != nil {
			h.AfterStep(s.trainer.Clock.Step, loss)
		}
		if err := s.evalsDue(h, s.Done()); err != nil {
			return err
		}
		if err := s.checkpointDue(); err != nil {
			return err
		}
	}
	return nil
}

// evalsDue runs the eval commands whose period has come, or all of them at the end.
func (s *Session) evalsDue(h Hooks, final bool) error {
	step := s.trainer.Clock.Step
	for _, e := range s.recipe.Train.Evals {
		every := int(e.Every.Amount)
		if e.Every.Unit == "epochs" {
			every *= s.stepsPerEpoch
		}
		if !final && step%every != 0 {
			continue
		}
		if err := s.evalSets(e.Data, h); err != nil {
			return err
		}
	}
	return nil
}

func (s *Session) evalSets(sets []*check.Data, h Hooks) error {
	for _, d := range sets {
		r, err := s.Evaluate(d.Name)
		if err != nil {
			return err
		}
		if h.AfterEval != nil {
			h.AfterEval(r)
		}
	}
	return nil
}

// Eval evaluates every data set named by the recipe's eval commands.
func (s *Session) Eval() ([]EvalResult, error) {
	var out []EvalResult
	err := s.evalAll(Hooks{AfterEval: func(r EvalResult) { out = append(out, r) }}, s.phase)
	return out, err
}

// evalAll evaluates every data set of the eval commands, naming the phase.
func (s *Session) evalAll(h Hooks, phase string) error {
	saved := s.phase
	s.phase = phase
	defer func() { s.phase = saved }()
	for _, e := range s.recipe.Train.Evals {
		if err := s.evalSets(e.Data, h); err != nil {
			return err
		}
	}
	return nil
}

// Evaluate computes the loss and accuracy on a declared data set.
func (s *Session) Evaluate(name string) (EvalResult, error) {
	var d *check.Data
	for _, x := range s.recipe.Data {
		if x.Name == name {
			d = x
		}
	}
	ds := s.data[d]
	if ds == nil {
		return EvalResult{}, fmt.Errorf("no loaded data set named %s", name)
	}
	c := s.trainer.Clock
	m, err := train.Evaluate(ds, s.recipe.Train.EvalBatch, c.Step, s.evalProgram)
	if err != nil {
		return EvalResult{}, err
	}
	if s.lastMetrics == nil {
		s.lastMetrics = map[string]float64{}
	}
	for k, v := range m {
		s.lastMetrics[name+" "+k] = v
	}
	st := s.stats.means()
	maps.Copy(st, s.stateByGroup())
	if len(st) == 0 {
		st = nil
	}
	return EvalResult{Data: name, Step: c.Step, Epoch: c.Epoch(), LR: s.LR(), Metrics: m,
		Sparsity: s.overallSparsity(), AvgParams: s.AvgParams(), Phase: s.phase, Train: st}, nil
}
