package stdlib

import (
	"fmt"
	"sort"
	"sync"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/augment"
	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/regularize"
	"github.com/roux-ml/roux/runtime/schedule"
)

// Entry is one catalogue entry: the signature the checker sees and the implementation
// for its kind (exactly one of the function fields is set).
type Entry struct {
	sig.Signature
	// Build emits a Layer, Op or Loss into a graph; in holds the tensor arguments in the
	// order of the Tensor and Labels parameters.
	Build func(b *Builder, in []*graph.Node, a Args) *graph.Node
	// Schedule builds a Schedule entry.
	Schedule func(a Args) schedule.Schedule
	// Optimizer builds an Optimizer entry with its per-step settings.
	Optimizer func(a Args) *Optimizer
	// Load loads a Data entry.
	Load func(a Args, env Env) (*data.Dataset, error)
	// Derive makes a data transform's data set from its loaded input.
	Derive func(in *data.Dataset, a Args) (*data.Dataset, error)
	// Augment builds an augmentation.
	Augment func(a Args) augment.Op
	// Regularize builds a penalty on weights.
	Regularize func(a Args) regularize.Penalty
	// Mask builds a mask setting (init, criterion, regrow or pruned rule): a value of
	// mask.Init, mask.Criterion, mask.Regrow or mask.Pruned.
	Mask func(a Args) any
}

// Registry is a set of entries by name; it implements sig.Catalog.
type Registry struct {
	mu      sync.RWMutex
	entries map[string]*Entry
}

// Default is the registry every built-in adds itself to.
var Default = &Registry{entries: map[string]*Entry{}}

// Register adds an entry to the default registry; a second entry with the same name is an error.
func Register(e *Entry) error { return Default.Register(e) }

// Register adds an entry; its signature must be complete for its kind.
func (r *Registry) Register(e *Entry) error {
	if err := validate(e); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.entries[e.Name]; dup {
		return fmt.Errorf("stdlib: %s is registered twice", e.Name)
	}
	r.entries[e.Name] = e
	return nil
}

// mustRegister registers a built-in; a broken built-in is a programming error.
func mustRegister(e *Entry) {
	if err := Register(e); err != nil {
		panic(err)
	}
}

// validate checks that an entry has what its kind needs.
func validate(e *Entry) error {
	need := map[sig.Kind]bool{
		sig.Layer: e.Build != nil && e.Shape != nil && e.Weights != nil,
		sig.Op:    e.Build != nil && e.Shape != nil, sig.Loss: e.Build != nil && e.Shape != nil,
		sig.Schedule: e.Schedule != nil, sig.Optimizer: e.Optimizer != nil,
		sig.Data:     (e.Load != nil && e.Describe != nil) || (e.Derive != nil && e.Transform != nil && len(e.Params) > 0 && e.Params[0].Type == sig.Dataset),
		sig.Metric:   true,
		sig.Augment:  e.Augment != nil && e.Shape != nil,
		sig.Regular:  e.Regularize != nil,
		sig.MaskInit: e.Mask != nil, sig.Criterion: e.Mask != nil, sig.Regrow: e.Mask != nil, sig.Pruned: e.Mask != nil,
	}
	ok, known := need[e.Kind]
	switch {
	case e.Name == "":
		return fmt.Errorf("stdlib: an entry has no name")
	case !known:
		return fmt.Errorf("stdlib: %s has unknown kind %q", e.Name, e.Kind)
	case !ok:
		return fmt.Errorf("stdlib: %s (%s) lacks the functions its kind needs", e.Name, e.Kind)
	}
	return nil
}

// Lookup returns the signature of a named entry (sig.Catalog).
func (r *Registry) Lookup(name string) (*sig.Signature, bool) {
	e, ok := r.Entry(name)
	if !ok {
		return nil, false
	}
	return &e.Signature, true
}

// Entry returns a named entry.
func (r *Registry) Entry(name string) (*Entry, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.entries[name]
	return e, ok
}

// Names lists every entry's name, sorted (sig.Catalog).
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.entries))
	for n := range r.entries {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Optimizer is a built optimizer with the settings that may change every step.
type Optimizer struct {
	Update   optim.Optimizer
	LR       schedule.Schedule
	ClipNorm float64
	// Set applies this step's values of scheduled settings (momentum, weight decay).
	Set func(step int)
	// NoDecay is an optimizer for the parameters outside a decay selector, or nil.
	NoDecay optim.Optimizer
	DecayOn []string // the parameters weight decay applies to; nil means all
}
