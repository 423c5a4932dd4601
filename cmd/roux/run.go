package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"

	"github.com/roux-ml/roux"
)

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs, sets := recipeFlags("run")
	metricsPath := fs.String("metrics", "", "write one JSON object per evaluation to this file")
	quiet := fs.Bool("quiet", false, "print only the final summary")
	save := fs.String("save", "", "write a checkpoint to this directory at the end")
	resume := fs.String("resume", "", "continue from the checkpoint in this directory")
	allowChange := fs.Bool("allow-recipe-change", false, "with --resume: start this recipe from a checkpoint of another one")
	ckptDir := fs.String("checkpoint-dir", "", "where the recipe's periodic checkpoints go (default checkpoints/NAME)")
	file, r, ok := parseAndLoad(fs, sets, args, stderr)
	if !ok {
		return exitRecipe
	}
	if r.Procedure != nil && (*save != "" || *resume != "") {
		fmt.Fprintf(stderr, "roux run: %s has a procedure, and checkpoints of procedures are not supported yet: drop --save and --resume\n", file)
		return exitRecipe
	}
	if r.Train.Checkpoint.Amount > 0 && *ckptDir == "" {
		*ckptDir = roux.DefaultCheckpointDir(file)
	}
	s, err := roux.NewSession(r, roux.Options{Log: stderr, CheckpointDir: *ckptDir})
	if err == nil && *resume != "" {
		err = s.Load(*resume, *allowChange)
	}
	if err != nil {
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return exitRuntime
	}
	rep, err := newReporter(s, stdout, stderr, *metricsPath, *quiet)
	if err != nil {
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return exitRuntime
	}
	if plans, err := roux.Plan(r); err == nil && !*quiet {
		roux.PrintPlan(stdout, plans, s.Clock().TotalSteps)
	}
	defer rep.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := s.Train(ctx, roux.Hooks{AfterStep: rep.step, AfterEval: rep.eval}); err != nil {
		rep.clearLine()
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return exitRuntime
	}
	rep.summary()
	if *save != "" {
		if err := s.Save(*save); err != nil {
			fmt.Fprintf(stderr, "roux: %v\n", err)
			return exitRuntime
		}
	}
	return exitOK
}

// reporter prints progress, per-epoch lines, metrics files and the final summary.
type reporter struct {
	s              *roux.Session
	stdout, stderr io.Writer
	metrics        *os.File
	enc            *json.Encoder
	quiet, tty     bool
	start, shown   time.Time
	epochLoss      float64
	epochSteps     int
	last           map[string]roux.EvalResult
	statsShown     int // the step whose training statistics were printed
}

func newReporter(s *roux.Session, stdout, stderr io.Writer, metricsPath string, quiet bool) (*reporter, error) {
	r := &reporter{s: s, stdout: stdout, stderr: stderr, quiet: quiet, start: time.Now(), last: map[string]roux.EvalResult{}, statsShown: -1}
	if f, ok := stderr.(*os.File); ok {
		r.tty = isatty.IsTerminal(f.Fd())
	}
	if metricsPath != "" {
		f, err := os.Create(metricsPath)
		if err != nil {
			return nil, err
		}
		r.metrics, r.enc = f, json.NewEncoder(f)
	}
	return r, nil
}

func (r *reporter) close() {
	if r.metrics != nil {
		r.metrics.Close()
	}
}

// step records a step's loss and redraws the progress bar at most ten times a second.
func (r *reporter) step(step int, loss float64) {
	r.epochLoss += loss
	r.epochSteps++
	c := r.s.Clock()
	if step%c.StepsPerEpoch == 0 && !r.quiet && !r.tty {
		r.epochLine(c.Step / c.StepsPerEpoch)
	}
	if step%c.StepsPerEpoch == 0 {
		r.epochLoss, r.epochSteps = 0, 0
	}
	if r.tty && !r.quiet && time.Since(r.shown) > 100*time.Millisecond {
		r.shown = time.Now()
		r.progress(step, loss)
	}
}

func (r *reporter) progress(step int, loss float64) {
	c := r.s.Clock()
	elapsed := time.Since(r.start).Seconds()
	rate := float64(step*r.s.Recipe().SamplesPerStep()) / elapsed
	eta := time.Duration(elapsed / float64(step) * float64(c.TotalSteps-step) * float64(time.Second)).Round(time.Second)
	width := 24
	done := width * step / c.TotalSteps
	bar := strings.Repeat("=", done) + strings.Repeat(" ", width-done)
	epochs := (c.TotalSteps + c.StepsPerEpoch - 1) / c.StepsPerEpoch
	fmt.Fprintf(r.stderr, "\r\033[Kepoch %d/%d [%s] step %d/%d  loss %.4f  %.0f samples/s  ETA %s",
		min(step/c.StepsPerEpoch+1, epochs), epochs, bar, step, c.TotalSteps, loss, rate, eta)
}

func (r *reporter) clearLine() {
	if r.tty && !r.quiet {
		fmt.Fprint(r.stderr, "\r\033[K")
	}
}

// epochLine prints one plain line per epoch when the output is not a terminal.
func (r *reporter) epochLine(epoch int) {
	fmt.Fprintf(r.stdout, "epoch %d/%.0f  train loss %.4f  %.1fs\n", epoch, float64(r.s.Clock().TotalSteps)/float64(r.s.Clock().StepsPerEpoch),
		r.epochLoss/float64(max(r.epochSteps, 1)), time.Since(r.start).Seconds())
}

// eval prints an evaluation and appends it to the metrics file.
func (r *reporter) eval(e roux.EvalResult) {
	r.last[e.Data] = e
	if r.enc != nil {
		rec := map[string]any{"step": e.Step, "epoch": e.Epoch, "data": e.Data, "lr": e.LR, "time": time.Since(r.start).Seconds(),
			"avg_params": e.AvgParams}
		if len(r.s.Sparsity()) > 0 {
			rec["sparsity"] = e.Sparsity
		}
		for k, v := range e.Metrics {
			rec[k] = v
		}
		for k, v := range e.Train {
			rec["train "+k] = v
		}
		r.enc.Encode(rec)
	}
	if !r.quiet {
		r.clearLine()
		fmt.Fprintf(r.stdout, "  eval %-8s step %d (epoch %.2f): %s\n", e.Data, e.Step, e.Epoch, formatMetrics(e))
		if len(e.Train) > 0 && e.Step != r.statsShown {
			r.statsShown = e.Step
			fmt.Fprintf(r.stdout, "  training since the last eval: %s\n", roux.FormatStats(e.Train))
		}
	}
}

func formatMetrics(e roux.EvalResult) string {
	names := make([]string, 0, len(e.Metrics))
	for k := range e.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		if strings.HasSuffix(k, "accuracy") || k == "memorized" {
			parts[i] = fmt.Sprintf("%s %.2f%%", k, 100*e.Metrics[k])
		} else {
			parts[i] = fmt.Sprintf("%s %.4f", k, e.Metrics[k])
		}
	}
	return strings.Join(parts, ", ")
}

// summary prints the run's totals and the last evaluation of every data set.
func (r *reporter) summary() {
	r.clearLine()
	c := r.s.Clock()
	secs := time.Since(r.start).Seconds()
	fmt.Fprintf(r.stdout, "done: %s epochs, %d steps in %.1fs (%.0f samples/s)", strconv.FormatFloat(c.Epoch(), 'f', -1, 64), c.Step, secs,
		float64(c.Step*r.s.Recipe().SamplesPerStep())/secs)
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(r.stdout, ", peak memory %.0f MB", float64(rss)/(1<<20))
	}
	fmt.Fprintln(r.stdout)
	names := make([]string, 0, len(r.last))
	for k := range r.last {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(r.stdout, "final %s: %s\n", k, formatMetrics(r.last[k]))
	}
	r.sparsityTable()
}

// sparsityTable prints the realised sparsity of every masked weight, overall, and N̄,
// and writes them to the metrics file as a last record.
func (r *reporter) sparsityTable() {
	ps := r.s.Sparsity()
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(r.stdout, "realised sparsity:\n  %-8s %-20s %-12s %9s %9s %8s\n", "mask", "parameter", "shape", "active", "size", "sparsity")
	per := map[string]float64{}
	size, active := 0, 0
	for _, p := range ps {
		sp := 1 - float64(p.Active)/float64(p.Size)
		per[p.Path] = sp
		size, active = size+p.Size, active+p.Active
		fmt.Fprintf(r.stdout, "  %-8s %-20s %-12s %9d %9d %8.4f\n", p.Mask, p.Path, fmt.Sprint(p.Shape), p.Active, p.Size, sp)
	}
	overall := 1 - float64(active)/float64(size)
	fmt.Fprintf(r.stdout, "  %-8s %-20s %-12s %9d %9d %8.4f\n", "", "overall", "", active, size, overall)
	fmt.Fprintf(r.stdout, "average parameters in use over the run (N̄): %.0f\n", r.s.AvgParams())
	if r.enc != nil {
		r.enc.Encode(map[string]any{"final": true, "step": r.s.Clock().Step, "sparsity": overall, "param_sparsity": per, "avg_params": r.s.AvgParams()})
	}
}
