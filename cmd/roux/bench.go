package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/runtime/kernels"
)

// gemmShapes are the products of one LeNet-300-100 training step at batch 128 (M, N, K,
// A transposed, B transposed), and 1024³, whose rate stands for the machine's peak.
var gemmShapes = []struct {
	name           string
	m, n, k        int
	transA, transB bool
}{
	{"forward 128x300x784", 128, 300, 784, false, true},
	{"forward 128x100x300", 128, 100, 300, false, true},
	{"forward 128x10x100", 128, 10, 100, false, true},
	{"weight grad 300x784x128", 300, 784, 128, true, false},
	{"weight grad 100x300x128", 100, 300, 128, true, false},
	{"input grad 128x300x100", 128, 300, 100, false, false},
	{"peak estimate 1024^3", 1024, 1024, 1024, false, false},
}

// cmdBench measures, in one run, the matrix products of a training step against the
// machine's best rate, and the epoch time of a recipe dense and with ERK masks of
// several densities against the dense epoch.
func cmdBench(args []string, stdout, stderr io.Writer) int {
	fs, sets := recipeFlags("bench")
	densities := fs.String("densities", "1,0.5,0.2,0.1,0.05,0.02,0.01,0.001", "ERK densities to time (1 is the recipe with a dense mask)")
	steps := fs.Int("steps", 0, "steps to time per density (default: one epoch)")
	args = withDefaultFile(args, "recipes/mnist_mlp.recipe")
	file, ok := parseArgs(fs, args, stderr)
	if !ok {
		return exitRecipe
	}
	ds, err := parseDensities(*densities)
	if err != nil {
		fmt.Fprintf(stderr, "roux bench: %v\n", err)
		return exitRecipe
	}
	benchGemm(stdout)
	return benchEpochs(stdout, stderr, file, *sets, ds, *steps)
}

// withDefaultFile adds the default recipe when no file argument is given.
func withDefaultFile(args []string, file string) []string {
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--set" || args[i] == "-set" || args[i] == "--densities" || args[i] == "--steps":
			i++
		case !strings.HasPrefix(args[i], "-"):
			return args
		}
	}
	return append([]string{file}, args...)
}

func parseDensities(list string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(list, ",") {
		d, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || d <= 0 || d > 1 {
			return nil, fmt.Errorf("--densities takes numbers in (0, 1] separated by commas, like 1,0.1,0.01; got %q", f)
		}
		out = append(out, d)
	}
	return out, nil
}

// benchGemm prints the GFLOP/s of each product and its share of the 1024³ rate, then
// that rate on one core: how much the other cores add to a product that splits
// perfectly, the ceiling for what they add to an epoch.
func benchGemm(w io.Writer) {
	fmt.Fprintf(w, "matrix products (%d cores, GFLOP/s; the last is the peak estimate):\n", runtime.GOMAXPROCS(0))
	rates := make([]float64, len(gemmShapes))
	for i, s := range gemmShapes {
		rates[i] = gemmRate(s.m, s.n, s.k, s.transA, s.transB, false)
	}
	peak := rates[len(rates)-1]
	for i, s := range gemmShapes {
		fmt.Fprintf(w, "  %-26s %7.1f  %5.0f%% of peak\n", s.name, rates[i], 100*rates[i]/peak)
	}
	one := gemmRate(1024, 1024, 1024, false, false, true)
	fmt.Fprintf(w, "  %-26s %7.1f  all cores give %.2f× one\n", "one core 1024^3", one, peak/one)
}

// gemmRate times one product shape for about a fifth of a second, on all cores or,
// if serial, on one.
func gemmRate(m, n, k int, transA, transB, serial bool) float64 {
	g := &kernels.Gemm{TransA: transA, TransB: transB, M: m, N: n, K: k, Serial: serial}
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) * 0.1
	}
	for i := range b {
		b[i] = float32(i%5) * 0.1
	}
	g.Run(c, a, b, false)
	runs, start := 0, time.Now()
	for time.Since(start) < 200*time.Millisecond {
		g.Run(c, a, b, false)
		runs++
	}
	return 2 * float64(m) * float64(n) * float64(k) * float64(runs) / time.Since(start).Seconds() / 1e9
}

// benchEpochs times the recipe dense, then at each density with an ERK mask over its
// first model's weights and, when that model is made of dense layers, with the same
// layers stored compressed (sparse_dense at the ERK densities).
func benchEpochs(w, stderr io.Writer, file string, sets []string, densities []float64, steps int) int {
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "roux bench: %v\n", err)
		return exitRecipe
	}
	dense, ok := load(file, sets, stderr)
	if !ok {
		return exitRecipe
	}
	_, whyNot := compressed(file, src, dense.Models[0], 1)
	fmt.Fprintf(w, "training %s (evaluation not timed):\n  %-10s %10s %12s %9s %12s %9s\n", file, "density", "s/epoch", "samples/s", "vs dense", "compressed", "vs dense")
	base, err := epochTime(dense, steps)
	if err != nil {
		fmt.Fprintf(stderr, "roux bench: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintf(w, "  %-10s %10.3f %12.0f %9.2f\n", "dense", base, samplesPerSecond(dense, base), 1.0)
	for _, d := range densities {
		label := fmt.Sprintf("%g%%", 100*d)
		decl := fmt.Sprintf("\nmask bench_sparse on %s.*.weight {\n    init = random(sparsity: %g, distribution: erk)\n}\n", dense.Models[0].Name, 1-d)
		t, code := benchVariant(file, append(append([]byte(nil), src...), decl...), sets, steps, stderr)
		if code != exitOK {
			return code
		}
		fmt.Fprintf(w, "  %-10s %10.3f %12.0f %9.2f", label, t, samplesPerSecond(dense, t), t/base)
		if whyNot == nil {
			c, err := compressed(file, src, dense.Models[0], d)
			if err != nil {
				fmt.Fprintf(stderr, "roux bench: %v\n", err)
				return exitRecipe
			}
			tc, code := benchVariant(file, c, sets, steps, stderr)
			if code != exitOK {
				return code
			}
			fmt.Fprintf(w, " %12.3f %9.2f", tc, tc/base)
		}
		fmt.Fprintln(w)
	}
	if whyNot != nil {
		fmt.Fprintf(w, "no compressed rows: %v\n", whyNot)
	}
	return exitOK
}

// benchVariant compiles a variant of the recipe and times one epoch of it.
func benchVariant(file string, src []byte, sets []string, steps int, stderr io.Writer) (float64, int) {
	r, err := roux.Compile(file, src, sets...)
	if re, isRecipe := roux.AsRecipeError(err); isRecipe {
		fmt.Fprint(stderr, re.Print())
		return 0, exitRecipe
	}
	t, err := epochTime(r, steps)
	if err != nil {
		fmt.Fprintf(stderr, "roux bench: %v\n", err)
		return 0, exitRuntime
	}
	return t, exitOK
}

// epochTime is the seconds one epoch of training takes, timed over steps steps (one
// epoch when 0) after one warm-up step.
func epochTime(r *roux.Recipe, steps int) (float64, error) {
	dir, err := os.MkdirTemp("", "roux-bench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir) // a recipe that checkpoints writes here, not into the user's tree
	s, err := roux.NewSession(r, roux.Options{CheckpointDir: dir})
	if err != nil {
		return 0, err
	}
	spe := s.Clock().StepsPerEpoch
	if steps <= 0 || steps > s.Clock().TotalSteps-1 {
		steps = min(spe, s.Clock().TotalSteps-1)
	}
	if _, err := s.Step(); err != nil {
		return 0, err
	}
	start := time.Now()
	for range steps {
		if _, err := s.Step(); err != nil {
			return 0, err
		}
	}
	return time.Since(start).Seconds() / float64(steps) * float64(spe), nil
}

func samplesPerSecond(r *roux.Recipe, secondsPerEpoch float64) float64 {
	return float64(r.StepsPerEpoch()*r.Train.Batch) / secondsPerEpoch
}
