package repl

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fuzzRecipe is a small masked network with a named schedule, for FuzzExec.
const fuzzRecipe = `recipe "fuzz"
data train = moons(n: 200)
data test  = moons(n: 100, seed: 2)
schedule lr = cosine(0.1 -> 0)
model net {
    h   = dense(input(2), 16) |> relu
    out = dense(h, 2)
}
mask sparse on net.h.weight {
    init     = random(sparsity: 0.5)
    sparsity = cubic(0.5 -> 0.8)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: lr, momentum: 0.9)
train {
    epochs = 2
    batch  = 20
    eval test every 1 epoch: accuracy
}
`

// fuzzSkipped are the commands FuzzExec leaves out: they read or write files outside
// the test's directory, or start over.
var fuzzSkipped = regexp.MustCompile(`^\s*(load|reload|restore|load-checkpoint|diff|save)\b`)

// FuzzExec runs arbitrary command lines in a REPL with a loaded recipe: every line must
// print its result or an error and leave the REPL usable, never panic. Lines with
// numbers above 500 (long training) are skipped.
func FuzzExec(f *testing.F) {
	for _, seed := range []string{"status", "sparsity net.*", "weights net.*.weight", "step 3", "train 1 epochs",
		"set optimizer.lr = 0.01", "schedule lr", "mask net.h.weight", "stats", "state", "plan", "graph", "recipe",
		"lr * 2 + 1", "density(net.h.weight)", "schedule warm = warmup(5 steps) then lr", "help set", "eval",
		"set sparse.sparsity = 0.9", "step\nstatus\nsparsity"} {
		f.Add(seed)
	}
	numbers := regexp.MustCompile(`[0-9][0-9.e+]*`)
	f.Fuzz(func(t *testing.T, script string) {
		for _, n := range numbers.FindAllString(script, -1) {
			if v, err := strconv.ParseFloat(n, 64); err != nil || v > 500 {
				return
			}
		}
		t.Chdir(t.TempDir())
		if err := os.WriteFile("fuzz.recipe", []byte(fuzzRecipe), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		r := New(&out)
		r.Exec(context.Background(), "load fuzz.recipe")
		if r.sess == nil {
			t.Fatalf("the recipe did not load:\n%s", out.String())
		}
		for i, line := range strings.Split(script, "\n") {
			if i == 5 {
				break
			}
			if fuzzSkipped.MatchString(line) {
				continue
			}
			r.Exec(context.Background(), line)
		}
		out.Reset()
		r.Exec(context.Background(), "status")
		if out.Len() == 0 {
			t.Fatalf("the REPL no longer answers after %q", script)
		}
	})
}
