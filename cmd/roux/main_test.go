package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rouxCmd runs the command in-process and returns its exit code, stdout and stderr.
func rouxCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeRecipe(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.recipe")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const moons = "../../recipes/moons.recipe"

func TestCheckOK(t *testing.T) {
	code, out, _ := rouxCmd("check", moons)
	if code != exitOK || !strings.Contains(out, "net.h.weight             [32 2]") || !strings.Contains(out, "162 parameters") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// TestRecipesCheck keeps every example recipe valid: a recipe edited by hand (or
// left behind by a language change) fails here rather than in a user's hands.
func TestRecipesCheck(t *testing.T) {
	paths, err := filepath.Glob("../../recipes/*.recipe")
	if err != nil || len(paths) < 20 {
		t.Fatalf("found %d recipes (%v)", len(paths), err)
	}
	for _, p := range paths {
		if code, _, errOut := rouxCmd("check", p); code != exitOK {
			t.Errorf("%s: exit %d\n%s", p, code, errOut)
		}
	}
}

func TestCheckErrorsWithCaret(t *testing.T) {
	src, _ := os.ReadFile(moons)
	path := writeRecipe(t, strings.Replace(string(src), "|> tanh", "|> tanhh", 1))
	code, _, errOut := rouxCmd("check", path)
	want := path + ":8:34: unknown function tanhh; did you mean tanh?\n        h   = dense(input(2), 32) |> tanhh\n                                     ^\n"
	if code != exitRecipe || errOut != want {
		t.Fatalf("exit %d, stderr:\n%q\nwant\n%q", code, errOut, want)
	}
}

func TestRunWritesMetrics(t *testing.T) {
	metrics := filepath.Join(t.TempDir(), "m.jsonl")
	code, out, errOut := rouxCmd("run", moons, "--set", "train.epochs=10", "--metrics", metrics)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"epoch 1/10  train loss", "eval test     step 320 (epoch 10.00)", "done: 10 epochs, 320 steps", "final test: accuracy"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []map[string]any
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	// every 5 epochs in a 10-epoch run: steps 160 and 320
	if len(lines) != 2 || lines[1]["step"] != 320.0 || lines[1]["data"] != "test" || lines[1]["accuracy"] == nil || lines[1]["lr"] == nil {
		t.Fatalf("metrics lines: %v", lines)
	}
}

func TestRunQuiet(t *testing.T) {
	code, out, _ := rouxCmd("run", "--quiet", moons, "--set", "train.epochs=3")
	if code != exitOK || strings.Contains(out, "epoch 1/3") || !strings.HasPrefix(out, "done: 3 epochs") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestRunBadOverrideIsRecipeError(t *testing.T) {
	code, _, errOut := rouxCmd("run", moons, "--set", "train.epochs=two")
	if code != exitRecipe || !strings.Contains(errOut, "--set train.epochs=two:1:14: unknown name two") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
}

// A learning rate of 1e38 makes the loss overflow: a runtime failure naming the step.
func TestRunNaNIsRuntimeFailure(t *testing.T) {
	code, _, errOut := rouxCmd("run", moons, "--set", "optimizer.lr=1e38", "--quiet")
	if code != exitRuntime || !strings.Contains(errOut, "step ") || !strings.Contains(errOut, "moons.recipe:") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	t.Log(errOut)
}

func TestFmtWrite(t *testing.T) {
	path := writeRecipe(t, "recipe \"x\"\n# note\ndata  train=moons( n:10 )\n")
	if code, _, errOut := rouxCmd("fmt", "-w", path); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, _ := os.ReadFile(path)
	want := "recipe \"x\"\n\n# note\ndata train = moons(n: 10)\n"
	if string(got) != want {
		t.Fatalf("formatted:\n%q\nwant\n%q", got, want)
	}
}

func TestDoc(t *testing.T) {
	code, out, _ := rouxCmd("doc", "cosine")
	if code != exitOK || !strings.Contains(out, "cosine(range, from, until)") || !strings.Contains(out, "until          time") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	code, out, _ = rouxCmd("doc")
	for _, want := range []string{"LAYERS", "dense(x, units, bias, init)", "OPTIMIZERS", "mnist(split)"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("roux doc lacks %q", want)
		}
	}
	if code, _, errOut := rouxCmd("doc", "cosin"); code != exitRecipe || !strings.Contains(errOut, "no built-in named \"cosin\"") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestUsage(t *testing.T) {
	if code, _, errOut := rouxCmd("train", moons); code != exitRecipe || !strings.Contains(errOut, "unknown command") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := rouxCmd("check"); code != exitRecipe || !strings.Contains(errOut, "expected one recipe file, got 0") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := rouxCmd("check", "no/such.recipe"); code != exitRecipe || !strings.Contains(errOut, "no such file") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

func TestSweep(t *testing.T) {
	code, out, errOut := rouxCmd("sweep", moons, "--seeds", "1,2", "--set", "train.epochs=5")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "seed 1: ") || !strings.HasPrefix(lines[2], "mean ± std over 2 seeds: ") ||
		!strings.Contains(lines[2], "test accuracy") || lines[0] == strings.Replace(lines[1], "seed 2", "seed 1", 1) {
		t.Fatalf("output:\n%s", out)
	}
	if code, _, errOut := rouxCmd("sweep", moons, "--seeds", "1,x"); code != exitRecipe || !strings.Contains(errOut, "--seeds takes whole numbers") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestSaveResume runs two epochs, saves, and resumes to four; a checkpoint of another
// recipe is refused unless the change is allowed.
func TestSaveResume(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpt")
	if code, _, errOut := rouxCmd("run", moons, "--quiet", "--set", "train.epochs=4", "--set", "optimizer.lr=0.01", "--save", dir); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, out, errOut := rouxCmd("run", moons, "--quiet", "--set", "train.epochs=4", "--set", "optimizer.lr=0.01", "--resume", dir)
	if code != exitOK || !strings.HasPrefix(out, "done: 4 epochs, 128 steps") {
		t.Fatalf("resuming a finished run: exit %d: %s%s", code, out, errOut)
	}
	code, _, errOut = rouxCmd("run", moons, "--quiet", "--set", "train.epochs=5", "--resume", dir)
	if code != exitRuntime || !strings.Contains(errOut, "written by another recipe") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, errOut := rouxCmd("run", moons, "--quiet", "--set", "train.epochs=5", "--resume", dir, "--allow-recipe-change"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestInspect checks roux inspect against the session's own figures for an N:M recipe:
// the mask's 2:4 structure and 50% sparsity show in the weights.
func TestInspect(t *testing.T) {
	path := writeRecipe(t, `recipe "nm"
data train = moons(n: 64)
model net {
    h   = dense(input(2), 8) |> relu
    out = dense(h, 2)
}
mask nm on net.out.weight { init = nm(2, 4) }
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0.1)
train { epochs = 1 }
`)
	dir := filepath.Join(t.TempDir(), "ckpt")
	if code, _, errOut := rouxCmd("run", path, "--quiet", "--save", dir); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	code, out, errOut := rouxCmd("inspect", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var row string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "net.out.weight ") {
			row = l
		}
	}
	if !strings.Contains(row, "[2 8]") || !strings.Contains(row, " 0.5000 ") || !strings.HasSuffix(row, "2:4 4:8") {
		t.Fatalf("net.out.weight row: %q\n%s", row, out)
	}
	if !strings.Contains(out, "mask/net.out.weight") || !strings.Contains(out, "mask nm on net.out.weight") {
		t.Fatalf("output:\n%s", out)
	}
	if code, _, errOut := rouxCmd("inspect", t.TempDir()); code != exitRuntime || errOut == "" {
		t.Fatalf("an empty directory: exit %d: %s", code, errOut)
	}
}

// TestProcedureCheckpointRefused checks that --save on a recipe with a procedure is
// refused before training, not after it.
func TestProcedureCheckpointRefused(t *testing.T) {
	code, out, errOut := rouxCmd("run", "../../recipes/mnist_imp.recipe", "--save", t.TempDir())
	if code != exitRecipe || out != "" || !strings.Contains(errOut, "checkpoints of procedures are not supported yet") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
