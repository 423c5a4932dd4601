package roux

import (
	"fmt"
	"slices"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/augment"
	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/tensor"
	"github.com/roux-ml/roux/runtime/train"
	"github.com/roux-ml/roux/stdlib"
)

// Loss mixtures: several data streams drawn each step, augmented views, per-sample state
// and training statistics. The lowerer records what each program needs fed and stored;
// bindMixture turns that into the program's Before and After.

// buildStreams makes a batcher for every data set of the loss besides the one that makes
// the epochs; each draws full batches, starting a new shuffled pass when one ends.
func (s *Session) buildStreams() {
	r := s.recipe
	s.streams = map[*check.Data]*data.Batcher{}
	for i, d := range r.Streams {
		if d == r.Stream {
			continue
		}
		b := data.NewBatcher(s.data[d], r.DrawSize(d), true, r.Train.Seed+uint64(i+1)*0x9E3779B97F4A7C15)
		b.DropLast = true
		s.streams[d] = b
	}
}

// draw advances every other stream by one batch.
func (s *Session) draw() error {
	for _, d := range s.recipe.Streams {
		b := s.streams[d]
		if b == nil {
			continue
		}
		if _, ok := b.Next(); !ok {
			if _, ok = b.Next(); !ok {
				return fmt.Errorf("data %s yields no batch", d.Name)
			}
		}
	}
	return nil
}

// batchOf is a stream's current batch: the trainer's for the epoch-making stream.
func (s *Session) batchOf(d *check.Data) *data.Batcher {
	if b := s.streams[d]; b != nil {
		return b
	}
	return s.trainer.Batches
}

// feed fills one program input before a step.
type feed struct {
	input string
	fill  func(p *graph.Program, dst []float32, step int)
}

// commit stores a per-sample state's new rows after a step.
type commit struct {
	node   *graph.Node
	state  *tensor.Tensor
	stream *check.Data
}

// report is a training statistic: a scalar, or a vector reported as name[i].
type report struct {
	name    string
	node    *graph.Node
	indexed []string // name[i] for a vector, made once
}

// streamInputs returns the x (and, when labels are used, y) inputs of a data set.
func (l *lowerer) streamInput(d *check.Data, field string) *graph.Node {
	if d == l.s.recipe.Stream {
		if field == "y" {
			return l.y
		}
		return l.x
	}
	key := field + "." + d.Name
	if n, ok := l.inputs[key]; ok {
		return n
	}
	rows := l.s.recipe.DrawSize(d)
	var n *graph.Node
	if field == "y" {
		n = l.g.Input(key, rows)
	} else {
		n = l.g.Input(key, append([]int{rows}, d.Info.Shape...)...)
	}
	l.inputs[key] = n
	l.feeds = append(l.feeds, feed{key, func(_ *graph.Program, dst []float32, _ int) {
		b := l.s.streams[d]
		if field == "y" {
			copy(dst, b.Y())
		} else {
			copy(dst, b.X())
		}
	}})
	return n
}

// augmented lowers strong(d.x): an input filled with this step's draw of the augmentation.
func (l *lowerer) augmented(v *check.Augmented) *graph.Node {
	src := l.streamInput(v.X.Data, "x")
	name := fmt.Sprintf("augment%d", v.Draw)
	n := l.g.Input(name, src.Shape...)
	ops := make([]augment.Op, len(v.Aug.Ops))
	for i, c := range v.Aug.Ops {
		e, _ := stdlib.Default.Entry(c.Sig.Name)
		ops[i] = e.Augment(l.s.args(c))
	}
	op := augment.Compose(ops...)
	img, _ := augment.Geometry(v.X.Data.Info.Shape) // 1×1×F for data that are not images, which only take the augmentations that ignore geometry
	srcName := "x"
	if v.X.Data != l.s.recipe.Stream {
		srcName += "." + v.X.Data.Name
	}
	rows, seed, draw := src.Shape[0], l.s.recipe.Train.Seed, uint64(v.Draw)
	l.feeds = append(l.feeds, feed{name, func(p *graph.Program, dst []float32, step int) {
		op.Apply(dst, p.Input(srcName).Data, rows, img, mixSeed(seed, uint64(step), draw))
	}})
	return n
}

// mixSeed derives the seed of one augmentation draw at one step (splitmix64 finalizer).
func mixSeed(seed, step, draw uint64) uint64 {
	z := seed ^ step*0x9E3779B97F4A7C15 ^ draw*0xBF58476D1CE4E5B9
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// sampleState gives a per-sample loss the rows of its state for the batch, and records
// how the new rows are stored after the step.
func (l *lowerer) sampleState(c *check.Call, name string, width int, fill float32) (*graph.Node, func(*graph.Node)) {
	d := c.Stream
	path := l.statePath(c, name)
	rows := l.s.data[d].Len()
	shape, in := []int{rows}, []int{l.rowsOf(d)}
	if width > 0 {
		shape, in = append(shape, width), append(in, width)
	}
	st := l.s.weights.state(path, shape, fill)
	l.s.sampleStates[path] = d
	n := l.g.Input(path, in...)
	w := max(width, 1)
	l.feeds = append(l.feeds, feed{path, func(_ *graph.Program, dst []float32, _ int) {
		for r, i := range l.s.batchOf(d).Index() {
			copy(dst[r*w:(r+1)*w], st.Data[int(i)*w:(int(i)+1)*w])
		}
	}})
	return n, func(next *graph.Node) {
		if !slices.Equal(next.Shape, n.Shape) {
			panic(&graph.Error{Origin: c.At.String(), Msg: fmt.Sprintf("%s: new state %s has shape %v, want %v", c.Sig.Name, name, next.Shape, n.Shape)})
		}
		l.commits = append(l.commits, commit{next, st, d})
	}
}

// rowsOf is how many rows of a data set a step of this program holds.
func (l *lowerer) rowsOf(d *check.Data) int {
	if d == l.s.recipe.Stream {
		return l.batch
	}
	return l.s.recipe.DrawSize(d)
}

// statePath names a loss's per-sample state: loss.ENTRY.NAME, numbered from the second
// loss of the same entry on (loss.elr2.target).
func (l *lowerer) statePath(c *check.Call, name string) string {
	k := 0
	check.Walk(l.s.recipe.Loss, func(v check.Value) bool {
		o, ok := v.(*check.Call)
		if ok && o.Sig.Name == c.Sig.Name {
			k++
		}
		return o == c
	})
	entry := c.Sig.Name
	if k > 1 {
		entry += fmt.Sprint(k)
	}
	return "loss." + entry + "." + name
}

// bindMixture gives a training program its Before (draw the other streams, fill the
// fed inputs) and After (store per-sample state, record statistics).
func (l *lowerer) bindMixture(c *train.Compiled) {
	p := c.Prog
	if len(l.feeds) > 0 || len(l.s.streams) > 0 {
		type bound struct {
			dst  []float32
			fill func(*graph.Program, []float32, int)
		}
		var fs []bound
		for _, f := range l.feeds {
			fs = append(fs, bound{p.Input(f.input).Data, f.fill})
		}
		s := l.s
		c.Before = func(step int) error {
			if err := s.draw(); err != nil {
				return err
			}
			for _, f := range fs {
				f.fill(p, f.dst, step)
			}
			return nil
		}
	}
	if len(l.commits) == 0 && len(l.reports) == 0 {
		return
	}
	commits, reports, s := l.commits, l.reports, l.s
	for i, rp := range reports {
		for j := range tensor.Numel(rp.node.Shape) {
			reports[i].indexed = append(reports[i].indexed, fmt.Sprintf("%s[%d]", rp.name, j))
		}
	}
	c.After = func() {
		for _, cm := range commits {
			v := p.Value(cm.node).Data
			w := len(cm.state.Data) / cm.state.Shape[0]
			for r, i := range s.batchOf(cm.stream).Index() {
				copy(cm.state.Data[int(i)*w:(int(i)+1)*w], v[r*w:(r+1)*w])
			}
		}
		for _, rp := range reports {
			v := p.Value(rp.node).Data
			if len(rp.node.Shape) == 0 {
				s.stats.add(rp.name, float64(v[0]))
				continue
			}
			for i, x := range v {
				s.stats.add(rp.indexed[i], float64(x))
			}
		}
	}
}

// stats are training statistics (a confidence mask's kept share, AdaWAC's mean weight)
// averaged over the steps since the last evaluation.
type stats struct {
	names []string
	sum   map[string]float64
	n     map[string]int
	stale bool // an evaluation has read them; the next step starts over
}

func (st *stats) add(name string, v float64) {
	if st.stale {
		clear(st.sum)
		clear(st.n)
		st.stale = false
	}
	if !slices.Contains(st.names, name) {
		st.names = append(st.names, name)
	}
	st.sum[name] += v
	st.n[name]++
}

// means returns the averages and marks them read.
func (st *stats) means() map[string]float64 {
	out := st.peek()
	st.stale = true
	return out
}

// peek returns the averages without marking them read (after an evaluation, and
// until the next step, the ones it reported).
func (st *stats) peek() map[string]float64 {
	out := map[string]float64{}
	for _, name := range st.names {
		if st.n[name] > 0 {
			out[name] = st.sum[name] / float64(st.n[name])
		}
	}
	return out
}

// stateView is a named reading of per-sample state (AdaWAC's β⁰ from its log-odds).
type stateView struct {
	path string
	of   func(float32) float64
}

// stateByGroup summarises per-sample state of one value per sample on a data set with
// corrupted labels: its mean, and that of its view if it has one, over the clean and
// over the corrupted samples.
func (s *Session) stateByGroup() map[string]float64 {
	out := map[string]float64{}
	for path, d := range s.sampleStates {
		ds, st := s.data[d], s.weights.states[path]
		if ds.TrueY == nil || len(st.Shape) != 1 {
			continue
		}
		views := map[string]func(float32) float64{path: func(v float32) float64 { return float64(v) }}
		if v, ok := s.stateViews[path]; ok {
			views[v.path] = v.of
		}
		for name, view := range views {
			var sum [2]float64
			var n [2]int
			for i, v := range st.Data {
				g := 0
				if ds.Corrupted(i) {
					g = 1
				}
				sum[g] += view(v)
				n[g]++
			}
			for g, label := range []string{"clean", "corrupted"} {
				if n[g] > 0 {
					out[name+" "+label] = sum[g] / float64(n[g])
				}
			}
		}
	}
	return out
}
