package repl

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/tensor"
)

// sparsity prints the realised sparsity of the masked weights a selector matches.
func (r *REPL) sparsity(_ context.Context, args string) error {
	all := r.sess.Sparsity()
	if len(all) == 0 {
		return errNoMasks
	}
	rows, err := r.maskedRows(args, all)
	if err != nil {
		return err
	}
	r.printf("  %-8s %-20s %-10s %8s %8s %9s\n", "mask", "parameter", "shape", "active", "size", "sparsity")
	for _, p := range rows {
		r.printf("  %-8s %-20s %-10s %8d %8d %9.4f\n", p.Mask, p.Path, fmt.Sprint(p.Shape), p.Active, p.Size, 1-float64(p.Active)/float64(p.Size))
	}
	active, size := counts(rows)
	r.printf("  %-8s %-20s %-10s %8d %8d %9.4f\n", "overall", "", "", active, size, overall(rows))
	return nil
}

// maskedRows keeps the rows whose parameter the selector matches (all of them for an
// empty selector); matching only unmasked parameters is an error.
func (r *REPL) maskedRows(sel string, all []roux.ParamSparsity) ([]roux.ParamSparsity, error) {
	if sel == "" {
		return all, nil
	}
	params, err := selectParams(sel, r.sess.Params())
	if err != nil {
		return nil, err
	}
	var out []roux.ParamSparsity
	for _, p := range params {
		for _, row := range all {
			if row.Path == p.Name {
				out = append(out, row)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s matches no masked weight; the masked weights are %s", sel, maskedNames(all))
	}
	return out, nil
}

func maskedNames(all []roux.ParamSparsity) string {
	s := ""
	for i, p := range all {
		if i > 0 {
			s += ", "
		}
		s += p.Path
	}
	return s
}

func counts(rows []roux.ParamSparsity) (active, size int) {
	for _, p := range rows {
		active, size = active+p.Active, size+p.Size
	}
	return active, size
}

// overall is the share of the rows' masked entries that are pruned.
func overall(rows []roux.ParamSparsity) float64 {
	active, size := counts(rows)
	if size == 0 {
		return 0
	}
	return 1 - float64(active)/float64(size)
}

// weights prints statistics and a histogram of every matched weight.
func (r *REPL) weights(_ context.Context, args string) error {
	params, err := selectParams(args, r.sess.Params())
	if err != nil {
		return err
	}
	for _, p := range params {
		r.printWeight(p)
	}
	return nil
}

// printWeight prints one weight's statistics and histogram.
func (r *REPL) printWeight(p *tensor.Param) {
	st := stats(p.Value.Data)
	r.printf("%s %v  mean %.4g  std %.4g  min %.4g  max %.4g  norm %.4g  zeros %.1f%%\n",
		p.Name, p.Value.Shape, st.mean, st.std, st.min, st.max, st.norm, 100*st.zeros)
	r.printf("%s", histogram(p.Value.Data, st.min, st.max, 10, 40))
}

// state lists the session's state, or prints statistics and a histogram of one entry;
// per-sample state on data with label noise is also split into clean and corrupted
// samples, and AdaWAC's log-odds are also shown as the weight β⁰ = sigmoid(log-odds).
// stats prints the training statistics averaged since the last evaluation, one per
// line; an expert's load (its share of the rows) gets a bar.
func (r *REPL) stats(_ context.Context, args string) error {
	if err := noArgs("stats", args); err != nil {
		return err
	}
	st := r.sess.TrainStats()
	if len(st) == 0 {
		r.printf("no training statistics: they come from loss mixtures and mixture-of-experts layers, once a step has run\n")
		return nil
	}
	names := slices.Sorted(maps.Keys(st))
	width := 0
	for _, k := range names {
		width = max(width, len(k))
	}
	for _, k := range names {
		bar := ""
		if strings.Contains(k, " load[") { // a share of the rows, 0 to 1
			bar = " " + strings.Repeat("█", int(math.Round(20*min(max(st[k], 0), 1))))
		}
		r.printf("%-*s %8.4f%s\n", width, k, st[k], bar)
	}
	return nil
}

func (r *REPL) state(_ context.Context, args string) error {
	paths := r.sess.States()
	if args == "" {
		if len(paths) == 0 {
			r.printf("the session has no state\n")
		}
		for _, p := range paths {
			r.printf("%s %v\n", p, r.sess.State(p).Shape)
		}
		return nil
	}
	t := r.sess.State(args)
	if t == nil {
		return fmt.Errorf("no state named %s%s", args, suggest(args, paths))
	}
	type view struct {
		name   string
		values []float32
	}
	views := []view{{args, t.Data}}
	if name, of, ok := r.sess.StateView(args); ok {
		read := make([]float32, len(t.Data))
		for i, a := range t.Data {
			read[i] = float32(of(a))
		}
		views = append(views, view{name, read})
	}
	groups := r.sess.StateGroups(args)
	for _, v := range views {
		r.printValues(v.name, v.values)
		if groups == nil || len(t.Shape) != 1 {
			continue
		}
		var clean, corrupted []float32
		for i, x := range v.values {
			if groups[i] {
				corrupted = append(corrupted, x)
			} else {
				clean = append(clean, x)
			}
		}
		r.printValues(v.name+" (clean samples)", clean)
		r.printValues(v.name+" (corrupted samples)", corrupted)
	}
	return nil
}

// printValues prints statistics and a histogram of named values.
func (r *REPL) printValues(name string, xs []float32) {
	st := stats(xs)
	r.printf("%s: %d values  mean %.4g  std %.4g  min %.4g  max %.4g\n", name, len(xs), st.mean, st.std, st.min, st.max)
	r.printf("%s", histogram(xs, st.min, st.max, 10, 40))
}

// mask prints a density map of every matched masked weight, or with --png FILE draws
// the one matched mask's map into a picture.
func (r *REPL) mask(_ context.Context, args string) error {
	all := r.sess.Sparsity()
	if len(all) == 0 {
		return errNoMasks
	}
	sel, file, err := pngFlag(args)
	if err != nil {
		return err
	}
	if sel == "" {
		return errors.New("mask takes a selector, like mask net.h1.weight")
	}
	rows, err := r.maskedRows(sel, all)
	if err != nil {
		return err
	}
	if file != "" {
		return r.maskPNG(file, rows)
	}
	for _, p := range rows {
		r.printf("mask %s of %s %v: %d of %d active (sparsity %.4f)\n", p.Mask, p.Path, p.Shape, p.Active, p.Size, 1-float64(p.Active)/float64(p.Size))
		r.printf("%s", densityMap(r.sess.Mask(p.Path), p.Shape, 20, 60))
	}
	return nil
}

// plan prints the mask plan.
func (r *REPL) plan(_ context.Context, args string) error {
	if err := noArgs("plan", args); err != nil {
		return err
	}
	plans, err := roux.Plan(r.rec)
	if err != nil {
		return err
	}
	if len(plans) == 0 {
		return errNoMasks
	}
	roux.PrintPlan(r.out, plans, r.sess.Clock().TotalSteps)
	return nil
}

// graph prints the compiled training program.
func (r *REPL) graph(_ context.Context, args string) error {
	if err := noArgs("graph", args); err != nil {
		return err
	}
	text, err := r.sess.ProgramText()
	if err == nil {
		r.printf("%s", text)
	}
	return err
}

// recipe prints the checked recipe.
func (r *REPL) recipe(_ context.Context, args string) error {
	if err := noArgs("recipe", args); err != nil {
		return err
	}
	r.printf("%s", check.Dump(r.rec.Recipe))
	return nil
}

// summary holds a weight's statistics.
type summary struct {
	mean, std, min, max, norm, zeros float64
}

// stats computes a tensor's statistics in float64.
func stats(xs []float32) summary {
	s := summary{min: math.Inf(1), max: math.Inf(-1)}
	var sum, sq float64
	zeros := 0
	for _, x := range xs {
		v := float64(x)
		sum, sq = sum+v, sq+v*v
		s.min, s.max = math.Min(s.min, v), math.Max(s.max, v)
		if x == 0 {
			zeros++
		}
	}
	n := float64(len(xs))
	s.mean, s.norm, s.zeros = sum/n, math.Sqrt(sq), float64(zeros)/n
	s.std = math.Sqrt(math.Max(sq/n-s.mean*s.mean, 0))
	return s
}
