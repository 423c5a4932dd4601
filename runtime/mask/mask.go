package mask

import (
	"fmt"
	"math/rand/v2"

	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/sparse"
	"github.com/roux-ml/roux/runtime/tensor"
)

// Layer is one masked weight: the stored weight W the optimizer updates, the effective
// weight W̃ the program computes with (its Grad is ∂L/∂W̃), and the mask M.
type Layer struct {
	Param     *tensor.Param
	Effective *tensor.Param
	Mask      []float32 // 1 active, 0 pruned
	// CSR, when not nil, is the mask in compressed rows for a program's sparse kernels
	// (a dense layer's [out, in] weight): the engine rebuilds it after every change of
	// the mask; the program gathers its values from W̃ when it runs.
	CSR *kernels.CSR
	// ReplicaCSRs[r-1] is replica r's copy of CSR in a data-parallel step: a CSR keeps
	// its kernels' scratch, so programs that run at once need one each. BuildCSR
	// rebuilds them with CSR.
	ReplicaCSRs []*kernels.CSR
	// DenseGrad is set by the engine before each step whose backward pass must leave
	// the dense ∂L/∂W̃ in Effective.Grad: the steps that end with RigL's regrowth,
	// which ranks pruned weights by it. A sparse program computes the weight
	// gradient densely on those steps.
	DenseGrad bool
	shrunk    float64 // ISS-P: Σ|w| over the shrunk set, before the last shrink
	// Stack, when above 1, is the number of layers the weight stacks along its first
	// axis (an MoE's experts): densities are spread and N:M groups chosen per layer.
	Stack int
}

// NewLayer pairs a stored weight with a fresh effective weight and an all-ones mask.
func NewLayer(p *tensor.Param) *Layer {
	ones := make([]float32, p.Value.Size())
	for i := range ones {
		ones[i] = 1
	}
	return &Layer{Param: p, Effective: tensor.NewParam(p.Name, p.Value.Shape...), Mask: ones}
}

// groupShape is the shape N:M and block masks group the weight by (sparse.GroupShape).
func (l *Layer) groupShape() []int { return sparse.GroupShape(l.Param.Value.Shape, l.Stack) }

// Spec is a mask declaration with every time converted to steps.
type Spec struct {
	Name      string
	Init      *Init             // nil: start dense
	Target    schedule.Schedule // target sparsity over time, or nil
	Criterion Criterion
	Regrow    *Regrow
	Pruned    Pruned
}

// SlotsFunc returns the optimizer state of a parameter, so masks can zero it.
type SlotsFunc func(p *tensor.Param) [][]float32

// Mask is one mask declaration at run time.
type Mask struct {
	Spec
	Layers  []*Layer
	slots   SlotsFunc
	pcg     *rand.PCG // the source of rng, kept to save its state
	rng     *rand.Rand
	scratch sparse.Scratch
	target  float64 // the sparsity scheduled pruning last reached
	active  []int   // active entries per layer, counted after every change
}

// New builds a mask over its layers at step 0 (PAPERS.md M1–M3) and applies it.
func New(spec Spec, layers []*Layer, seed uint64, slots SlotsFunc) (*Mask, error) {
	pcg := rand.NewPCG(seed, 0x6d61736b)
	m := &Mask{Spec: spec, Layers: layers, slots: slots, pcg: pcg, rng: rand.New(pcg)}
	if spec.Pruned.Rule == "zero" {
		// pruned weights are kept exactly zero, so the weights the program computes
		// with are the stored ones: no copy per step
		for _, l := range layers {
			l.Effective.Value = l.Param.Value
		}
	}
	if err := m.init(); err != nil {
		return nil, fmt.Errorf("mask %s: %w", spec.Name, err)
	}
	if m.Target != nil {
		if err := m.prune(m.Target.At(0)); err != nil {
			return nil, fmt.Errorf("mask %s: %w", spec.Name, err)
		}
	}
	m.active = make([]int, len(layers))
	if err := m.settle(0); err != nil {
		return nil, err
	}
	return m, nil
}

// init builds the starting mask.
func (m *Mask) init() error {
	in := m.Init
	if in == nil {
		return nil
	}
	if in.Custom != nil {
		return m.initCustom()
	}
	switch in.Kind {
	case "random":
		return m.initRandom()
	case "nm":
		return m.eachLayer(func(l *Layer) error {
			return sparse.NMMask(l.Mask, l.Param.Value.Data, l.groupShape(), in.N, in.M, &m.scratch)
		})
	case "block":
		return m.eachLayer(func(l *Layer) error {
			keep := sparse.Count(l.Param.Value.Size(), 1-in.Sparsity)
			return sparse.BlockMask(l.Mask, l.Param.Value.Data, l.groupShape(), in.Block, keep, &m.scratch)
		})
	}
	return fmt.Errorf("unknown init %q", in.Kind)
}

// initRandom spreads the density over layers (uniform, ER or ERK) and draws an exact
// count of active weights in each (PAPERS.md M1).
func (m *Mask) initRandom() error {
	shapes, stacks := make([][]int, len(m.Layers)), make([]int, len(m.Layers))
	for i, l := range m.Layers {
		shapes[i], stacks[i] = l.Param.Value.Shape, l.Stack
	}
	dist := map[string]sparse.Distribution{"uniform": sparse.Uniform, "er": sparse.ER, "erk": sparse.ERK}[m.Init.Distribution]
	densities, err := sparse.StackedDensities(shapes, stacks, 1-m.Init.Sparsity, dist, m.Init.Power)
	if err != nil {
		return err
	}
	for i, l := range m.Layers {
		sparse.RandomMask(l.Mask, sparse.Count(len(l.Mask), densities[i]), m.rng, &m.scratch)
	}
	return nil
}

// initCustom runs an init registered from Go over all the mask's layers at once.
func (m *Mask) initCustom() error {
	masks, weights, shapes := make([][]float32, len(m.Layers)), make([][]float32, len(m.Layers)), make([][]int, len(m.Layers))
	for i, l := range m.Layers {
		masks[i], weights[i], shapes[i] = l.Mask, l.Param.Value.Data, l.Param.Value.Shape
	}
	if err := m.Init.Custom(masks, weights, shapes, m.rng); err != nil {
		return fmt.Errorf("%s: %w", m.Init.Kind, err)
	}
	for _, k := range masks {
		for _, v := range k {
			if v != 0 && v != 1 {
				return fmt.Errorf("%s: a mask entry is %g; entries are 0 or 1", m.Init.Kind, v)
			}
		}
	}
	return nil
}

func (m *Mask) eachLayer(f func(l *Layer) error) error {
	for _, l := range m.Layers {
		if err := f(l); err != nil {
			return fmt.Errorf("%s: %w", l.Param.Name, err)
		}
	}
	return nil
}

// prune recomputes the mask by magnitude for a target sparsity (PAPERS.md M2, S1).
func (m *Mask) prune(sparsity float64) error {
	m.target = sparsity
	if m.Pruned.Rule == "shrink" {
		return nil // ISS-P marks its set every step in AfterUpdate
	}
	if m.Criterion.Scope == "global" {
		total := 0
		masks, weights := make([][]float32, len(m.Layers)), make([][]float32, len(m.Layers))
		for i, l := range m.Layers {
			masks[i], weights[i] = l.Mask, l.Param.Value.Data
			total += len(l.Mask)
		}
		sparse.GlobalMagnitude(masks, weights, sparse.Count(total, 1-sparsity), &m.scratch)
		return nil
	}
	for _, l := range m.Layers {
		sparse.MagnitudeMask(l.Mask, l.Param.Value.Data, sparse.Count(len(l.Mask), 1-sparsity), &m.scratch)
	}
	return nil
}

// Forward writes the effective weights for a step: W̃ = W ⊙ M, or with progressive
// gradient flow W̃ = W ⊙ (M + (1−M)·β(t)) (PAPERS.md RP1, M3). N:M masks with a
// straight-through rule are recomputed from the dense weights first (M3).
func (m *Mask) Forward(step int) error {
	beta := float32(0)
	if m.Pruned.Rule == "decay" {
		beta = float32(m.Pruned.Beta.At(step))
	}
	for _, l := range m.Layers {
		if m.recomputesNM() {
			if err := sparse.NMMask(l.Mask, l.Param.Value.Data, l.groupShape(), m.Init.N, m.Init.M, &m.scratch); err != nil {
				return fmt.Errorf("mask %s: %s: %w", m.Name, l.Param.Name, err)
			}
		}
		w, e := l.Param.Value.Data, l.Effective.Value.Data
		if l.Effective.Value == l.Param.Value {
			continue // the zero rule: W is W̃ already, its pruned entries kept at zero
		}
		switch {
		case m.Pruned.Rule == "shrink":
			copy(e, w)
		case beta == 0: // ste, srste, and decay once β is 0: W ⊙ M
			kernels.Mul(e, w, l.Mask)
		default:
			for i, k := range l.Mask {
				e[i] = w[i] * (k + (1-k)*beta)
			}
		}
	}
	return nil
}

// recomputesNM reports whether an N:M mask follows the dense weights every step.
func (m *Mask) recomputesNM() bool {
	return m.Init != nil && m.Init.Kind == "nm" && m.Pruned.Rule != "zero"
}

// AfterBackward turns ∂L/∂W̃ into the gradient the optimizer applies to W: masked (only active
// weights), straight-through (dense), or SR-STE (dense plus λ·(1−M)⊙W) (PAPERS.md RP1, M3).
func (m *Mask) AfterBackward() {
	for _, l := range m.Layers {
		m.backward(l, 0, len(l.Mask))
	}
}

// AfterBackwardPart is AfterBackward on part part of parts of every layer's entries
// (optim.PartRange), for a data-parallel step whose cores each sum and update their
// own part of every gradient.
func (m *Mask) AfterBackwardPart(part, parts int) {
	for _, l := range m.Layers {
		lo, hi := optim.PartRange(len(l.Mask), part, parts)
		m.backward(l, lo, hi)
	}
}

// backward is AfterBackward on entries [lo, hi) of layer l.
func (m *Mask) backward(l *Layer, lo, hi int) {
	g, ge, w := l.Param.Grad.Data, l.Effective.Grad.Data, l.Param.Value.Data
	switch {
	case l.Param.Active != nil: // only the kept weights are updated: the pruned entries of g stay zero
		for _, i := range l.Param.ActiveIn(lo, hi) {
			g[i] = ge[i]
		}
	case m.Pruned.Rule == "zero":
		kernels.Mul(g[lo:hi], ge[lo:hi], l.Mask[lo:hi])
	case m.Pruned.Rule == "srste":
		lambda := float32(m.Pruned.Decay)
		for i := lo; i < hi; i++ {
			g[i] = ge[i] + lambda*(1-l.Mask[i])*w[i]
		}
	default: // ste, decay, shrink: dense gradient
		copy(g[lo:hi], ge[lo:hi])
	}
}

// AfterUpdate runs after the optimizer step that ended step: scheduled pruning,
// regrowth, ISS-P shrinking, then the invariants, then the next effective weights.
func (m *Mask) AfterUpdate(step int) error {
	changed := m.recomputesNM()
	if m.Target != nil && step%m.Criterion.Every == 0 {
		if s := m.Target.At(step); s != m.target {
			if err := m.prune(s); err != nil {
				return err
			}
			changed = true
		}
	}
	if m.regrows(step) {
		if err := m.regrow(step); err != nil {
			return err
		}
		changed = true
	}
	if m.Pruned.Rule == "shrink" {
		m.shrink(step)
		changed = true
	}
	return m.apply(step, changed)
}

// regrows reports whether the step that ends at step regrows.
func (m *Mask) regrows(step int) bool {
	r := m.Regrow
	return r != nil && step%r.Every == 0 && step <= r.Until
}

func (m *Mask) count() {
	for i, l := range m.Layers {
		if m.recomputesNM() { // recomputed every step, exactly N of every M: no need to count
			m.active[i] = len(l.Mask) / m.Init.M * m.Init.N
		} else {
			m.active[i] = sparse.NNZ(l.Mask)
		}
		kept := l.Param.Active
		l.Param.Active = nil
		if m.updatesKeptOnly() && float64(m.active[i]) < keptListBelow*float64(len(l.Mask)) {
			l.Param.Active = activeEntries(kept[:0], l.Mask)
			clear(l.Param.Grad.Data) // no stale gradient where a weight was just pruned
		}
	}
}

// updatesKeptOnly reports whether the optimizer may update only the kept weights
// (Param.Active, rebuilt whenever the mask changes): under the zero rule a pruned
// weight, its gradient and its optimizer state are zero, and an update would leave
// them so. Every other part of a step then skips the pruned weights too: the gradient
// is copied at the kept entries, and between mask changes nothing needs re-zeroing.
// A layer gets the list only below keptListBelow density; above it the vectorised
// dense update of every weight, which leaves the pruned ones at zero just the same,
// is faster.
func (m *Mask) updatesKeptOnly() bool { return m.Pruned.Rule == "zero" }

// keptListBelow is the density below which a zero-rule layer's optimizer walks the
// list of kept weights instead of updating all of them. Measured on 784-512-512-10
// with N:M masks (the zero rule, SGD with momentum, s/epoch): at 12.5% the list is
// faster (0.98–1.11 against 1.17–1.19), at 25% about even (1.22–1.37 against
// 1.31–1.66), at 50% slower (1.60–1.76 against 1.27–1.54; dense 1.19–1.20).
const keptListBelow = 0.3

// activeEntries appends the indices of mask's ones to dst.
func activeEntries(dst []int32, mask []float32) []int32 {
	for i, k := range mask {
		if k != 0 {
			dst = append(dst, int32(i))
		}
	}
	return dst
}

// regrow drops the smallest active weights of each layer and grows as many, at random
// (SET) or where the dense gradient is largest (RigL); new weights start at zero with
// their optimizer state reset (PAPERS.md M4).
func (m *Mask) regrow(step int) error {
	f := m.Regrow.Fraction.At(step)
	rule := map[string]sparse.GrowRule{"set": sparse.GrowRandom, "rigl": sparse.GrowScore}[m.Regrow.Rule]
	for _, l := range m.Layers {
		k := sparse.DropCount(sparse.NNZ(l.Mask), f)
		if k == 0 {
			continue
		}
		grown, err := sparse.DropGrow(l.Mask, l.Param.Value.Data, l.Effective.Grad.Data, k, sparse.Grow{Rule: rule}, m.rng, &m.scratch)
		if err != nil {
			return fmt.Errorf("mask %s: %s: %w", m.Name, l.Param.Name, err)
		}
		w := l.Param.Value.Data
		for _, i := range grown {
			w[i] = 0
			for _, s := range m.slots(l.Param) {
				s[i] = 0
			}
		}
	}
	return nil
}

// shrink multiplies the pruned share of smallest weights by ρ(t) (PAPERS.md M5); the
// mask marks the weights outside that set.
func (m *Mask) shrink(step int) {
	rho := float32(m.Pruned.Rho.At(step))
	for _, l := range m.Layers {
		n := len(l.Mask)
		pruned := sparse.PruneCount(n, m.target)
		if rho <= 1 { // the shrunk set stays the smallest: one selection gives the mask too
			l.shrunk = sparse.ShrinkMask(l.Mask, l.Param.Value.Data, pruned, rho, &m.scratch)
			continue
		}
		l.shrunk = sparse.Shrink(l.Param.Value.Data, pruned, rho, &m.scratch)
		sparse.MagnitudeMask(l.Mask, l.Param.Value.Data, n-pruned, &m.scratch)
	}
}

// enforce keeps pruned weights and their optimizer state at exactly zero under the
// zero rule (the other rules keep the dense weights on purpose).
func (m *Mask) enforce() {
	if m.Pruned.Rule != "zero" {
		return
	}
	for _, l := range m.Layers {
		sparse.Apply(l.Param.Value.Data, l.Mask)
		for _, s := range m.slots(l.Param) {
			sparse.Apply(s, l.Mask)
		}
	}
}

// Active returns the number of active weights in each layer; the slice is the mask's
// own and changes after every step.
func (m *Mask) Active() []int { return m.active }

// Shrunk returns ISS-P's shrunk mass of each layer: Σ|w| over the set the last step
// shrank, before it was shrunk.
func (m *Mask) Shrunk() []float64 {
	out := make([]float64, len(m.Layers))
	for i, l := range m.Layers {
		out[i] = l.shrunk
	}
	return out
}

// Sparsity is the share of the mask's entries that are pruned.
func (m *Mask) Sparsity() float64 {
	size, active := 0, 0
	for i, l := range m.Layers {
		size, active = size+len(l.Mask), active+m.active[i]
	}
	return 1 - float64(active)/float64(size)
}

// PruneTo prunes by the mask's criterion to a sparsity, as a procedure step between
// phases (PAPERS.md P1): pruned weights and their optimizer state become zero.
func (m *Mask) PruneTo(sparsity float64, step int) error {
	if err := m.prune(sparsity); err != nil {
		return err
	}
	return m.settle(step)
}

// Lift removes the mask (SPDF, PAPERS.md P3): every weight becomes trainable, the pruned
// ones starting from zero, and the mask no longer prunes or regrows.
func (m *Mask) Lift(step int) error {
	for _, l := range m.Layers {
		for i := range l.Mask {
			l.Mask[i] = 1
		}
	}
	m.Target, m.Regrow, m.Init = nil, nil, nil
	m.Pruned = Pruned{Rule: "zero"}
	return m.settle(step)
}

// Harden ends ISS-P's soft phase (PAPERS.md M5): the shrunk weights become exactly zero
// and stay pruned, with a hard mask from then on.
func (m *Mask) Harden(step int) error {
	m.Pruned = Pruned{Rule: "zero"}
	return m.settle(step)
}

// Enforce re-applies the mask to the stored weights and optimizer state, for example
// after the weights were rewound to a snapshot.
func (m *Mask) Enforce(step int) error { return m.settle(step) }

// settle applies the invariants after the mask or the weights changed outside a step.
func (m *Mask) settle(step int) error { return m.apply(step, true) }

// apply applies the invariants and writes the next effective weights; changed says
// whether the mask may have changed, so that the layers' CSRs are rebuilt.
func (m *Mask) apply(step int, changed bool) error {
	if changed || !m.updatesKeptOnly() { // else the optimizer never touched the pruned weights
		m.enforce()
	}
	if err := m.Forward(step); err != nil {
		return err
	}
	if changed {
		m.count()
	}
	m.compress(step, changed)
	return nil
}

// compress rebuilds the layers' CSRs if the mask changed and says whether the next
// step, step+1, needs the dense gradient of W̃ (RigL regrows at its end).
func (m *Mask) compress(step int, changed bool) {
	dense := m.regrows(step+1) && m.Regrow.Rule == "rigl"
	for _, l := range m.Layers {
		l.DenseGrad = dense
		if l.CSR != nil && changed {
			l.BuildCSR()
		}
	}
}

// BuildCSR rebuilds l.CSR and the replicas' copies from the mask and W̃, the weight
// seen as [shape[0], rest].
func (l *Layer) BuildCSR() {
	l.build(l.CSR)
	for _, c := range l.ReplicaCSRs {
		l.build(c)
	}
}

func (l *Layer) build(c *kernels.CSR) {
	rows := l.Param.Value.Shape[0]
	c.Build(l.Mask, l.Effective.Value.Data, rows, len(l.Mask)/rows)
}

// ReplicaCSR returns replica r's copy of l.CSR (r ≥ 1), built on first use.
func (l *Layer) ReplicaCSR(r int) *kernels.CSR {
	for len(l.ReplicaCSRs) < r {
		c := &kernels.CSR{}
		l.build(c)
		l.ReplicaCSRs = append(l.ReplicaCSRs, c)
	}
	return l.ReplicaCSRs[r-1]
}

// State is what a checkpoint keeps of a mask besides its 0/1 entries: the sparsity
// scheduled pruning last reached and the state of its random source (SET regrowth).
type State struct {
	Target float64 `json:"target"`
	RNG    []byte  `json:"rng"`
}

// State returns the mask's state for a checkpoint.
func (m *Mask) State() (State, error) {
	b, err := m.pcg.MarshalBinary()
	return State{Target: m.target, RNG: b}, err
}

// SetState restores a checkpointed state; the caller has restored the entries and the
// weights, and SetState re-applies the invariants.
func (m *Mask) SetState(s State, step int) error {
	if err := m.pcg.UnmarshalBinary(s.RNG); err != nil {
		return fmt.Errorf("mask %s: %w", m.Name, err)
	}
	m.target = s.Target
	return m.settle(step)
}

// Restart builds the mask again from the current weights, as New does at step 0, and
// prunes to the target of the given step: a mask added to a run that is under way starts
// from the trained weights (magnitude pruning then prunes what training made small).
func (m *Mask) Restart(step int) error {
	for _, l := range m.Layers {
		for i := range l.Mask {
			l.Mask[i] = 1
		}
	}
	if err := m.init(); err != nil {
		return fmt.Errorf("mask %s: %w", m.Name, err)
	}
	if m.Target != nil {
		if err := m.prune(m.Target.At(step)); err != nil {
			return fmt.Errorf("mask %s: %w", m.Name, err)
		}
	}
	return m.settle(step)
}
