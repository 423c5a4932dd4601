package repl

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/roux-ml/roux"
)

// step runs N optimizer steps and prints the last loss.
func (r *REPL) step(_ context.Context, args string) error {
	n := 1
	if args != "" {
		var err error
		if n, err = strconv.Atoi(args); err != nil || n < 1 {
			return fmt.Errorf("step takes a positive number of steps, not %q", args)
		}
	}
	if err := r.remaining(n); err != nil {
		return err
	}
	var loss float64
	for range n {
		var err error
		if loss, err = r.sess.Step(); err != nil {
			return err
		}
	}
	c := r.sess.Clock()
	r.printf("step %d of %d (epoch %s)  loss %.6f  lr %.6g\n", c.Step, c.TotalSteps, fmtEpoch(c.Epoch()), loss, r.sess.LR())
	return nil
}

// remaining refuses to run n steps past the end of the run.
func (r *REPL) remaining(n int) error {
	c := r.sess.Clock()
	left := c.TotalSteps - c.Step
	switch {
	case left == 0:
		return fmt.Errorf("the run is complete (step %d of %d); set train.epochs = N to extend it, or reload to start over", c.Step, c.TotalSteps)
	case n > left:
		return fmt.Errorf("only %d steps remain (step %d of %d)", left, c.Step, c.TotalSteps)
	}
	return nil
}

// train trains for a time or to the end, printing every evaluation; an interrupt stops
// it between two steps.
func (r *REPL) train(ctx context.Context, args string) error {
	n, err := r.trainSteps(args)
	if err != nil {
		return err
	}
	if err := r.remaining(min(n, 1)); err != nil {
		return err
	}
	from := r.sess.Clock().Step
	var last float64
	h := roux.Hooks{AfterStep: func(_ int, loss float64) { last = loss }, AfterEval: r.printEval}
	err = r.sess.TrainSteps(ctx, h, n)
	c := r.sess.Clock()
	if errors.Is(err, context.Canceled) {
		r.printf("interrupted at step %d of %d (epoch %s)\n", c.Step, c.TotalSteps, fmtEpoch(c.Epoch()))
		return nil
	}
	if err != nil {
		return err
	}
	r.printf("trained %d steps: step %d of %d (epoch %s)  loss %.6f\n", c.Step-from, c.Step, c.TotalSteps, fmtEpoch(c.Epoch()), last)
	return nil
}

// trainSteps parses "", "N epochs" or "N steps" into a number of steps.
func (r *REPL) trainSteps(args string) (int, error) {
	c := r.sess.Clock()
	if args == "" {
		return c.TotalSteps - c.Step, nil
	}
	f := strings.Fields(args)
	n, err := strconv.Atoi(f[0])
	if len(f) != 2 || err != nil || n < 1 {
		return 0, fmt.Errorf("train takes N epochs or N steps with a positive N, like train 2 epochs, not %q", args)
	}
	switch f[1] {
	case "epoch", "epochs":
		return n * c.StepsPerEpoch, nil
	case "step", "steps":
		return n, nil
	}
	return 0, fmt.Errorf("train counts in epochs or steps, not %q", f[1])
}

// printEval prints one evaluation on one line, metrics by name.
func (r *REPL) printEval(e roux.EvalResult) {
	names := make([]string, 0, len(e.Metrics))
	for k := range e.Metrics {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "  %s %.4f", k, e.Metrics[k])
	}
	r.printf("eval %-6s step %d (epoch %s)%s\n", e.Data, e.Step, fmtEpoch(e.Epoch), b.String())
	if len(e.Train) > 0 {
		r.printf("  training since the last eval: %s\n", roux.FormatStats(e.Train))
	}
}

// eval evaluates the recipe's eval data sets, or the training set when it has none.
func (r *REPL) eval(_ context.Context, args string) error {
	if err := noArgs("eval", args); err != nil {
		return err
	}
	if len(r.rec.Train.Evals) == 0 {
		e, err := r.sess.Evaluate(r.rec.Stream.Name)
		if err == nil {
			r.printEval(e)
		}
		return err
	}
	res, err := r.sess.Eval()
	for _, e := range res {
		r.printEval(e)
	}
	return err
}

// status prints where training is.
func (r *REPL) status(_ context.Context, args string) error {
	if err := noArgs("status", args); err != nil {
		return err
	}
	c := r.sess.Clock()
	r.printf("%s: step %d of %d (epoch %s of %d)  lr %.6g", r.file, c.Step, c.TotalSteps, fmtEpoch(c.Epoch()), c.TotalSteps/max(c.StepsPerEpoch, 1), r.sess.LR())
	if len(r.rec.Masks) > 0 {
		r.printf("  sparsity %.4f", overall(r.sess.Sparsity()))
	}
	r.printf("  N̄ %.1f\n", r.sess.AvgParams())
	for _, o := range r.overrides {
		r.printf("  set %s\n", o)
	}
	return nil
}
