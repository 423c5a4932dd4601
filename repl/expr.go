package repl

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/runtime/schedule"
)

// schedule plots a schedule over the whole run.
func (r *REPL) schedule(_ context.Context, args string) error {
	if args == "" {
		return fmt.Errorf("schedule takes a name: one of %s", strings.Join(r.sess.ScheduleNames(), ", "))
	}
	sc, err := r.lookupSchedule(args)
	if err != nil {
		return err
	}
	c := r.sess.Clock()
	r.printf("%s = %s over %d steps (%d per epoch)\n", args, sc, c.TotalSteps, c.StepsPerEpoch)
	r.printf("%s", plot(sc.At, c.TotalSteps, c.Step, 60, 12))
	r.printf("now: step %d, %s = %.6g\n", c.Step, args, sc.At(c.Step))
	return nil
}

// lookupSchedule finds a schedule by name, or says which names there are.
func (r *REPL) lookupSchedule(name string) (schedule.Schedule, error) {
	sc, ok := r.sess.Schedule(name)
	if !ok {
		all := r.sess.ScheduleNames()
		return nil, fmt.Errorf("no schedule named %s%s; the schedules are %s", name, suggest(name, all), strings.Join(all, ", "))
	}
	return sc, nil
}

// expression evaluates a line that is not a command: a schedule's current value,
// density(SELECTOR), sparsity(SELECTOR), or any number-or-schedule expression of the
// recipe (lr * 2, cosine(0.1 -> 0, until: end)) at the current step.
func (r *REPL) expression(line string) error {
	if r.sess == nil {
		return fmt.Errorf("%w\n  no recipe is loaded yet: load FILE", r.unknown(line))
	}
	fn, arg, isCall := parseCall(line)
	switch {
	case !isCall && slices.Contains(r.sess.ScheduleNames(), line):
		sc, _ := r.sess.Schedule(line)
		r.printf("%s = %.6g at step %d\n", line, sc.At(r.sess.Clock().Step), r.sess.Clock().Step)
		return nil
	case isCall && (fn == "density" || fn == "sparsity"):
		return r.density(fn, arg)
	}
	return r.scalar(line)
}

// valueName is the schedule a scalar expression is checked as.
const valueName = "repl_value"

// scalar checks a line as a schedule declared in the recipe and prints its value now. A
// line whose first word is close to a command's name is taken as a mistyped command.
func (r *REPL) scalar(line string) error {
	word, _, _ := strings.Cut(line, " ")
	if suggest(word, commandNames()) != "" {
		return r.unknown(line)
	}
	src := append(append([]byte(nil), r.rec.Source...), []byte("\nschedule "+valueName+" = "+line+"\n")...)
	rec, err := roux.Compile(r.file, src, r.overrides...)
	if err != nil {
		return err
	}
	sc, _ := r.sess.ScheduleOf(rec, valueName)
	step := r.sess.Clock().Step
	r.printf("%s = %.6g at step %d\n", line, sc.At(step), step)
	return nil
}

// parseCall splits "f(x)" into f and x.
func parseCall(line string) (fn, arg string, ok bool) {
	fn, rest, found := strings.Cut(line, "(")
	if !found || !strings.HasSuffix(rest, ")") {
		return "", "", false
	}
	return strings.TrimSpace(fn), strings.TrimSpace(strings.TrimSuffix(rest, ")")), true
}

// density prints the share of active (or, for sparsity, pruned) entries of the matched
// parameters: mask entries where a mask covers them, nonzero values elsewhere.
func (r *REPL) density(fn, sel string) error {
	params, err := selectParams(sel, r.sess.Params())
	if err != nil {
		return err
	}
	active, size := 0, 0
	for _, p := range params {
		xs := p.Value.Data
		if m := r.sess.Mask(p.Name); m != nil {
			xs = m
		}
		for _, x := range xs {
			if x != 0 {
				active++
			}
		}
		size += len(xs)
	}
	v := float64(active) / float64(size)
	if fn == "sparsity" {
		v = 1 - v
	}
	r.printf("%s(%s) = %.4f  (%d of %d active)\n", fn, sel, v, active, size)
	return nil
}

// unknown reports a line that is neither a command nor an expression.
func (r *REPL) unknown(line string) error {
	word := strings.Fields(line)[0]
	candidates := commandNames()
	if r.sess != nil {
		candidates = append(candidates, r.sess.ScheduleNames()...)
	}
	return fmt.Errorf("unknown command %s%s\n  commands: %s (help explains them)", word, suggest(word, candidates), strings.Join(commandNames(), ", "))
}
