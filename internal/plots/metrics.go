package plots

import (
	"io"
	"slices"
)

// Run is one training run's evaluations, as a metrics file holds them.
type Run struct {
	Name  string
	Evals []Eval
}

// Eval is one evaluation of one data set.
type Eval struct {
	Step        int
	Data        string
	LR          float64
	Sparsity    float64
	HasSparsity bool
	Metrics     map[string]float64 // accuracy, loss, ...
}

// Metrics writes the training curves of runs in format (one of Formats): a panel per
// metric (accuracy and loss first), then the learning rate, then the sparsity if any run
// has masks, stacked on a shared step axis. Each run and data set is one line.
func Metrics(w io.Writer, runs []Run, format string) error {
	sets := dataSets(runs)
	var panels []Panel
	for _, m := range metricNames(runs) {
		panels = append(panels, Panel{Title: m, Lines: metricLines(runs, sets, m), LegendBelow: m == "accuracy"})
	}
	panels = append(panels, Panel{Title: "learning rate", Lines: runLines(runs, func(e Eval) (float64, bool) { return e.LR, true })})
	if sp := runLines(runs, func(e Eval) (float64, bool) { return e.Sparsity, e.HasSparsity }); len(sp) > 0 {
		panels = append(panels, Panel{Title: "sparsity", Lines: sp, LegendBelow: true})
	}
	return Stacked(w, panels, "step", format)
}

// metricNames lists every metric of the runs: accuracy and loss first, the rest sorted.
func metricNames(runs []Run) []string {
	seen := map[string]bool{}
	for _, r := range runs {
		for _, e := range r.Evals {
			for m := range e.Metrics {
				seen[m] = true
			}
		}
	}
	var names []string
	for _, m := range []string{"accuracy", "loss"} {
		if seen[m] {
			names = append(names, m)
			delete(seen, m)
		}
	}
	rest := make([]string, 0, len(seen))
	for m := range seen {
		rest = append(rest, m)
	}
	slices.Sort(rest)
	return append(names, rest...)
}

// dataSets numbers the data sets of every run in order of first appearance.
func dataSets(runs []Run) map[string]int {
	sets := map[string]int{}
	for _, r := range runs {
		for _, e := range r.Evals {
			if _, ok := sets[e.Data]; !ok {
				sets[e.Data] = len(sets)
			}
		}
	}
	return sets
}

// metricLines is one line per run and data set of metric m.
func metricLines(runs []Run, sets map[string]int, m string) []Line {
	var lines []Line
	for i, r := range runs {
		for _, data := range setOrder(r) {
			l := Line{Label: r.Name + " " + data, Run: i, Set: sets[data]}
			for _, e := range r.Evals {
				if v, ok := e.Metrics[m]; ok && e.Data == data {
					l.X, l.Y = append(l.X, float64(e.Step)), append(l.Y, v)
				}
			}
			if len(l.X) > 0 {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// setOrder lists a run's data sets in order of first appearance.
func setOrder(r Run) []string {
	var out []string
	for _, e := range r.Evals {
		if !slices.Contains(out, e.Data) {
			out = append(out, e.Data)
		}
	}
	return out
}

// runLines is one line per run of a value that every data set's evaluation repeats (the
// learning rate, the sparsity): one point per step, where value reports one.
func runLines(runs []Run, value func(Eval) (float64, bool)) []Line {
	var lines []Line
	for i, r := range runs {
		l := Line{Label: r.Name, Run: i}
		for _, e := range r.Evals {
			v, ok := value(e)
			if ok && (len(l.X) == 0 || l.X[len(l.X)-1] != float64(e.Step)) {
				l.X, l.Y = append(l.X, float64(e.Step)), append(l.Y, v)
			}
		}
		if len(l.X) > 0 {
			lines = append(lines, l)
		}
	}
	return lines
}
