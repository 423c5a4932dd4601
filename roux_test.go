package roux_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/roux-ml/roux"
)

func session(t *testing.T, file string, sets ...string) *roux.Session {
	t.Helper()
	r, err := roux.Load(file, sets...)
	return open(t, r, err)
}

// open makes a session from a loaded recipe, failing the test with the recipe's errors.
func open(t *testing.T, r *roux.Recipe, err error) *roux.Session {
	t.Helper()
	if err != nil {
		if re, ok := roux.AsRecipeError(err); ok {
			t.Fatal(re.Print())
		}
		t.Fatal(err)
	}
	s, err := roux.NewSession(r, roux.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSameSeedSameWeights trains the same recipe twice and requires bit-identical
// weights; a different seed must give different ones.
func TestSameSeedSameWeights(t *testing.T) {
	train := func(seed string) *roux.Session {
		s := session(t, "recipes/moons.recipe", "train.epochs=3", "train.seed="+seed)
		if err := s.Train(context.Background(), roux.Hooks{}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c := train("1"), train("1"), train("2")
	for i, p := range a.Params() {
		q, r := b.Params()[i], c.Params()[i]
		if p.Name != q.Name {
			t.Fatalf("parameter order differs: %s vs %s", p.Name, q.Name)
		}
		for j := range p.Value.Data {
			if math.Float32bits(p.Value.Data[j]) != math.Float32bits(q.Value.Data[j]) {
				t.Fatalf("%s[%d] differs between two runs with one seed: %v vs %v", p.Name, j, p.Value.Data[j], q.Value.Data[j])
			}
		}
		if equal(p.Value.Data, r.Value.Data) {
			t.Errorf("%s is the same with seeds 1 and 2", p.Name)
		}
	}
}

func equal(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMoonsEndToEnd trains the two-moons recipe and pins its result: the first losses
// (initialisation, data order and the update rule all feed into them) and the final
// test accuracy.
func TestMoonsEndToEnd(t *testing.T) {
	s := session(t, "recipes/moons.recipe")
	var losses []float64
	var final roux.EvalResult
	err := s.Train(context.Background(), roux.Hooks{
		AfterStep: func(step int, loss float64) { losses = append(losses, loss) },
		AfterEval: func(r roux.EvalResult) { final = r },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(losses) != 640 {
		t.Fatalf("ran %d steps, want 20 epochs of 32 = 640", len(losses))
	}
	want := []float64{0.8148, 0.7691, 0.7563}
	for i, w := range want {
		if math.Abs(losses[i]-w) > 5e-4 {
			t.Errorf("loss of step %d = %.4f, want %.4f", i+1, losses[i], w)
		}
	}
	if acc := final.Metrics["accuracy"]; acc < 0.99 {
		t.Errorf("final test accuracy %.4f, want at least 0.99", acc)
	}
	t.Logf("first losses %.4f, final %v", losses[:3], final.Metrics)
}

// TestCheckedGoldensRun runs every valid recipe of the checker's golden files, so each
// language feature there is parsed, checked and trained.
func TestCheckedGoldensRun(t *testing.T) {
	files, _ := filepath.Glob("lang/check/testdata/ok_*.txtar")
	if len(files) == 0 {
		t.Fatal("no ok_ golden files")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			r, err := roux.Compile("input.recipe", ar.Files[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			s, err := roux.NewSession(r, roux.Options{CheckpointDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			var evals int
			if err := s.Train(context.Background(), roux.Hooks{AfterEval: func(roux.EvalResult) { evals++ }}); err != nil {
				t.Fatal(err)
			}
			if !s.Done() || (evals == 0 && len(r.Train.Evals) > 0) {
				t.Errorf("done %v after %d steps with %d evaluations", s.Done(), s.Clock().Step, evals)
			}
			if entries, _ := os.ReadDir(dir); r.Train.Checkpoint.Amount > 0 && len(entries) != r.Train.Keep {
				t.Errorf("%d checkpoints kept, want %d", len(entries), r.Train.Keep)
			}
		})
	}
}

// TestOverrideErrors checks that --set mistakes are positioned in the override text.
func TestOverrideErrors(t *testing.T) {
	cases := map[string]string{
		"train.epochs=0":         "--set train.epochs=0:1:14: epochs must be a positive whole number",
		"train.epochs":           "--set train.epochs:1:1: an override is written path=value, like train.epochs=1",
		"nothing.here=1":         "--set nothing.here=1:1:1: nothing.here names no declaration",
		"optimizer.momentun=0.9": "--set optimizer.momentun=0.9:1:20: adam has no parameter momentun",
		"train.batch=(":          "--set train.batch=(:1:",
	}
	for set, want := range cases {
		_, err := roux.Load("recipes/moons.recipe", set)
		re, ok := roux.AsRecipeError(err)
		if !ok {
			t.Errorf("--set %s: got %v, want a recipe error", set, err)
			continue
		}
		if got := re.Errors[0].Error(); !strings.HasPrefix(got, want) {
			t.Errorf("--set %s:\n got %s\nwant %s...", set, got, want)
		}
	}
}

// TestCancel stops training through its context.
func TestCancel(t *testing.T) {
	s := session(t, "recipes/moons.recipe")
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Train(ctx, roux.Hooks{AfterStep: func(step int, _ float64) {
		if step == 5 {
			cancel()
		}
	}})
	if err != context.Canceled || s.Clock().Step != 5 {
		t.Fatalf("got %v at step %d, want context.Canceled at step 5", err, s.Clock().Step)
	}
}
