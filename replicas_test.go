package roux_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/roux-ml/roux"
)

// stepped opens a session of a recipe and runs n training steps.
func stepped(t *testing.T, file string, n int, sets ...string) *roux.Session {
	t.Helper()
	s := session(t, file, sets...)
	for range n {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestDataParallelMatchesOneProgram trains with data_parallel = 2 and 3 and requires
// the weights that one program over the whole batch gives, to float rounding: the
// replicas sum the same gradients in another order, so some bits must differ (else
// the replicas did not run). Moons' batch of 64 splits unevenly three ways, and its
// 2000 samples end each epoch with a partial batch of 16; the compressed MNIST network
// checks replicas of sparse_dense layers, each with its own copy of the pattern. With
// masks: the 90% ERK network runs its first layer on the sparse kernels (each replica
// with its own copy of the CSR) and the others masked-dense, and RigL's 110 steps
// take in a regrowth (step 100), which ranks the summed dense gradient. Regularizers
// (a golden's recipe: L1 and group lasso over a GMP mask) add their gradients and
// proximal steps once, to the summed step. A mixture of experts without the balance
// term, noise or capacity routes every row on its own, so it matches too.
func TestDataParallelMatchesOneProgram(t *testing.T) {
	for _, c := range []struct {
		file  string
		steps int
		tol   float64
	}{
		{"recipes/moons.recipe", 96, 1e-5},
		{"recipes/mnist_erk_compact.recipe", 40, 1e-6},
		{"recipes/mnist_erk.recipe", 40, 1e-6},
		{"recipes/mnist_rigl.recipe", 110, 1e-5},
		{goldenRecipe(t, "ok_data_parallel_regularize"), 40, 1e-5},
		{moeRecipe(t, "noise: false, balance: 0", "batch = 64"), 30, 1e-5},
	} {
		one := stepped(t, c.file, c.steps, "train.data_parallel=1")
		for _, n := range []int{2, 3} {
			t.Run(fmt.Sprintf("%s/%d", filepath.Base(c.file), n), func(t *testing.T) {
				dp := stepped(t, c.file, c.steps, fmt.Sprintf("train.data_parallel=%d", n))
				worst, differ := 0.0, false
				for i, p := range one.Params() {
					q := dp.Params()[i]
					for j, v := range p.Value.Data {
						w := q.Value.Data[j]
						differ = differ || math.Float32bits(v) != math.Float32bits(w)
						worst = max(worst, math.Abs(float64(v-w))/max(1, math.Abs(float64(v))))
					}
				}
				if worst > c.tol || !differ {
					t.Errorf("after %d steps the weights differ by up to %.3g (tolerance %g); some bits differ: %v", c.steps, worst, c.tol, differ)
				}
			})
		}
	}
}

// goldenRecipe writes the recipe of a checker golden file to a temporary file and
// returns its path.
func goldenRecipe(t *testing.T, name string) string {
	t.Helper()
	ar, err := txtar.ParseFile("lang/check/testdata/" + name + ".txtar")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), name+".recipe")
	if err := os.WriteFile(file, ar.Files[0].Data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDataParallelSameSeedSameWeights: replicas keep training reproducible bit for bit.
func TestDataParallelSameSeedSameWeights(t *testing.T) {
	a := stepped(t, "recipes/moons.recipe", 70, "train.data_parallel=2")
	b := stepped(t, "recipes/moons.recipe", 70, "train.data_parallel=2")
	for i, p := range a.Params() {
		for j, v := range p.Value.Data {
			if w := b.Params()[i].Value.Data[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s[%d] differs between two runs: %v vs %v", p.Name, j, v, w)
			}
		}
	}
}

// TestDataParallelResumeIsBitIdentical: a data-parallel run saved after 40 steps and
// finished in a fresh session gives the weights of the run straight through, so the
// replicas compute with the restored weights, not stale copies.
func TestDataParallelResumeIsBitIdentical(t *testing.T) {
	src, err := os.ReadFile("recipes/moons.recipe")
	if err != nil {
		t.Fatal(err)
	}
	dp := strings.Replace(string(src), "batch  = 64", "batch  = 64\n    data_parallel = 2", 1)
	if dp == string(src) {
		t.Fatal("recipes/moons.recipe changed: no batch line to follow")
	}
	dp = strings.Replace(dp, "epochs = 20", "epochs = 3", 1)
	straight, resumed, _ := resumeAfter(t, dp, 40)
	for i, p := range straight.Params() {
		for j, v := range p.Value.Data {
			if w := resumed.Params()[i].Value.Data[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("%s[%d]: %v straight, %v resumed", p.Name, j, v, w)
			}
		}
	}
}

// TestDataParallelStatistics: a loss that reports statistics (cross-entropy with UDA's
// training-signal annealing) trains with replicas, and the statistics are the
// replicas' average: the schedule's threshold exactly, the share of rows kept close to
// one program's (the replicas' gradients differ from its by rounding only).
func TestDataParallelStatistics(t *testing.T) {
	tsa := []string{"loss=cross_entropy(net(train.x), train.y, tsa: linear)"}
	one := stepped(t, "recipes/moons.recipe", 40, tsa...)
	dp := stepped(t, "recipes/moons.recipe", 40, append(tsa, "train.data_parallel=2")...)
	a, b := one.TrainStats(), dp.TrainStats()
	if len(b) != 2 || b["tsa_threshold"] != a["tsa_threshold"] || math.Abs(b["tsa_kept"]-a["tsa_kept"]) > 0.02 {
		t.Errorf("statistics with replicas %v, with one program %v", b, a)
	}
}

// TestDataParallelProcedures runs the procedure goldens (lottery-ticket rewinding,
// sparse pretraining then dense fine-tuning, a model soup) through Train with two
// replicas and with one program: the same weights to float rounding, so the
// procedures' steps (save, prune, rewind, unmask, soup) reach the weights the
// replicas compute with.
func TestDataParallelProcedures(t *testing.T) {
	for _, name := range []string{"ok_procedure_imp", "ok_procedure_spdf", "ok_procedure_soup"} {
		t.Run(name, func(t *testing.T) {
			file := goldenRecipe(t, name)
			trained := func(n int) *roux.Session {
				s := session(t, file, fmt.Sprintf("train.data_parallel=%d", n))
				if err := s.Train(context.Background(), roux.Hooks{}); err != nil {
					t.Fatal(err)
				}
				return s
			}
			one, dp := trained(1), trained(2)
			worst, differ := 0.0, false
			for i, p := range one.Params() {
				for j, v := range p.Value.Data {
					w := dp.Params()[i].Value.Data[j]
					differ = differ || math.Float32bits(v) != math.Float32bits(w)
					worst = max(worst, math.Abs(float64(v-w))/max(1, math.Abs(float64(v))))
				}
			}
			if worst > 1e-5 || !differ {
				t.Errorf("the weights differ by up to %.3g (tolerance 1e-5); some bits differ: %v", worst, differ)
			}
		})
	}
}

// moeRecipe is a small mixture of experts on blobs with the given moe arguments and
// train settings, written to a file for stepped.
func moeRecipe(t *testing.T, moeArgs, train string) string {
	t.Helper()
	src := `recipe "moe"
data train = blobs(n: 600, classes: 3, dim: 8)
model net {
    h   = moe(input(8), units: 12, experts: 4, k: 2, ` + moeArgs + `) |> relu
    out = dense(h, 3)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0.1, momentum: 0.9)
train {
    epochs = 2
    seed   = 3
` + train + `
}
`
	file := filepath.Join(t.TempDir(), "moe.recipe")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestDataParallelMoEBalancePerReplica: with replicas, each replica's balance term is
// taken over its own rows and weighted by its share. With the learning rate at 0 the
// weights stay put, so the first step of two replicas over a batch of 64 must cost
// the mean of the first two steps of one program over batches of 32, which see the
// same rows; one program over the whole batch costs something else. The router's
// weights, zero at the start, are set so that it routes rows apart.
func TestDataParallelMoEBalancePerReplica(t *testing.T) {
	file := moeRecipe(t, "noise: false, balance: 1", "batch = 64")
	first := func(n int, sets ...string) []float64 {
		s := session(t, file, append(sets, "optimizer.lr=0", "optimizer.momentum=0")...)
		for _, p := range s.Params() {
			if p.Name == "net.h.gate_weight" {
				for i := range p.Value.Data { // it starts at zero: every row ties
					p.Value.Data[i] = float32(3 * math.Sin(float64(i)))
				}
			}
		}
		return steps(t, s, n)
	}
	dp := first(1, "train.data_parallel=2")[0]
	halves := first(2, "train.batch=32")
	whole := first(1)[0]
	if want := (halves[0] + halves[1]) / 2; math.Abs(dp-want) > 1e-5*math.Abs(want) {
		t.Errorf("two replicas' loss %.7g, want the mean of the halves' %.7g", dp, want)
	}
	if math.Abs(dp-whole) < 1e-4*math.Abs(whole) {
		t.Errorf("two replicas' loss %.7g equals the whole batch's %.7g: the balance term did not act per replica", dp, whole)
	}
}

// TestDataParallelBatchNormPerReplica: with replicas each batch norm normalises its
// share by the share's statistics, and replica 0's share moves the running
// statistics. With the learning rate at 0, two replicas' first step over a batch of
// 64 costs the mean of one program's first two steps over batches of 32 (the same
// rows), and leaves the running statistics of that program's first step, bit for bit.
func TestDataParallelBatchNormPerReplica(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bn.recipe")
	src := `recipe "bn"
data train = moons(n: 600)
model net {
    h   = dense(input(2), 16)
    n   = batch_norm(h) |> relu
    out = dense(n, 2)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0)
train {
    epochs = 2
    batch  = 64
    seed   = 3
}
`
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dp := session(t, file, "train.data_parallel=2")
	dpLoss := steps(t, dp, 1)[0]
	halves := session(t, file, "train.batch=32")
	first := steps(t, halves, 1)[0]
	for _, path := range []string{"net.n.running_mean", "net.n.running_var"} {
		a, b := dp.State(path).Data, halves.State(path).Data
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s[%d] is %v after two replicas' step, %v after one program's over replica 0's rows", path, i, a[i], b[i])
			}
		}
	}
	second := steps(t, halves, 1)[0]
	whole := steps(t, session(t, file), 1)[0]
	if want := (first + second) / 2; math.Abs(dpLoss-want) > 1e-6*math.Abs(want) {
		t.Errorf("two replicas' loss %.7g, want the mean of the halves' %.7g", dpLoss, want)
	}
	if math.Abs(dpLoss-whole) < 1e-5*math.Abs(whole) {
		t.Errorf("two replicas' loss %.7g equals the whole batch's %.7g: the statistics were not per replica", dpLoss, whole)
	}
}
