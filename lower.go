package roux

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
	"github.com/roux-ml/roux/runtime/train"
	"github.com/roux-ml/roux/stdlib"
)

// weights is the session's store of trainable tensors and layer state (such as running
// statistics), shared by every program.
type weights struct {
	seed    uint64
	byPath  map[string]*tensor.Param
	order   []*tensor.Param
	states  map[string]*tensor.Tensor
	stateOf []string // state paths in creation order
}

// state returns the named layer state, creating it filled with fill on first use.
func (w *weights) state(path string, shape []int, fill float32) *tensor.Tensor {
	if t, ok := w.states[path]; ok {
		return t
	}
	t := filled(shape, fill)
	w.states[path] = t
	w.stateOf = append(w.stateOf, path)
	return t
}

// filled returns a new tensor of the shape with every entry fill.
func filled(shape []int, fill float32) *tensor.Tensor {
	t := tensor.New(shape...)
	for i := range t.Data {
		t.Data[i] = fill
	}
	return t
}

// get returns the named parameter, creating it with init on first use. Each parameter's
// initial values depend only on the seed and its path, not on build order.
func (w *weights) get(path string, shape []int, fanIn int, init stdlib.Init) *tensor.Param {
	if p, ok := w.byPath[path]; ok {
		return p
	}
	p := tensor.NewParam(path, shape...)
	h := fnv.New64a()
	h.Write([]byte(path))
	init(p.Value.Data, fanIn, rand.New(rand.NewPCG(w.seed, h.Sum64())))
	w.byPath[path] = p
	w.order = append(w.order, p)
	return p
}

// lowerer turns the recipe's loss into one graph for one batch size.
type lowerer struct {
	s       *Session
	g       *graph.Graph
	batch   int
	x, y    *graph.Node
	nodes   map[*tensor.Param]*graph.Node
	scalars []pendingScalar
	logits  *graph.Node
	inputs  map[string]*graph.Node // inputs of the other data streams, by name
	feeds   []feed
	commits []commit
	reports []report
	aux     []*graph.Node // terms layers add to the training loss
	replica int           // the data-parallel replica being built, or -1
}

// pendingScalar is a schedule fed through a graph input, bound to the program once compiled.
type pendingScalar struct {
	name  string
	sched schedule.Schedule
}

// compile builds the program for n rows; train adds the backward pass. A loss mixture
// is evaluated on its evaluated model's cross-entropy.
func (s *Session) compile(n int, training bool) (*train.Compiled, error) {
	return s.lower(n, training, -1)
}

// compileReplica builds replica r's training program for a share of n rows of a
// data-parallel step (train.Replicas): it computes with replica r's shadows of the
// weights and multiplies its loss by the Share input.
func (s *Session) compileReplica(r, n int) (*train.Compiled, error) {
	return s.lower(n, true, r)
}

// lower builds a program for n rows, for replica r of a data-parallel step, or for
// the whole batch when r is -1.
func (s *Session) lower(n int, training bool, r int) (c *train.Compiled, err error) {
	defer graph.Catch(&err)
	l := &lowerer{s: s, g: graph.New(), batch: n, nodes: map[*tensor.Param]*graph.Node{}, inputs: map[string]*graph.Node{}, replica: r}
	stream := s.recipe.Stream
	l.x = l.g.Input("x", append([]int{n}, stream.Info.Shape...)...)
	if stream.Info.Classes > 0 && !stream.Info.Unlabeled {
		l.y = l.g.Input("y", n)
	}
	var loss *graph.Node
	if m := s.recipe.Evaluated; m != nil && !training {
		if l.y == nil { // the loss draws its epochs from unlabeled data; the evaluated set has labels
			l.y = l.g.Input("y", n)
		}
		l.logits = l.applyModel(m, l.x)
		loss = l.g.SoftmaxCrossEntropy(l.logits, l.y)
	} else {
		loss = l.tensor(s.recipe.Loss)
	}
	if training {
		for _, a := range l.aux {
			loss = l.g.Add(loss, a)
		}
	}
	if r >= 0 {
		loss = l.g.Mul(loss, l.g.Input("share"))
	}
	opts := graph.Options{Outputs: []*graph.Node{loss}}
	if training {
		opts.Loss = loss
	}
	if l.logits != nil {
		opts.Outputs = append(opts.Outputs, l.logits)
	}
	for _, cm := range l.commits {
		opts.Outputs = append(opts.Outputs, cm.node)
	}
	for _, r := range l.reports {
		opts.Outputs = append(opts.Outputs, r.node)
	}
	p, err := l.g.Compile(opts)
	if err != nil {
		return nil, err
	}
	c = l.bind(p, loss)
	if training {
		l.bindMixture(c)
	}
	if r >= 0 {
		c.Share = p.Input("share")
		if len(l.commits) > 0 || c.Before != nil {
			// the checker rejects what leads here (check.checkDataParallel); this is its backstop
			return nil, fmt.Errorf("%s: data_parallel: this recipe keeps per-sample state, which replicas cannot split yet", s.recipe.Train.DataParallelPos)
		}
	}
	return c, nil
}

// bind collects a compiled program's input buffers.
func (l *lowerer) bind(p *graph.Program, loss *graph.Node) *train.Compiled {
	c := &train.Compiled{Prog: p, X: p.Input("x"), Loss: loss, Logits: l.logits}
	if l.y != nil {
		c.Y = p.Input("y")
	}
	for _, sc := range l.scalars {
		c.Scalars = append(c.Scalars, train.Scalar{Input: p.Input(sc.name), Schedule: sc.sched})
	}
	return c
}

// tensor lowers a tensor expression of the loss.
func (l *lowerer) tensor(v check.Value) *graph.Node {
	l.g.SetOrigin(v.Pos().String())
	switch v := v.(type) {
	case *check.DataField:
		return l.streamInput(v.Data, v.Field)
	case *check.Augmented:
		return l.augmented(v)
	case *check.ModelCall:
		return l.modelCall(v)
	case *check.Call:
		return l.call(v, nil)
	case *check.Arith:
		return l.arith(v, nil)
	case *check.Neg:
		return l.g.Neg(l.tensor(v.X))
	}
	panic(&graph.Error{Origin: v.Pos().String(), Msg: fmt.Sprintf("cannot lower %T", v)})
}

// modelCall lowers net(x): the model's statements with its input bound to x; weights
// are shared between calls.
func (l *lowerer) modelCall(v *check.ModelCall) *graph.Node {
	return l.applyModel(v.Model, l.tensor(v.Arg))
}

// applyModel lowers a model's statements with its input bound to in.
func (l *lowerer) applyModel(model *check.Model, in *graph.Node) *graph.Node {
	m := &modelLowering{l: l, input: in, done: map[*check.Stmt]*graph.Node{}}
	if model.EMA != nil {
		m.teacher = model
		return l.g.StopGrad(m.stmt(model.Output))
	}
	out := m.stmt(model.Output)
	if l.logits == nil && len(out.Shape) == 2 {
		l.logits = out
	}
	return out
}

// modelLowering lowers one application of a model.
type modelLowering struct {
	l       *lowerer
	input   *graph.Node
	done    map[*check.Stmt]*graph.Node
	teacher *check.Model // set when the model applied is a mean teacher: weights are its copies
}

func (m *modelLowering) stmt(s *check.Stmt) *graph.Node {
	if n, ok := m.done[s]; ok {
		return n
	}
	n := m.value(s.Value)
	m.done[s] = n
	return n
}

func (m *modelLowering) value(v check.Value) *graph.Node {
	l := m.l
	l.g.SetOrigin(v.Pos().String())
	switch v := v.(type) {
	case *check.Input:
		return m.input
	case *check.StmtRef:
		return m.stmt(v.Stmt)
	case *check.Call:
		return l.call(v, m)
	case *check.Arith:
		return l.arith(v, m)
	case *check.Neg:
		return l.g.Neg(m.value(v.X))
	}
	panic(&graph.Error{Origin: v.Pos().String(), Msg: fmt.Sprintf("cannot lower %T in a model", v)})
}

// sub lowers a tensor operand, inside a model when m is set.
func (l *lowerer) sub(v check.Value, m *modelLowering) *graph.Node {
	if m != nil {
		return m.value(v)
	}
	return l.tensor(v)
}

// call lowers a layer, op or loss call.
func (l *lowerer) call(c *check.Call, m *modelLowering) *graph.Node {
	e, _ := stdlib.Default.Entry(c.Sig.Name)
	var in []*graph.Node
	for i, p := range c.Sig.Params {
		if p.Type == sig.Tensor || p.Type == sig.Labels {
			in = append(in, l.sub(c.Args[i], m))
		}
	}
	l.g.SetOrigin(c.At.String())
	var teacher *check.Model
	if m != nil {
		teacher = m.teacher
	}
	return e.Build(l.builder(c, teacher), in, l.s.args(c))
}

// builder gives a layer access to its own weights, named model.statement.weight, or
// to a mean teacher's copies of them.
func (l *lowerer) builder(c *check.Call, teacher *check.Model) *stdlib.Builder {
	// only layers own weights and state, so only their calls carry a model and statement
	path := func(name string) string { return c.Model.Name + "." + c.Stmt.Name + "." + name }
	state := func(name string, shape []int, fill float32) *tensor.Tensor {
		if l.replica >= 1 { // the replica's own, so that only replica 0 updates the session's
			return l.s.replicas.state(l.replica, path(name), shape, fill)
		}
		return l.s.weights.state(path(name), shape, fill)
	}
	sparse := func(name string) *graph.Sparsity { return l.s.sparsity(path(name), l.replica) }
	return &stdlib.Builder{G: l.g, State: state, Sparse: sparse, Scalar: l.scalarInput,
		SampleState: func(name string, width int, fill float32) (*graph.Node, func(*graph.Node)) {
			return l.sampleState(c, name, width, fill)
		},
		StateView: func(state, view string, of func(float32) float64) {
			l.s.stateViews[l.statePath(c, state)] = stateView{l.statePath(c, view), of}
		},
		Report: func(name string, v *graph.Node) {
			if c.Model != nil {
				name = c.Model.Name + "." + c.Stmt.Name + " " + name
			}
			if teacher == nil {
				l.reports = append(l.reports, report{name: name, node: v})
			}
		},
		Shared: func(name string, make func(*rand.Rand) any) any {
			key := path(name)
			h := fnv.New64a()
			h.Write([]byte(key))
			if l.replica > 0 { // a replica's own copy (a CSR keeps its kernels' scratch), made alike
				key = fmt.Sprintf("%s#replica%d", key, l.replica)
			}
			if v, ok := l.s.shared[key]; ok {
				return v
			}
			v := make(rand.New(rand.NewPCG(l.s.weights.seed, h.Sum64())))
			l.s.shared[key] = v
			return v
		},
		AuxLoss: func(v *graph.Node) {
			if teacher == nil { // a teacher is not trained
				l.aux = append(l.aux, v)
			}
		},
		Weight: func(name string, shape []int, fanIn int, init stdlib.Init) *graph.Node {
			p := l.s.weights.get(path(name), shape, fanIn, init)
			if lay := l.s.maskLayer(p); teacher != nil {
				p = l.s.shadowOf(teacher, p)
			} else if lay != nil {
				p = lay.Effective // the program computes with the masked weight
			}
			if l.replica > 0 {
				p = l.s.replicas.param(l.replica, p)
			}
			if n, ok := l.nodes[p]; ok {
				return n
			}
			n := l.g.Param(p)
			l.nodes[p] = n
			return n
		}}
}

// arith lowers + - * / where at least one side is a tensor; scalar sides become
// constants, or inputs fed from their schedule every step.
func (l *lowerer) arith(v *check.Arith, m *modelLowering) *graph.Node {
	x, y := l.operand(v.X, m), l.operand(v.Y, m)
	l.g.SetOrigin(v.At.String())
	switch v.Op {
	case "+":
		return l.g.Add(x, y)
	case "-":
		return l.g.Sub(x, y)
	case "*":
		return l.g.Mul(x, y)
	}
	return l.g.Div(x, y)
}

func (l *lowerer) operand(v check.Value, m *modelLowering) *graph.Node {
	if !isTensor(v) {
		return l.scalarInput(l.s.scalar(v))
	}
	return l.sub(v, m)
}

// scalarInput is a schedule as a graph value: a constant, or an input fed every step.
func (l *lowerer) scalarInput(sch schedule.Schedule) *graph.Node {
	if c, ok := sch.(schedule.Constant); ok {
		return l.g.Const(float32(c.Value))
	}
	name := fmt.Sprintf("schedule%d", len(l.scalars))
	l.scalars = append(l.scalars, pendingScalar{name, sch})
	return l.g.Input(name)
}

// isTensor reports whether a checked value is a tensor (not a number or schedule).
func isTensor(v check.Value) bool {
	switch v := v.(type) {
	case *check.Const, *check.ScheduleRef, *check.Then:
		return false
	case *check.Call:
		return v.Sig.Kind != sig.Schedule
	case *check.Arith:
		return isTensor(v.X) || isTensor(v.Y)
	case *check.Neg:
		return isTensor(v.X)
	}
	return true
}
