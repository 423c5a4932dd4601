package roux

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/roux-ml/roux/runtime/checkpoint"
	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/tensor"
)

// Tensor names in a checkpoint: weights by their path, masks under "mask/", optimizer
// state under "optim/PATH/SLOT", layer state (running statistics) under "state/".
const (
	maskPrefix  = "mask/"
	optimPrefix = "optim/"
	statePrefix = "state/"
)

// sessionState is the part of a checkpoint's Extra the session reads back.
type sessionState struct {
	Batcher    data.State            `json:"batcher"`
	ParamSteps float64               `json:"param_steps"`
	Masks      map[string]mask.State `json:"masks,omitempty"`
	Counts     map[string]int        `json:"optimizer_counts,omitempty"`
	Streams    map[string]data.State `json:"streams,omitempty"` // the loss's other data streams by name
}

// Save writes a checkpoint of everything a resumed run needs to continue bit for bit:
// weights, masks, optimizer state, clock, data position and random states.
func (s *Session) Save(dir string) error {
	c, err := s.checkpoint()
	if err != nil {
		return err
	}
	return checkpoint.Save(dir, c)
}

func (s *Session) checkpoint() (*checkpoint.Checkpoint, error) {
	if s.recipe.Procedure != nil {
		return nil, fmt.Errorf("checkpoints of runs with a procedure are not supported yet")
	}
	var ts []checkpoint.Tensor
	st := sessionState{Batcher: s.trainer.Batches.State(), ParamSteps: s.paramSteps, Masks: map[string]mask.State{}, Counts: map[string]int{}, Streams: map[string]data.State{}}
	for d, b := range s.streams {
		st.Streams[d.Name] = b.State()
	}
	for _, p := range s.weights.order {
		ts = append(ts, checkpoint.Tensor{Name: p.Name, Shape: p.Value.Shape, Data: p.Value.Data})
		ts = append(ts, slotTensors(s.optimizerOf(p), p, st.Counts)...)
	}
	for _, path := range s.weights.stateOf {
		t := s.weights.states[path]
		ts = append(ts, checkpoint.Tensor{Name: statePrefix + path, Shape: t.Shape, Data: t.Data})
	}
	for _, m := range s.masks {
		ms, err := m.State()
		if err != nil {
			return nil, err
		}
		st.Masks[m.Name] = ms
		for _, l := range m.Layers {
			ts = append(ts, checkpoint.Tensor{Name: maskPrefix + l.Param.Name, Shape: l.Param.Value.Shape, Data: l.Mask})
		}
	}
	extra, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	c := s.trainer.Clock
	return &checkpoint.Checkpoint{Tensors: ts, Meta: checkpoint.Meta{
		Recipe: string(s.recipe.Source), RecipeHash: s.recipe.Hash, Step: c.Step, Epoch: c.Step / max(c.StepsPerEpoch, 1),
		Seed: s.recipe.Train.Seed, Schedules: s.scheduleValues(), Metrics: s.lastMetrics,
		Extra: map[string]json.RawMessage{"session": extra}}}, nil
}

// scheduleValues is every schedule's value at the current step, for the sidecar.
func (s *Session) scheduleValues() map[string]float64 {
	out := map[string]float64{}
	for _, name := range s.ScheduleNames() {
		if sch, ok := s.Schedule(name); ok {
			out[name] = sch.At(s.trainer.Clock.Step)
		}
	}
	return out
}

// slotTensors returns the optimizer state of a parameter held by one optimizer.
func slotTensors(o optim.Optimizer, p *tensor.Param, counts map[string]int) []checkpoint.Tensor {
	var out []checkpoint.Tensor
	for _, sl := range o.Slots(p) {
		out = append(out, checkpoint.Tensor{Name: optimPrefix + p.Name + "/" + sl.Name, Shape: sl.Value.Shape, Data: sl.Value.Data})
	}
	if c, ok := o.(optim.Counter); ok {
		counts[p.Name] = c.Count(p)
	}
	return out
}

// DefaultCheckpointDir is where the periodic checkpoints of a recipe file go when no
// directory is given: checkpoints/NAME, NAME being the file's base name without extension.
func DefaultCheckpointDir(file string) string {
	return filepath.Join("checkpoints", strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
}

// checkpointDue saves a numbered checkpoint when the recipe's period has come, keeping the
// newest ones as the recipe says.
func (s *Session) checkpointDue() error {
	if s.ckptEvery == 0 || s.trainer.Clock.Step%s.ckptEvery != 0 {
		return nil
	}
	c, err := s.checkpoint()
	if err != nil {
		return err
	}
	_, err = checkpoint.SaveNumbered(s.ckptDir, c, s.recipe.Train.Keep)
	return err
}

// Load restores a checkpoint written by Save into this session. The checkpoint must come
// from the same recipe (its hash is compared) unless allowRecipeChange is set, in which
// case the weights, masks and optimizer state carry over to the new recipe.
//
// dir is a checkpoint, or a directory of numbered checkpoints (as a recipe's checkpoint
// setting writes them), of which the newest complete one is taken.
func (s *Session) Load(dir string, allowRecipeChange bool) error {
	c, err := loadCheckpoint(dir)
	if err != nil {
		return err
	}
	if c.Meta.RecipeHash != s.recipe.Hash && !allowRecipeChange {
		return fmt.Errorf("%s was written by another recipe (hash %.12s, this one %.12s); pass --allow-recipe-change to start this recipe from its weights and masks",
			dir, c.Meta.RecipeHash, s.recipe.Hash)
	}
	var st sessionState
	if err := json.Unmarshal(c.Meta.Extra["session"], &st); err != nil {
		return fmt.Errorf("%s: session state: %w", dir, err)
	}
	fresh, err := s.restoreTensors(c, allowRecipeChange)
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return s.restoreState(c, st, allowRecipeChange, fresh)
}

// restoreTensors copies every tensor into its weight, mask or slot, checking shapes and
// that no pruned weight is nonzero. With changes allowed, what the checkpoint lacks (a
// layer or mask the new recipe adds) keeps its fresh value; the masks that had no saved
// entries are returned, to be built on the restored weights.
func (s *Session) restoreTensors(c *checkpoint.Checkpoint, allowMissing bool) (fresh map[*mask.Mask]bool, err error) {
	r := restorer{c: c, allowMissing: allowMissing}
	for _, p := range s.weights.order {
		r.do(p.Name, p.Value.Shape, p.Value.Data)
		for _, sl := range s.optimizerOf(p).Slots(p) {
			r.do(optimPrefix+p.Name+"/"+sl.Name, sl.Value.Shape, sl.Value.Data)
		}
	}
	for _, path := range s.weights.stateOf {
		t := s.weights.states[path]
		r.do(statePrefix+path, t.Shape, t.Data)
	}
	fresh = map[*mask.Mask]bool{}
	for _, m := range s.masks {
		for _, l := range m.Layers {
			if !r.do(maskPrefix+l.Param.Name, l.Param.Value.Shape, l.Mask) {
				fresh[m] = true
			} else if r.err == nil {
				r.err = prunedAreZero(m, l)
			}
		}
	}
	return fresh, r.err
}

// restorer copies tensors out of a checkpoint, keeping the first error.
type restorer struct {
	c            *checkpoint.Checkpoint
	allowMissing bool
	err          error
}

// do copies the named tensor into dst and reports whether the checkpoint had it.
func (r *restorer) do(name string, shape []int, dst []float32) bool {
	if r.err != nil {
		return false
	}
	if r.c.Tensor(name) == nil && r.allowMissing {
		return false
	}
	r.err = restore(r.c, name, shape, dst)
	return r.err == nil
}

func restore(c *checkpoint.Checkpoint, name string, shape []int, dst []float32) error {
	t := c.Tensor(name)
	if t == nil {
		return fmt.Errorf("the checkpoint has no tensor %s", name)
	}
	if fmt.Sprint(t.Shape) != fmt.Sprint(shape) {
		return fmt.Errorf("%s has shape %v in the checkpoint but %v in the recipe", name, t.Shape, shape)
	}
	copy(dst, t.Data)
	return nil
}

// prunedAreZero reports a checkpoint whose mask and weights disagree under the zero rule.
func prunedAreZero(m *mask.Mask, l *mask.Layer) error {
	if m.Pruned.Rule != "zero" {
		return nil
	}
	for i, k := range l.Mask {
		if k == 0 && l.Param.Value.Data[i] != 0 {
			return fmt.Errorf("mask %s: %s[%d] is pruned but holds %g in the checkpoint", m.Name, l.Param.Name, i, l.Param.Value.Data[i])
		}
	}
	return nil
}

// setDataState moves every data stream to its saved position.
func (s *Session) setDataState(st sessionState) error {
	if err := s.trainer.Batches.SetState(st.Batcher); err != nil {
		return err
	}
	for d, b := range s.streams {
		if err := b.SetState(st.Streams[d.Name]); err != nil {
			return err
		}
	}
	return nil
}

// restoreState restores the clock, the data position, N̄'s sum, the masks' states and
// the optimizer's step counts; masks new to the recipe start over on the restored weights.
func (s *Session) restoreState(c *checkpoint.Checkpoint, st sessionState, changed bool, fresh map[*mask.Mask]bool) error {
	if !changed {
		s.trainer.Clock.Step, s.paramSteps = c.Meta.Step, st.ParamSteps
		if err := s.setDataState(st); err != nil {
			return err
		}
	}
	for _, m := range s.masks {
		ms, ok := st.Masks[m.Name]
		var err error
		switch {
		case fresh[m]:
			err = m.Restart(s.trainer.Clock.Step)
		case ok:
			err = m.SetState(ms, s.trainer.Clock.Step)
		}
		if err != nil {
			return err
		}
	}
	for _, g := range s.trainer.Update.Groups {
		if ctr, ok := g.Opt.(optim.Counter); ok {
			for _, p := range g.Params {
				ctr.SetCount(p, st.Counts[p.Name])
			}
		}
	}
	return nil
}

// optimizerOf returns the optimizer that updates a parameter (weight decay may split the
// parameters into two groups).
func (s *Session) optimizerOf(p *tensor.Param) optim.Optimizer {
	for _, g := range s.trainer.Update.Groups {
		if slices.Contains(g.Params, p) {
			return g.Opt
		}
	}
	return nil
}

// loadCheckpoint reads a checkpoint directory, or the newest complete checkpoint below a
// directory of numbered ones.
func loadCheckpoint(dir string) (*checkpoint.Checkpoint, error) {
	if _, err := os.Stat(filepath.Join(dir, checkpoint.MetaFile)); err == nil {
		return checkpoint.Load(dir)
	}
	c, _, err := checkpoint.Latest(dir)
	return c, err
}
