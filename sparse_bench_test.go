package roux_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/runtime/graph"
)

// sparseEpochDensities are the ERK densities of BenchmarkSparseEpoch.
var sparseEpochDensities = []float64{1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.001}

// BenchmarkSparseEpoch times one MNIST training epoch of LeNet-300-100 with a random
// ERK mask (recipes/mnist_erk.recipe, set up like BenchmarkLeNetEpoch) at each density
// of sparseEpochDensities, and the dense recipes/mnist_mlp.recipe in the same run; it
// reports the median s/epoch of each and its ratio to the dense epoch. Masked layers
// below graph.SparseCrossover density run the sparse kernels, the others Gemm; below
// the crossover it also times the same masks all on Gemm (ratio-maskeddense), the
// masked-dense computation the sparse kernels replace.
//
//	go test -run XXX -bench SparseEpoch -benchtime 1x .
func BenchmarkSparseEpoch(b *testing.B) {
	dense := epochTime(b, "recipes/mnist_mlp.recipe")
	b.ReportMetric(dense, "s/epoch-dense")
	for _, d := range sparseEpochDensities {
		set := fmt.Sprintf("sparse.init=random(sparsity: %g, distribution: erk)", 1-d)
		t := epochTime(b, "recipes/mnist_erk.recipe", set)
		b.ReportMetric(t, fmt.Sprintf("s/epoch-%g%%", 100*d))
		b.ReportMetric(t/dense, fmt.Sprintf("ratio-%g%%", 100*d))
		if d < graph.SparseCrossover {
			saved := graph.SparseCrossover
			graph.SparseCrossover = 0 // the same masked layers on Gemm
			md := epochTime(b, "recipes/mnist_erk.recipe", set)
			graph.SparseCrossover = saved
			b.ReportMetric(md/dense, fmt.Sprintf("ratio-maskeddense-%g%%", 100*d))
		}
	}
}

// epochTime returns the median time of b.N training epochs of a recipe.
func epochTime(b *testing.B, file string, overrides ...string) float64 {
	b.Helper()
	r, err := roux.Load(file, append(overrides, lenetLikeTorch...)...)
	if err != nil {
		b.Fatal(err)
	}
	return epochTimeOf(b, r)
}

// epochTimeOf returns the median time of b.N training epochs of a loaded recipe.
func epochTimeOf(b *testing.B, r *roux.Recipe) float64 {
	b.Helper()
	s, err := roux.NewSession(r, roux.Options{})
	if err != nil {
		b.Fatal(err)
	}
	steps := s.Clock().StepsPerEpoch
	var times []float64
	for range b.N {
		start := time.Now()
		for range steps {
			if _, err := s.Step(); err != nil {
				b.Fatal(err)
			}
		}
		times = append(times, time.Since(start).Seconds())
	}
	return median(times)
}

// BenchmarkCompactEpoch times one epoch of recipes/mnist_erk_compact.recipe (the 90%
// ERK mask stored compressed by sparse_dense: weights, gradients and momentum hold only
// the nonzeros) and of the same network at ERK's 99% densities against the dense
// recipes/mnist_mlp.recipe in the same run, each with one program splitting its
// products between the cores and with data_parallel = 2 (two replicas, one per core,
// as the compressed recipe is written). The ratios compare each with the faster dense
// epoch.
//
//	go test -run XXX -bench CompactEpoch -benchtime 3x .
func BenchmarkCompactEpoch(b *testing.B) {
	dense := epochTime(b, "recipes/mnist_mlp.recipe")
	b.ReportMetric(dense, "s/epoch-dense")
	denseDP := epochTime(b, "recipes/mnist_mlp.recipe", "train.data_parallel=2")
	b.ReportMetric(denseDP, "s/epoch-dense-dp2")
	dense = min(dense, denseDP)
	src, err := os.ReadFile("recipes/mnist_erk_compact.recipe")
	if err != nil {
		b.Fatal(err)
	}
	at99 := strings.NewReplacer( // runtime/sparse.Densities at 1% for these shapes
		"density: 0.0795677705", "density: 0.00769682653",
		"density: 0.230188679", "density: 0.02226683396",
		"out = dense(h2, 10)", "out = sparse_dense(h2, 10, density: 0.18370138)").Replace(string(src))
	for _, c := range []struct{ name, src string }{{"10%", string(src)}, {"1%", at99}} {
		for _, dp := range []string{"", "-dp2"} {
			sets := append([]string{"train.data_parallel=1"}, lenetLikeTorch...)
			if dp != "" {
				sets[0] = "train.data_parallel=2"
			}
			r, err := roux.Compile("compact.recipe", []byte(c.src), sets...)
			if err != nil {
				b.Fatal(err)
			}
			t := epochTimeOf(b, r)
			b.ReportMetric(t, "s/epoch-compact-"+c.name+dp)
			b.ReportMetric(t/dense, "ratio-compact-"+c.name+dp)
		}
	}
}
