package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/roux-ml/roux/runtime/checkpoint"
)

// cmdInspect prints what a checkpoint holds: every tensor's shape, sparsity, norm, range
// and N:M structure, and the recipe that wrote it.
func cmdInspect(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "roux inspect: expected one checkpoint directory\n%s", usage)
		return exitRecipe
	}
	c, err := checkpoint.Load(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "roux inspect: %v\n", err)
		return exitRuntime
	}
	m := c.Meta
	fmt.Fprintf(stdout, "checkpoint %s: step %d, epoch %d, seed %d, recipe hash %.12s\n", args[0], m.Step, m.Epoch, m.Seed, m.RecipeHash)
	fmt.Fprintf(stdout, "%-34s %-12s %9s %9s %10s %10s %10s  %s\n", "tensor", "shape", "size", "sparsity", "norm", "min", "max", "N:M")
	for _, t := range c.Tensors {
		st := statsOf(t.Data)
		fmt.Fprintf(stdout, "%-34s %-12s %9d %9.4f %10.4g %10.4g %10.4g  %s\n", t.Name, fmt.Sprint(t.Shape), len(t.Data),
			st.sparsity, st.norm, st.min, st.max, nmPattern(t.Data, t.Shape))
	}
	fmt.Fprintf(stdout, "\nrecipe:\n%s", indent(m.Recipe))
	return exitOK
}

type tensorStats struct{ sparsity, norm, min, max float64 }

func statsOf(xs []float32) tensorStats {
	if len(xs) == 0 {
		return tensorStats{}
	}
	st := tensorStats{min: math.Inf(1), max: math.Inf(-1)}
	zeros := 0
	for _, x := range xs {
		v := float64(x)
		if v == 0 {
			zeros++
		}
		st.norm += v * v
		st.min, st.max = math.Min(st.min, v), math.Max(st.max, v)
	}
	st.norm = math.Sqrt(st.norm)
	st.sparsity = float64(zeros) / float64(len(xs))
	return st
}

// nmPattern names the N:M structures a weight satisfies along its input dimension (the
// last one): for M in 4, 8 and 16, the most nonzeros any group of M holds, when that
// is fewer than M.
func nmPattern(xs []float32, shape []int) string {
	if len(shape) < 2 {
		return ""
	}
	in := shape[len(shape)-1]
	var out []string
	for _, m := range []int{4, 8, 16} {
		if in%m != 0 {
			continue
		}
		if n := maxGroup(xs, m); n < m {
			out = append(out, fmt.Sprintf("%d:%d", n, m))
		}
	}
	return strings.Join(out, " ")
}

func maxGroup(xs []float32, m int) int {
	most := 0
	for g := 0; g+m <= len(xs); g += m {
		n := 0
		for _, x := range xs[g : g+m] {
			if x != 0 {
				n++
			}
		}
		most = max(most, n)
	}
	return most
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n") + "\n"
}
