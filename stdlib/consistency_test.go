package stdlib

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// The losses of divergences.go, consistency.go and losses.go, each pinned to a value
// worked out with plain float64 formulas written from PAPERS.md (not from the graph
// composition), and each gradient checked against central differences.

// entryCase is one catalogue entry built on small literal inputs by a test Builder:
// SampleState hands out the given old rows, Scalar evaluates a schedule at step, and
// the committed state and the reports are read back after the run.
type entryCase struct {
	entry string
	args  Args
	in    []entryInput
	state map[string][]float32 // old per-sample state by name; a missing name gets its fill
	step  int
}

// entryInput is one tensor argument. All but labels are parameters, so that the
// program computes their gradients.
type entryInput struct {
	shape  []int
	values []float32
	labels bool
}

func rowsIn(rows, cols int, values ...float32) entryInput {
	return entryInput{shape: []int{rows, cols}, values: values}
}

func vecIn(values ...float32) entryInput {
	return entryInput{shape: []int{len(values)}, values: values}
}

func labelsIn(values ...float32) entryInput {
	return entryInput{shape: []int{len(values)}, values: values, labels: true}
}

// entryRun is what one run gives: the loss (one value, or one per sample with reduce:
// none), the gradient of the objective with respect to each input (nil for labels),
// the committed per-sample state and the reported statistics. The objective is the
// loss, or Σ_i (i+1)·loss_i for per-sample values, so that every row's gradient is
// checked with its own weight.
type entryRun struct {
	value   []float64
	grads   [][]float32
	state   map[string][]float64
	reports map[string]float64
}

// testBuilder is a Builder whose per-sample state, schedules and reports a test
// controls and reads.
type testBuilder struct {
	*Builder
	fills   map[string]float32
	commits map[string]*graph.Node
	reports map[string]*graph.Node
}

func newTestBuilder(g *graph.Graph, batch, step int) *testBuilder {
	tb := &testBuilder{fills: map[string]float32{}, commits: map[string]*graph.Node{}, reports: map[string]*graph.Node{}}
	tb.Builder = &Builder{G: g,
		SampleState: func(name string, width int, fill float32) (*graph.Node, func(*graph.Node)) {
			shape := []int{batch}
			if width > 0 {
				shape = append(shape, width)
			}
			rows := g.Input("state."+name, shape...)
			tb.fills[name] = fill
			return rows, func(next *graph.Node) {
				if !slices.Equal(next.Shape, rows.Shape) {
					panic(fmt.Sprintf("state %s committed with shape %v, want %v", name, next.Shape, rows.Shape))
				}
				tb.commits[name] = next
			}
		},
		Scalar:    func(s schedule.Schedule) *graph.Node { return g.Const(float32(s.At(step))) },
		Report:    func(name string, v *graph.Node) { tb.reports[name] = v },
		StateView: func(string, string, func(float32) float64) {},
	}
	return tb
}

// outputs lists the committed state and the reports, to keep them readable.
func (tb *testBuilder) outputs() []*graph.Node {
	var out []*graph.Node
	for _, n := range tb.commits {
		out = append(out, n)
	}
	for _, n := range tb.reports {
		out = append(out, n)
	}
	return out
}

// run builds the entry, compiles the objective and runs it once.
func (c entryCase) run(t *testing.T) entryRun {
	t.Helper()
	g := graph.New()
	params := make([]*tensor.Param, len(c.in))
	nodes := make([]*graph.Node, len(c.in))
	for i, x := range c.in {
		if x.labels {
			nodes[i] = g.Input(fmt.Sprintf("in%d", i), x.shape...)
			continue
		}
		params[i] = tensor.NewParam(fmt.Sprintf("in%d", i), x.shape...)
		copy(params[i].Value.Data, x.values)
		nodes[i] = g.Param(params[i])
	}
	tb := newTestBuilder(g, c.in[0].shape[0], c.step)
	e, ok := Default.Entry(c.entry)
	if !ok {
		t.Fatalf("no entry %s", c.entry)
	}
	loss := e.Build(tb.Builder, nodes, c.args)
	obj := loss
	if len(loss.Shape) > 0 {
		obj = g.SumAll(g.Mul(loss, g.Input("row_weights", loss.Shape...)))
	}
	prog, err := g.Compile(graph.Options{Loss: obj, Outputs: append([]*graph.Node{loss}, tb.outputs()...)})
	if err != nil {
		t.Fatal(err)
	}
	c.fill(prog, tb)
	if err := prog.Run(); err != nil {
		t.Fatal(err)
	}
	r := entryRun{value: floats64(prog.Value(loss).Data), state: map[string][]float64{}, reports: map[string]float64{}}
	for _, p := range params {
		if p == nil {
			r.grads = append(r.grads, nil)
			continue
		}
		r.grads = append(r.grads, slices.Clone(p.Grad.Data))
	}
	for name, n := range tb.commits {
		r.state[name] = floats64(prog.Value(n).Data)
	}
	for name, n := range tb.reports {
		r.reports[name] = float64(prog.Value(n).Data[0])
	}
	return r
}

// fill writes the labels, the row weights and the old per-sample state into the program.
func (c entryCase) fill(prog *graph.Program, tb *testBuilder) {
	for i, x := range c.in {
		if x.labels {
			copy(prog.Input(fmt.Sprintf("in%d", i)).Data, x.values)
		}
	}
	if w := prog.Input("row_weights"); w != nil {
		for i := range w.Data {
			w.Data[i] = float32(i + 1)
		}
	}
	for name, fill := range tb.fills {
		dst := prog.Input("state." + name).Data
		if old, ok := c.state[name]; ok {
			copy(dst, old)
			continue
		}
		for i := range dst {
			dst[i] = fill
		}
	}
}

// objective is the scalar the program differentiates, from its values.
func (r entryRun) objective() float64 {
	var s float64
	for i, v := range r.value {
		s += float64(i+1) * v
	}
	return s
}

// programDiff is the central difference of the program's objective with respect to
// every element of every non-label input (nil for labels).
func (c entryCase) programDiff(t *testing.T) [][]float64 {
	t.Helper()
	const h = 1e-2
	out := make([][]float64, len(c.in))
	for i, x := range c.in {
		if x.labels {
			continue
		}
		out[i] = make([]float64, len(x.values))
		for j := range x.values {
			up, down := c.perturbed(i, j, h), c.perturbed(i, j, -h)
			out[i][j] = (up.run(t).objective() - down.run(t).objective()) / (2 * h)
		}
	}
	return out
}

// perturbed is the case with element j of input i moved by h.
func (c entryCase) perturbed(i, j int, h float32) entryCase {
	in := slices.Clone(c.in)
	in[i].values = slices.Clone(in[i].values)
	in[i].values[j] += h
	c.in = in
	return c
}

// handDiff is the central difference of a float64 formula at x.
func handDiff(f func(x []float64) float64, x []float32) []float64 {
	const h = 1e-6
	base := floats64(x)
	out := make([]float64, len(x))
	for j := range x {
		up, down := slices.Clone(base), slices.Clone(base)
		up[j] += h
		down[j] -= h
		out[j] = (f(up) - f(down)) / (2 * h)
	}
	return out
}

// checkGrads compares analytic gradients with numeric ones (skipping nil inputs), with
// the tolerance of TestRobustLosses.
func checkGrads(t *testing.T, what string, analytic [][]float32, numeric [][]float64) {
	t.Helper()
	for i := range numeric {
		if numeric[i] != nil {
			checkGrad(t, fmt.Sprintf("%s: input %d", what, i), analytic[i], numeric[i])
		}
	}
}

func checkGrad(t *testing.T, what string, analytic []float32, numeric []float64) {
	t.Helper()
	for j := range numeric {
		if math.Abs(float64(analytic[j])-numeric[j]) > 2e-3+1e-2*math.Abs(numeric[j]) {
			t.Errorf("%s: gradient %d = %g, central difference %g", what, j, analytic[j], numeric[j])
		}
	}
}

// checkValues compares float32 results with float64 hand values.
func checkValues(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %d values %v", what, got, len(want), want)
		return
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-5*max(1, math.Abs(want[i])) {
			t.Errorf("%s[%d] = %.7f, want %.7f", what, i, got[i], want[i])
		}
	}
}

// checkCase runs a case, pins its value and checks every gradient against the program's
// own central differences.
func checkCase(t *testing.T, what string, c entryCase, want ...float64) entryRun {
	t.Helper()
	r := c.run(t)
	checkValues(t, what, r.value, want)
	checkGrads(t, what, r.grads, c.programDiff(t))
	return r
}

// Plain float64 helpers for the hand values.

func floats64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// rows64 splits values into rows of width values.
func rows64(v []float32, width int) [][]float64 {
	var out [][]float64
	for i := 0; i < len(v); i += width {
		out = append(out, floats64(v[i:i+width]))
	}
	return out
}

func softmax64(z []float64) []float64 {
	m := slices.Max(z)
	out := make([]float64, len(z))
	var s float64
	for k, v := range z {
		out[k] = math.Exp(v - m)
		s += out[k]
	}
	for k := range out {
		out[k] /= s
	}
	return out
}

func logSumExp64(z []float64) float64 {
	m := slices.Max(z)
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// ce64 is −log softmax(z)[y].
func ce64(z []float64, y int) float64 { return logSumExp64(z) - z[y] }

// kl64 is Σ_k p_k log(p_k/q_k).
func kl64(p, q []float64) float64 {
	var s float64
	for k := range p {
		s += p[k] * math.Log(p[k]/q[k])
	}
	return s
}

func mean64(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func dot64(a, b []float64) float64 {
	var s float64
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// perRow applies f to each row and its label.
func perRow64(z [][]float64, labels []float32, f func(z []float64, y int) float64) []float64 {
	out := make([]float64, len(z))
	for i := range z {
		out[i] = f(z[i], int(labels[i]))
	}
	return out
}

func ceArgs(smoothing float64, reduce, tsa string, until int) Args {
	return Args{"smoothing": smoothing, "reduce": reduce, "tsa": tsa, "tsa_until": until}
}

// TestCrossEntropyEntry pins label smoothing and reduce: none.
func TestCrossEntropyEntry(t *testing.T) {
	logits := rowsIn(2, 3, 1, 2, 3, 0.5, -1, 0)
	labels := labelsIn(2, 0)
	z := rows64(logits.values, 3)
	plain := perRow64(z, labels.values, ce64)
	// smoothing ε: the target q puts 1−ε+ε/K on the label and ε/K on every other class,
	// and the loss is −Σ_k q_k log p_k
	smoothed := func(eps float64) []float64 {
		return perRow64(z, labels.values, func(z []float64, y int) float64 {
			p := softmax64(z)
			var s float64
			for k := range z {
				q := eps / 3
				if k == y {
					q += 1 - eps
				}
				s -= q * math.Log(p[k])
			}
			return s
		})
	}
	in := []entryInput{logits, labels}
	checkCase(t, "cross_entropy", entryCase{entry: "cross_entropy", args: ceArgs(0, "mean", "none", 100), in: in}, mean64(plain))
	checkCase(t, "cross_entropy smoothing 0.1", entryCase{entry: "cross_entropy", args: ceArgs(0.1, "mean", "none", 100), in: in}, mean64(smoothed(0.1)))
	checkCase(t, "cross_entropy reduce none", entryCase{entry: "cross_entropy", args: ceArgs(0, "none", "none", 100), in: in}, plain...)
	checkCase(t, "cross_entropy smoothing 0.1 reduce none", entryCase{entry: "cross_entropy", args: ceArgs(0.1, "none", "none", 100), in: in}, smoothed(0.1)...)
	// the smoothed loss exceeds the plain one on these confident-enough rows
	if s := smoothed(0.1); !(s[0] > plain[0]) {
		t.Errorf("hand values: smoothing should raise the loss of row 0, got %g vs %g", s[0], plain[0])
	}
}

// TestCrossEntropyTSA pins training-signal annealing (PAPERS.md L3): rows whose label
// probability exceeds η_t are left out, the rest averaged over max(#kept, 1).
func TestCrossEntropyTSA(t *testing.T) {
	// K = 3. Label probabilities: row 0 1/(1+e+e²) = 0.090; row 1 e³/(e³+2) = 0.909;
	// row 2 e^0.5/(e+e^0.5+1) = 0.307; row 3 e/(e+2) = 0.576.
	logits := rowsIn(4, 3, 0, 1, 2, 3, 0, 0, 1, 0.5, 0, 1, 0, 0)
	labels := labelsIn(0, 0, 1, 0)
	z := rows64(logits.values, 3)
	ce := perRow64(z, labels.values, ce64)
	in := []entryInput{logits, labels}

	// linear at step 0: η = 1/K = 1/3 keeps rows 0 and 2
	r := checkCase(t, "tsa linear step 0", entryCase{entry: "cross_entropy", args: ceArgs(0, "mean", "linear", 100), in: in}, (ce[0]+ce[2])/2)
	checkValues(t, "tsa linear step 0 reports", []float64{r.reports["tsa_threshold"], r.reports["tsa_kept"]}, []float64{1.0 / 3, 2.0 / 4})

	// linear at step 50 of 100: η = ½·(1 − 1/3) + 1/3 = 2/3 keeps rows 0, 2 and 3; with
	// smoothing 0.1 the kept rows contribute their smoothed loss, while the mask still
	// reads the plain label probability
	smooth := perRow64(z, labels.values, func(z []float64, y int) float64 {
		p := softmax64(z)
		return -0.9*math.Log(p[y]) - 0.1*mean64([]float64{math.Log(p[0]), math.Log(p[1]), math.Log(p[2])})
	})
	r = checkCase(t, "tsa linear step 50 smoothing 0.1", entryCase{entry: "cross_entropy", args: ceArgs(0.1, "mean", "linear", 100), in: in, step: 50},
		(smooth[0]+smooth[2]+smooth[3])/3)
	checkValues(t, "tsa linear step 50 reports", []float64{r.reports["tsa_threshold"], r.reports["tsa_kept"]}, []float64{2.0 / 3, 3.0 / 4})

	// nothing kept: both label probabilities exceed 1/3, so the loss is 0/max(0, 1) = 0
	// and no gradient reaches the logits
	none := entryCase{entry: "cross_entropy", args: ceArgs(0, "mean", "linear", 100), in: []entryInput{rowsIn(2, 3, 3, 0, 0, 0, 4, 0), labelsIn(0, 1)}}
	r = checkCase(t, "tsa nothing kept", none, 0)
	for j, gr := range r.grads[0] {
		if gr != 0 {
			t.Errorf("tsa nothing kept: gradient %d = %g, want 0", j, gr)
		}
	}

	// a uniform row has label probability 1/K = η_0 (up to float32 rounding): it is kept
	uniform := entryCase{entry: "cross_entropy", args: ceArgs(0, "mean", "linear", 100), in: []entryInput{rowsIn(2, 3, 0, 0, 0, 3, 0, 0), labelsIn(2, 0)}}
	checkValues(t, "tsa uniform row", uniform.run(t).value, []float64{math.Log(3)})

	// at t = T, η = 1: every row is kept, even one whose label probability is exactly 1
	// in float32 (p ≤ η, not p < η), and the loss is the plain mean cross-entropy
	sure := rowsIn(3, 3, 0, -100, -100, 0, 1, 2, 3, 0, 0)
	sureLabels := labelsIn(0, 0, 0)
	zs := rows64(sure.values, 3)
	r = checkCase(t, "tsa at T", entryCase{entry: "cross_entropy", args: ceArgs(0, "mean", "linear", 100), in: []entryInput{sure, sureLabels}, step: 100},
		mean64(perRow64(zs, sureLabels.values, ce64)))
	checkValues(t, "tsa at T reports", []float64{r.reports["tsa_threshold"], r.reports["tsa_kept"]}, []float64{1, 1})

	// the three schedules at t/T = ½, K = 3: α = ½, exp(−2.5), 1 − exp(−2.5)
	for kind, alpha := range map[string]float64{"linear": 0.5, "exp": math.Exp(-2.5), "log": 1 - math.Exp(-2.5)} {
		got := tsaThreshold{kind: kind, until: 100, classes: 3}.At(50)
		checkValues(t, "tsa "+kind+" threshold", []float64{got}, []float64{alpha*2/3 + 1.0/3})
	}
}

// TestDivergenceEntries pins soft_cross_entropy, kl, js, bce, cauchy and mse (reduce: none).
func TestDivergenceEntries(t *testing.T) {
	a := rowsIn(2, 3, 1, 0, -1, 0.2, 0.3, 2)
	b := rowsIn(2, 3, 0, 1, 0.5, 1, -1, 0)
	za, zb := rows64(a.values, 3), rows64(b.values, 3)
	kl := make([]float64, 2)
	js := make([]float64, 2)
	for i := range za {
		p, q := softmax64(za[i]), softmax64(zb[i])
		kl[i] = kl64(p, q)
		m := []float64{(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2}
		js[i] = kl64(p, m)/2 + kl64(q, m)/2
	}
	none := Args{"reduce": "none"}
	mean := Args{"reduce": "mean"}
	checkCase(t, "kl", entryCase{entry: "kl", args: mean, in: []entryInput{a, b}}, mean64(kl))
	checkCase(t, "kl reduce none", entryCase{entry: "kl", args: none, in: []entryInput{a, b}}, kl...)
	r := checkCase(t, "kl(x, x)", entryCase{entry: "kl", args: mean, in: []entryInput{a, a}}, 0)
	for i, gr := range r.grads {
		for j, v := range gr {
			if math.Abs(float64(v)) > 1e-6 {
				t.Errorf("kl(x, x): gradient %d of input %d = %g, want 0", j, i, v)
			}
		}
	}
	checkCase(t, "js", entryCase{entry: "js", args: mean, in: []entryInput{a, b}}, mean64(js))
	checkCase(t, "js swapped", entryCase{entry: "js", args: mean, in: []entryInput{b, a}}, mean64(js))
	checkCase(t, "js reduce none", entryCase{entry: "js", args: none, in: []entryInput{a, b}}, js...)
	checkCase(t, "js(x, x)", entryCase{entry: "js", args: mean, in: []entryInput{a, a}}, 0)

	// soft targets: −Σ_k t_k log softmax(z)_k
	target := rowsIn(2, 3, 0.2, 0.3, 0.5, 1, 0, 0)
	soft := make([]float64, 2)
	for i, tr := range rows64(target.values, 3) {
		p := softmax64(za[i])
		for k := range tr {
			soft[i] -= tr[k] * math.Log(p[k])
		}
	}
	checkCase(t, "soft_cross_entropy", entryCase{entry: "soft_cross_entropy", args: mean, in: []entryInput{a, target}}, mean64(soft))
	checkCase(t, "soft_cross_entropy reduce none", entryCase{entry: "soft_cross_entropy", args: none, in: []entryInput{a, target}}, soft...)

	// cauchy: d = (1, 2) and (−0.5, 1), ‖d‖² = 5 and 1.25. c = 1: log(1 + 5/2) = log 3.5 and
	// log(1 + 1.25/2) = log 1.625; c = 0.5, 1/(2c²) = 2: log 11 and log 3.5
	pred, tgt := rowsIn(2, 2, 1, 2, 0, 0.5), rowsIn(2, 2, 0, 0, 0.5, -0.5)
	checkCase(t, "cauchy c=1", entryCase{entry: "cauchy", args: Args{"c": 1.0, "reduce": "mean"}, in: []entryInput{pred, tgt}}, (math.Log(3.5)+math.Log(1.625))/2)
	checkCase(t, "cauchy c=0.5", entryCase{entry: "cauchy", args: Args{"c": 0.5, "reduce": "mean"}, in: []entryInput{pred, tgt}}, (math.Log(11)+math.Log(3.5))/2)
	checkCase(t, "cauchy c=0.5 reduce none", entryCase{entry: "cauchy", args: Args{"c": 0.5, "reduce": "none"}, in: []entryInput{pred, tgt}}, math.Log(11), math.Log(3.5))

	// mse reduce: none: (1² + 0² + 2²)/3 = 5/3 and (1² + 1² + 0²)/3 = 2/3
	checkCase(t, "mse reduce none", entryCase{entry: "mse", args: none, in: []entryInput{rowsIn(2, 3, 1, 2, 3, 0, 0, 0), rowsIn(2, 3, 0, 2, 5, 1, -1, 0)}}, 5.0/3, 2.0/3)
}

// TestBCEEntry pins binary cross-entropy at logits 0 and ±30 against the stable form
// max(z, 0) − z·y + log(1 + e^−|z|), and its gradient against (sigmoid(z) − y)/n.
func TestBCEEntry(t *testing.T) {
	z := []float32{0, 30, -30, 1.5, -2, 0}
	y := []float32{0.3, 0, 1, 0.7, 0.25, 1}
	per := make([]float64, len(z))
	for i := range z {
		zi, yi := float64(z[i]), float64(y[i])
		per[i] = max(zi, 0) - zi*yi + math.Log1p(math.Exp(-math.Abs(zi)))
	}
	// e.g. z = 0, y = 0.3: log 2; z = 30, y = 0: 30 + log(1 + e^−30); z = −30, y = 1: the same
	c := entryCase{entry: "bce", args: Args{"reduce": "mean"}, in: []entryInput{rowsIn(2, 3, z...), rowsIn(2, 3, y...)}}
	r := checkCase(t, "bce", c, mean64(per))
	for i := range z {
		want := (sigmoid64(float64(z[i])) - float64(y[i])) / float64(len(z))
		if math.Abs(float64(r.grads[0][i])-want) > 1e-7 {
			t.Errorf("bce: gradient at logit %g, target %g = %g, want (sigmoid(z) − y)/n = %g", z[i], y[i], r.grads[0][i], want)
		}
	}
	none := c
	none.args = Args{"reduce": "none"}
	checkCase(t, "bce reduce none", none, mean64(per[:3]), mean64(per[3:]))
}

// TestStopgradEntry checks that no gradient flows through stopgrad: Σ sg(x)·x has the
// gradient sg(x) = x, not 2x, and Σ sg(x)² has none.
func TestStopgradEntry(t *testing.T) {
	e, _ := Default.Entry("stopgrad")
	x := []float32{1, -2, 3}
	for _, squared := range []bool{false, true} {
		g := graph.New()
		p := tensor.NewParam("x", 3)
		copy(p.Value.Data, x)
		pn := g.Param(p)
		s := e.Build(&Builder{G: g}, []*graph.Node{pn}, nil)
		other := pn
		if squared {
			other = s
		}
		loss := g.SumAll(g.Mul(s, other))
		prog, err := g.Compile(graph.Options{Loss: loss, Outputs: []*graph.Node{loss}})
		if err != nil {
			t.Fatal(err)
		}
		if err := prog.Run(); err != nil {
			t.Fatal(err)
		}
		if v := prog.Value(loss).Data[0]; v != 14 {
			t.Errorf("stopgrad (squared %v): value %g, want 1 + 4 + 9 = 14", squared, v)
		}
		for j, gr := range p.Grad.Data {
			want := x[j]
			if squared {
				want = 0
			}
			if gr != want {
				t.Errorf("stopgrad (squared %v): gradient %d = %g, want %g", squared, j, gr, want)
			}
		}
	}
}

func threshold(v float64) schedule.Schedule { return schedule.Constant{Value: v} }

// TestUDA pins UDA consistency (PAPERS.md L3): the mean over the whole batch of
// 1[max softmax(weak) > τ]·KL(softmax(weak/T) ‖ softmax(strong)).
func TestUDA(t *testing.T) {
	// unsharpened max probabilities: row 0 e⁴/(e⁴+2) = 0.965; row 1 e/(e+e^0.5+1) = 0.506
	// (sharpened by T = 0.4 it would be 0.73); row 2 e³/(e³+2) = 0.909
	weak := rowsIn(3, 3, 4, 0, 0, 1, 0.5, 0, 0, 0, 3)
	strong := rowsIn(3, 3, 1, 0.5, -0.5, 0, 1, 0, 0.2, -0.3, 1)
	zw, zs := rows64(weak.values, 3), rows64(strong.values, 3)
	kl := make([]float64, 3)
	for i := range zw {
		sharp := []float64{zw[i][0] / 0.4, zw[i][1] / 0.4, zw[i][2] / 0.4}
		kl[i] = kl64(softmax64(sharp), softmax64(zs[i]))
	}
	in := []entryInput{weak, strong}
	args := func(tau float64, reduce string) Args {
		return Args{"temperature": 0.4, "threshold": threshold(tau), "reduce": reduce}
	}
	for _, c := range []struct {
		tau    float64
		reduce string
		want   []float64
		kept   float64
	}{
		{0.8, "mean", []float64{(kl[0] + kl[2]) / 3}, 2.0 / 3}, // row 1 masked, counted as 0
		{0.8, "none", []float64{kl[0], 0, kl[2]}, 2.0 / 3},
		{0.6, "mean", []float64{(kl[0] + kl[2]) / 3}, 2.0 / 3}, // the mask reads the unsharpened 0.506
		{0.5, "mean", []float64{(kl[0] + kl[1] + kl[2]) / 3}, 1},
	} {
		what := fmt.Sprintf("uda threshold %g reduce %s", c.tau, c.reduce)
		r := checkViews(t, what, entryCase{entry: "uda", args: args(c.tau, c.reduce), in: in}, c.want)
		checkValues(t, what+" mask_ratio", []float64{r.reports["mask_ratio"]}, []float64{c.kept})
	}
}

// checkViews is checkCase for consistency losses whose first input (the weak view) passes no
// gradient: its gradient must be exactly zero, and the second input's is checked
// against central differences.
func checkViews(t *testing.T, what string, c entryCase, want []float64) entryRun {
	t.Helper()
	r := c.run(t)
	checkValues(t, what, r.value, want)
	for j, gr := range r.grads[0] {
		if gr != 0 {
			t.Errorf("%s: gradient %d of the weak view = %g, want 0", what, j, gr)
		}
	}
	num := c.programDiff(t)
	checkGrad(t, what+": strong view", r.grads[1], num[1])
	return r
}

// TestFixMatch pins FixMatch: the mean over the batch of 1[max softmax(weak) > τ]·
// CE(strong, argmax weak).
func TestFixMatch(t *testing.T) {
	// max probabilities: row 0 e⁵/(e⁵+2) = 0.987 (class 0); row 1 e³/(e³+2) = 0.909;
	// row 2 e⁶/(e⁶+e+1) = 0.991 (class 2)
	weak := rowsIn(3, 3, 5, 0, 0, 0, 3, 0, 0, 1, 6)
	// the strong view's own argmax (1, 0, 0) differs from every pseudo-label
	strong := rowsIn(3, 3, 0.2, 1, -0.5, 1, 0, 0.3, 1, -0.3, 0.2)
	zs := rows64(strong.values, 3)
	ce := []float64{ce64(zs[0], 0), ce64(zs[1], 1), ce64(zs[2], 2)}
	in := []entryInput{weak, strong}
	r := checkViews(t, "fixmatch", entryCase{entry: "fixmatch", args: Args{"threshold": threshold(0.95), "reduce": "mean"}, in: in}, []float64{(ce[0] + ce[2]) / 3})
	checkValues(t, "fixmatch mask_ratio", []float64{r.reports["mask_ratio"]}, []float64{2.0 / 3})
	checkViews(t, "fixmatch reduce none", entryCase{entry: "fixmatch", args: Args{"threshold": threshold(0.95), "reduce": "none"}, in: in}, []float64{ce[0], 0, ce[2]})
	r = checkViews(t, "fixmatch threshold 0.9", entryCase{entry: "fixmatch", args: Args{"threshold": threshold(0.9), "reduce": "mean"}, in: in}, []float64{mean64(ce)})
	checkValues(t, "fixmatch threshold 0.9 mask_ratio", []float64{r.reports["mask_ratio"]}, []float64{1})
}

// elr64 is ELR by hand (PAPERS.md L1): p = clamp(softmax(z), 1e-4, 1−1e-4),
// t = β·old + (1−β)·p/Σp, loss = mean CE + λ·mean log(1 − ⟨t, p⟩). With frozen set, the
// targets are those instead (the gradient does not flow through them).
func elr64(z [][]float64, labels []float32, old [][]float64, beta, lambda float64, frozen [][]float64) (loss float64, targets [][]float64) {
	var ce, reg float64
	for i := range z {
		p := softmax64(z[i])
		var sum float64
		for k := range p {
			p[k] = min(max(p[k], 1e-4), 1-1e-4)
			sum += p[k]
		}
		ti := make([]float64, len(p))
		for k := range p {
			ti[k] = beta*old[i][k] + (1-beta)*p[k]/sum
		}
		if frozen != nil {
			ti = frozen[i]
		}
		targets = append(targets, ti)
		ce += ce64(z[i], int(labels[i]))
		reg += math.Log(1 - dot64(ti, p))
	}
	n := float64(len(z))
	return ce/n + lambda*reg/n, targets
}

// TestELR pins ELR's value and its new per-sample targets, and checks the gradient
// through p with the targets held fixed.
func TestELR(t *testing.T) {
	old := []float32{0.2, 0.5, 0.3, 0.6, 0.2, 0.2, 0, 0, 0}
	// row 2: softmax = (0.99991, 4.5e-5, 4.5e-5) is clamped to (0.9999, 1e-4, 1e-4)
	logits := rowsIn(3, 3, 2, 0.5, -1, 0, 1, 0.3, 10, 0, 0)
	labels := labelsIn(0, 2, 0)
	args := Args{"beta": 0.7, "lambda": 3.0}
	c := entryCase{entry: "elr", args: args, in: []entryInput{logits, labels}, state: map[string][]float32{"target": old}}
	r := c.run(t)
	want, targets := elr64(rows64(logits.values, 3), labels.values, rows64(old, 3), 0.7, 3, nil)
	checkValues(t, "elr", r.value, []float64{want})
	checkValues(t, "elr new targets", r.state["target"], slices.Concat(targets...))
	frozen := func(x []float64) float64 {
		v, _ := elr64(splitRows(x, 3), labels.values, rows64(old, 3), 0.7, 3, targets)
		return v
	}
	checkGrad(t, "elr (targets held)", r.grads[0], handDiff(frozen, logits.values))
	// with β = 1 the targets are the old rows, which do not depend on the logits, so
	// the program's own central differences apply
	c.args = Args{"beta": 1.0, "lambda": 3.0}
	want, _ = elr64(rows64(logits.values, 3), labels.values, rows64(old, 3), 1, 3, nil)
	checkCase(t, "elr beta 1", c, want)
	// a first step starts from zero targets
	c.args, c.state = args, nil
	want, targets = elr64(rows64(logits.values, 3), labels.values, rows64(make([]float32, 9), 3), 0.7, 3, nil)
	r = c.run(t)
	checkValues(t, "elr first step", r.value, []float64{want})
	checkValues(t, "elr first step new targets", r.state["target"], slices.Concat(targets...))
}

func splitRows(x []float64, width int) [][]float64 {
	var out [][]float64
	for i := 0; i < len(x); i += width {
		out = append(out, x[i:i+width])
	}
	return out
}

// ldr64 is LDR-KL by hand (PAPERS.md L5) for one row of normalised logits z:
// λ·log((1/K) Σ_k exp((c·1[k≠y] + z_k − z_y)/λ)).
func ldr64(z []float64, y int, c, lambda float64) float64 {
	d := make([]float64, len(z))
	for k := range z {
		if k != y {
			d[k] = c
		}
		d[k] = (d[k] + z[k] - z[y]) / lambda
	}
	return lambda * (logSumExp64(d) - math.Log(float64(len(z))))
}

// softplusNorm is softplus(z)/mean(softplus(z)).
func softplusNorm(z []float64) []float64 {
	sp := make([]float64, len(z))
	for k, v := range z {
		sp[k] = math.Log1p(math.Exp(v))
	}
	m := mean64(sp)
	for k := range sp {
		sp[k] /= m
	}
	return sp
}

// TestLDR pins LDR-KL with softplus normalisation at the defaults (margin 0.1, λ = 10),
// near the hinge (λ = 0.05) and with no margin, where it is CE of the normalised
// logits minus log K.
func TestLDR(t *testing.T) {
	logits := rowsIn(2, 4, 1, -0.5, 2, 0.3, 0, 0, 0.5, -1)
	labels := labelsIn(2, 1)
	z := rows64(logits.values, 4)
	in := []entryInput{logits, labels}
	for _, p := range [][2]float64{{0.1, 10}, {0.1, 0.05}, {0, 1}} {
		c, lambda := p[0], p[1]
		want := mean64(perRow64(z, labels.values, func(z []float64, y int) float64 { return ldr64(softplusNorm(z), y, c, lambda) }))
		if c == 0 && lambda == 1 {
			ce := mean64(perRow64(z, labels.values, func(z []float64, y int) float64 { return ce64(softplusNorm(z), y) }))
			if math.Abs(want-(ce-math.Log(4))) > 1e-12 {
				t.Errorf("hand values: LDR with no margin and λ = 1 is %g, want CE − log K = %g", want, ce-math.Log(4))
			}
		}
		checkCase(t, fmt.Sprintf("ldr margin %g lambda %g", c, lambda), entryCase{entry: "ldr", args: Args{"margin": c, "lambda": lambda}, in: in}, want)
	}
}

// aldr64 is ALDR-KL by hand (PAPERS.md L5; Optimization-AI/ICML2023_LDR ALDRLoss_V1):
// z' = z/(‖z‖₁/K); p = normalise(softmax(z'/λ_old) + 1e-5);
// λ_new = λ₀ − λ₀·KL(p ‖ u)/(α log K); loss = mean λ_new·log((1/K) Σ exp(d/λ_new)) −
// (α log K/(2λ₀))(λ_new − λ₀)². With frozen set, λ_new is those values instead.
func aldr64(z [][]float64, labels []float32, old []float64, c, l0, alpha float64, frozen []float64) (loss float64, lambdas []float64) {
	logK := math.Log(float64(len(z[0])))
	var sum float64
	for i := range z {
		var l1 float64
		for _, v := range z[i] {
			l1 += math.Abs(v)
		}
		zn := make([]float64, len(z[i]))
		for k, v := range z[i] {
			zn[k] = v / (l1 / float64(len(zn)))
		}
		scaled := make([]float64, len(zn))
		for k := range zn {
			scaled[k] = zn[k] / old[i]
		}
		p := softmax64(scaled)
		var ps float64
		for k := range p {
			p[k] += 1e-5
			ps += p[k]
		}
		var kl float64
		for k := range p {
			p[k] /= ps
			kl += p[k] * math.Log(p[k]*float64(len(p)))
		}
		lam := l0 - l0*kl/(alpha*logK)
		if frozen != nil {
			lam = frozen[i]
		}
		lambdas = append(lambdas, lam)
		sum += ldr64(zn, int(labels[i]), c, lam) - alpha*logK/(2*l0)*(lam-l0)*(lam-l0)
	}
	return sum / float64(len(z)), lambdas
}

// TestALDR pins ALDR-KL's value and its new per-sample λ, and checks the gradient with
// λ held fixed.
func TestALDR(t *testing.T) {
	logits := rowsIn(2, 3, 1, -0.5, 2, 0.3, 0.2, -1)
	labels := labelsIn(2, 0)
	old := []float32{10, 4}
	z := rows64(logits.values, 3)
	c := entryCase{entry: "aldr", args: Args{"margin": 0.1, "lambda": 10.0, "alpha": 2.0}, in: []entryInput{logits, labels}, state: map[string][]float32{"lambda": old}}
	r := c.run(t)
	want, lambdas := aldr64(z, labels.values, floats64(old), 0.1, 10, 2, nil)
	checkValues(t, "aldr", r.value, []float64{want})
	checkValues(t, "aldr new lambda", r.state["lambda"], lambdas)
	checkValues(t, "aldr_lambda report", []float64{r.reports["aldr_lambda"]}, []float64{mean64(lambdas)})
	for i, l := range lambdas {
		if !(l < 10 && l > 10*(1-1/2.0)) {
			t.Errorf("hand values: λ_%d = %g should lie in (λ₀(1 − 1/α), λ₀)", i, l)
		}
	}
	frozen := func(x []float64) float64 {
		v, _ := aldr64(splitRows(x, 3), labels.values, floats64(old), 0.1, 10, 2, lambdas)
		return v
	}
	checkGrad(t, "aldr (lambda held)", r.grads[0], handDiff(frozen, logits.values))
	// a first step: the state starts at λ₀
	c.state = nil
	want, lambdas = aldr64(z, labels.values, []float64{10, 10}, 0.1, 10, 2, nil)
	r = c.run(t)
	checkValues(t, "aldr first step", r.value, []float64{want})
	checkValues(t, "aldr first step new lambda", r.state["lambda"], lambdas)
	// with α huge λ stays at λ₀ whatever the logits, so the program's own central
	// differences apply
	c.args = Args{"margin": 0.1, "lambda": 10.0, "alpha": 1e6}
	want, _ = aldr64(z, labels.values, []float64{10, 10}, 0.1, 10, 1e6, nil)
	checkCase(t, "aldr alpha 1e6", c, want)
}

// adawac64 is AdaWAC by hand in the form of PAPERS.md L2: from β⁰ = sigmoid(a_old),
// β⁰ ← β⁰·e^{η·ℓ_sup}/(β⁰·e^{η·ℓ_sup} + β¹·e^{η·ℓ_AC}); loss = mean β⁰ℓ_sup + β¹ℓ_AC.
func adawac64(sup, cons, oldLogOdds []float64, lr float64) (loss float64, beta0 []float64) {
	for i := range sup {
		b0 := sigmoid64(oldLogOdds[i])
		w0, w1 := b0*math.Exp(lr*sup[i]), (1-b0)*math.Exp(lr*cons[i])
		b0 = w0 / (w0 + w1)
		beta0 = append(beta0, b0)
		loss += b0*sup[i] + (1-b0)*cons[i]
	}
	return loss / float64(len(sup)), beta0
}

// TestAdaWAC pins AdaWAC's value and its new log-odds a = log(β⁰/β¹), and checks the
// gradients β⁰/B and β¹/B.
func TestAdaWAC(t *testing.T) {
	sup, cons := vecIn(2, 0.5, 1), vecIn(0.5, 1.5, 1)
	old := []float32{0, 1, -2}
	c := entryCase{entry: "adawac", args: Args{"lr": 1.0}, in: []entryInput{sup, cons}, state: map[string][]float32{"logodds": old}}
	r := c.run(t)
	// a_new = a_old + (ℓ_sup − ℓ_AC) = (1.5, 0, −2)
	want, beta0 := adawac64(floats64(sup.values), floats64(cons.values), floats64(old), 1)
	checkValues(t, "adawac", r.value, []float64{want})
	logOdds := make([]float64, len(beta0))
	for i, b := range beta0 {
		logOdds[i] = math.Log(b / (1 - b))
	}
	checkValues(t, "adawac new log-odds", r.state["logodds"], logOdds)
	checkValues(t, "adawac hand log-odds", logOdds, []float64{1.5, 0, -2})
	checkValues(t, "adawac_beta0 report", []float64{r.reports["adawac_beta0"]}, []float64{mean64(beta0)})
	// the weights are detached: ∂/∂ℓ_sup,i = β⁰_i/B and ∂/∂ℓ_AC,i = β¹_i/B
	for i, b := range beta0 {
		checkGrad(t, "adawac supervised", r.grads[0][i:i+1], []float64{b / 3})
		checkGrad(t, "adawac consistency", r.grads[1][i:i+1], []float64{(1 - b) / 3})
	}
	// a first step starts from β = (½, ½)
	c.state = nil
	want, beta0 = adawac64(floats64(sup.values), floats64(cons.values), []float64{0, 0, 0}, 1)
	r = c.run(t)
	checkValues(t, "adawac first step", r.value, []float64{want})
	checkValues(t, "adawac first step beta0", []float64{r.reports["adawac_beta0"]}, []float64{mean64(beta0)})
	// with lr = 0 the weights do not move, so the program's own central differences apply
	c.args, c.state = Args{"lr": 0.0}, map[string][]float32{"logodds": old}
	want, _ = adawac64(floats64(sup.values), floats64(cons.values), floats64(old), 0)
	checkCase(t, "adawac lr 0", c, want)
}
