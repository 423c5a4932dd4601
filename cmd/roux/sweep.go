package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/roux-ml/roux"
)

// cmdSweep runs a recipe once per seed and prints each run's final metrics and their
// mean ± standard deviation, the way results tables are reported.
func cmdSweep(args []string, stdout, stderr io.Writer) int {
	fs, sets := recipeFlags("sweep")
	seedList := fs.String("seeds", "1,2,3", "comma-separated training seeds")
	file, ok := parseArgs(fs, args, stderr)
	if !ok {
		return exitRecipe
	}
	seeds, err := parseSeeds(*seedList)
	if err != nil {
		fmt.Fprintf(stderr, "roux sweep: %v\n", err)
		return exitRecipe
	}
	var runs []sweepRun
	for _, seed := range seeds {
		r, ok := load(file, append(append([]string(nil), *sets...), "train.seed="+strconv.Itoa(seed)), stderr)
		if !ok {
			return exitRecipe
		}
		run, err := sweepOne(r)
		if err != nil {
			fmt.Fprintf(stderr, "roux sweep: seed %d: %v\n", seed, err)
			return exitRuntime
		}
		fmt.Fprintf(stdout, "seed %d: %s\n", seed, run.format())
		runs = append(runs, run)
	}
	fmt.Fprintf(stdout, "mean ± std over %d seeds: %s\n", len(runs), summarize(runs))
	return exitOK
}

func parseSeeds(list string) ([]int, error) {
	var seeds []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("--seeds takes whole numbers separated by commas, like 1,2,3; got %q", s)
		}
		seeds = append(seeds, n)
	}
	return seeds, nil
}

// sweepRun is what one seed's run reports.
type sweepRun struct {
	metrics map[string]float64 // "test accuracy", "test loss", ..., "sparsity", "avg params", "s/epoch"
}

func sweepOne(r *roux.Recipe) (sweepRun, error) {
	dir, err := os.MkdirTemp("", "roux-sweep-")
	if err != nil {
		return sweepRun{}, err
	}
	defer os.RemoveAll(dir) // a recipe that checkpoints writes here, not into the user's tree
	s, err := roux.NewSession(r, roux.Options{CheckpointDir: dir})
	if err != nil {
		return sweepRun{}, err
	}
	last := map[string]roux.EvalResult{}
	best := map[string]float64{} // the highest accuracy of each data set over the run
	start := time.Now()
	after := func(e roux.EvalResult) {
		last[e.Data] = e
		if a, ok := e.Metrics["accuracy"]; ok {
			best[e.Data] = max(best[e.Data], a)
		}
	}
	if err := s.Train(context.Background(), roux.Hooks{AfterEval: after}); err != nil {
		return sweepRun{}, err
	}
	secs := time.Since(start).Seconds()
	run := sweepRun{metrics: map[string]float64{"wall s": secs, "s/epoch": secs / s.Clock().Epoch()}}
	for data, e := range last {
		for k, v := range e.Metrics {
			run.metrics[data+" "+k] = v
		}
		for k, v := range e.Train {
			run.metrics["train "+k] = v
		}
		if b, ok := best[data]; ok {
			run.metrics[data+" best accuracy"] = b
		}
		if len(r.Masks) > 0 {
			run.metrics["sparsity"] = e.Sparsity
			run.metrics["avg params"] = e.AvgParams
		}
	}
	return run, nil
}

func (r sweepRun) names() []string {
	names := make([]string, 0, len(r.metrics))
	for k := range r.metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func (r sweepRun) format() string {
	var parts []string
	for _, k := range r.names() {
		parts = append(parts, k+" "+formatValue(k, r.metrics[k]))
	}
	return strings.Join(parts, ", ")
}

func formatValue(name string, v float64) string {
	switch {
	case strings.HasSuffix(name, "accuracy"):
		return fmt.Sprintf("%.2f%%", 100*v)
	case name == "avg params":
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4f", v)
}

// summarize prints mean ± sample standard deviation of every metric.
func summarize(runs []sweepRun) string {
	var parts []string
	for _, k := range runs[0].names() {
		var sum, sq float64
		for _, r := range runs {
			sum += r.metrics[k]
		}
		mean := sum / float64(len(runs))
		for _, r := range runs {
			sq += (r.metrics[k] - mean) * (r.metrics[k] - mean)
		}
		std := 0.0
		if len(runs) > 1 {
			std = math.Sqrt(sq / float64(len(runs)-1))
		}
		parts = append(parts, fmt.Sprintf("%s %s ± %s", k, formatValue(k, mean), formatValue(k, std)))
	}
	return strings.Join(parts, ", ")
}
