package repl

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// moons is a small masked recipe that trains in well under a second.
const moons = `recipe "REPL moons"

data train = moons(n: 200)
data test  = moons(n: 100, seed: 2)

model net {
    h1  = dense(input(2), 64) |> tanh
    h2  = dense(h1, 64) |> tanh
    out = dense(h2, 2)
}

schedule lr = cosine(0.02 -> 0)

loss = cross_entropy(net(train.x), train.y)

optimizer = adam(lr: lr)

train {
    epochs = 4
    batch  = 20
    seed   = 1
    eval test every 1 epoch: accuracy, loss
}

mask sparse on net.*.weight {
    init     = random(sparsity: 0.5, distribution: erk)
    sparsity = cubic(0.5 -> 0.8, from: 25%, until: 75%)
    prune    = magnitude(scope: layer, every: 5 steps)
}
`

// inRecipeDir changes into a temporary directory holding moons.recipe, a broken recipe
// and a plain file, so that paths in the output are short and stable.
func inRecipeDir(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	broken := strings.Replace(strings.Replace(moons, "|> tanh", "|> tanhh", 1), "batch  = 20", "batch  = -20", 1)
	for name, src := range map[string]string{"moons.recipe": moons, "broken.recipe": broken, "afile": "not a directory\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestScript drives the REPL through testdata/session.script and compares the transcript
// with testdata/session.golden (go test ./repl -update rewrites it).
func TestScript(t *testing.T) {
	script, err := filepath.Abs("testdata/session.script")
	if err != nil {
		t.Fatal(err)
	}
	golden, _ := filepath.Abs("testdata/session.golden")
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	inRecipeDir(t)
	var out bytes.Buffer
	if err := New(&out).Run(context.Background(), ScriptLines(bytes.NewReader(src), &out)); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("transcript differs from %s (go test ./repl -update rewrites it):\n%s", golden, firstDiff(got, string(want)))
	}
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

// loaded returns a REPL with moons.recipe loaded, writing to out.
func loaded(t *testing.T, out *bytes.Buffer) *REPL {
	t.Helper()
	inRecipeDir(t)
	r := New(out)
	r.Exec(context.Background(), "load moons.recipe")
	if r.sess == nil {
		t.Fatalf("load failed:\n%s", out)
	}
	out.Reset()
	return r
}

// TestGraphAndRecipe checks the listings whose format other packages own.
func TestGraphAndRecipe(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	r.Exec(context.Background(), "graph")
	for _, want := range []string{"param net.h1.weight [64 2]", "# backward", "-> grad(net.h1.weight)", "moons.recipe:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("graph lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	r.Exec(context.Background(), "recipe")
	if !strings.Contains(out.String(), "schedule lr = cosine(") {
		t.Errorf("recipe lacks the schedule:\n%s", out.String())
	}
}

// cancelOn is a writer that cancels a context once the output contains a string.
type cancelOn struct {
	bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	n, err := c.Buffer.Write(p)
	if strings.Contains(c.String(), c.marker) {
		c.cancel()
	}
	return n, err
}

// TestInterrupt cancels a train command after its first evaluation: training stops at
// that step and the REPL keeps working.
func TestInterrupt(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOn{marker: "eval test", cancel: cancel}
	r.out = w
	if !r.Exec(ctx, "train") {
		t.Fatal("train ended the REPL")
	}
	if !strings.Contains(w.String(), "interrupted at step 10 of 40") {
		t.Fatalf("train was not interrupted after the first evaluation:\n%s", w.String())
	}
	r.out = &out
	r.Exec(context.Background(), "step")
	if want := "step 11 of 40"; !strings.HasPrefix(out.String(), want) {
		t.Fatalf("after the interrupt, step printed %q, want %q...", out.String(), want)
	}
}

// TestRunStopsOnCancel checks that Run hands each command the context Interrupts gives.
func TestRunInterruptsCommand(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	r.Interrupts = func(ctx context.Context) (context.Context, context.CancelFunc) {
		c, cancel := context.WithCancel(ctx)
		cancel() // as if Ctrl-C came at once
		return c, cancel
	}
	if err := r.Run(context.Background(), ScriptLines(strings.NewReader("train\nstatus\n"), nil)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "interrupted at step 0 of 40") || !strings.Contains(out.String(), "step 0 of 40 (epoch 0.00 of 4)") {
		t.Fatalf("output:\n%s", out.String())
	}
}

// TestComplete checks that completion offers command names, parameter paths, schedule
// and catalogue names.
func TestComplete(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	cases := []struct {
		line, word string
		want       []string // all of these, and only candidates that start with word
	}{
		{"s", "s", []string{"save", "schedule", "set", "sparsity", "status", "step"}},
		{"weights net.h", "net.h", []string{"net.h1.bias", "net.h1.weight", "net.h2.bias", "net.h2.weight"}},
		{"mask net.o", "net.o", []string{"net.out.bias", "net.out.weight"}},
		{"schedule ", "", []string{"lr", "optimizer.lr", "sparse.sparsity"}},
		{"set lr = cos", "cos", []string{"cosine"}},
		{"set optimizer.lr = cub", "cub", []string{"cubic"}},
		{"density(net.h2.w", "net.h2.w", []string{"net.h2.weight"}},
		{"mo", "mo", nil},
		{"help tr", "tr", []string{"train"}},
		{"load moo", "moo", []string{"moons.recipe"}},
	}
	for _, c := range cases {
		word, got := r.Complete(c.line)
		if word != c.word {
			t.Errorf("Complete(%q) word %q, want %q", c.line, word, c.word)
		}
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Complete(%q) = %v lacks %q", c.line, got, w)
			}
		}
		for _, g := range got {
			if !strings.HasPrefix(g, c.word) {
				t.Errorf("Complete(%q) offers %q", c.line, g)
			}
		}
		if c.want == nil && len(got) != 0 {
			t.Errorf("Complete(%q) = %v, want none", c.line, got)
		}
	}
}

// TestCompleterDo checks the readline adapter: the rest of each candidate and the typed
// word's length.
func TestCompleterDo(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	line := []rune("weights net.out.w")
	got, n := completer{r}.Do(line, len(line))
	if n != len("net.out.w") || len(got) != 1 || string(got[0]) != "eight " {
		t.Fatalf("Do = %q, %d", got, n)
	}
}

// TestHistoryFile checks that ROUX_HISTORY overrides the history's place.
func TestHistoryFile(t *testing.T) {
	t.Setenv("ROUX_HISTORY", "/tmp/h")
	if got := HistoryFile(); got != "/tmp/h" {
		t.Fatalf("HistoryFile() = %q", got)
	}
}
