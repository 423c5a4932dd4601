package repl

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// adawacMoons keeps AdaWAC weights for every sample of a moons set with 30% corrupted labels.
const adawacMoons = `recipe "REPL adawac"
data train = moons(n: 200) |> label_noise(0.3)
augment a = noise(0.1)
model net {
    h   = dense(input(2), 16) |> tanh
    out = dense(h, 2)
}
loss = adawac(cross_entropy(net(train.x), train.y, reduce: none), mse(net(a(train.x)), net(train.x), reduce: none), lr: 2)
optimizer = sgd(lr: 0.1)
train {
    epochs = 3
    batch  = 20
}
`

// TestStateByGroup lists the session's state and shows AdaWAC's weights split into
// clean and corrupted samples, as log-odds and as β⁰.
func TestStateByGroup(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("adawac.recipe", []byte(adawacMoons), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := New(&out)
	for _, line := range []string{"load adawac.recipe", "train"} {
		r.Exec(context.Background(), line)
	}
	out.Reset()
	r.Exec(context.Background(), "state")
	if got := out.String(); got != "loss.adawac.logodds [200]\n" {
		t.Fatalf("state lists %q", got)
	}
	out.Reset()
	r.Exec(context.Background(), "state loss.adawac.logodds")
	for _, want := range []string{"loss.adawac.logodds: 200 values", "loss.adawac.logodds (clean samples): 140 values",
		"loss.adawac.logodds (corrupted samples): 60 values", "loss.adawac.beta0: 200 values",
		"loss.adawac.beta0 (corrupted samples): 60 values"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("state output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	r.Exec(context.Background(), "state loss.adawac.logods")
	if !strings.Contains(out.String(), "no state named loss.adawac.logods (did you mean loss.adawac.logodds?)") {
		t.Fatalf("misspelt state: %s", out.String())
	}
}

// moeMoons has a mixture-of-experts layer, whose expert loads are training statistics.
const moeMoons = `recipe "REPL moe"
data train = moons(n: 200)
model net {
    h   = moe(input(2), units: 8, experts: 4, k: 2, hidden: 8) |> tanh
    out = dense(h, 2)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0.1)
train {
    epochs = 2
    batch  = 20
}
`

// TestStats shows an MoE layer's expert loads, gate entropy and dropped share while
// training runs, and after an evaluation next to its metrics.
func TestStats(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.WriteFile("moe.recipe", []byte(moeMoons), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := New(&out)
	r.Exec(context.Background(), "load moe.recipe")
	out.Reset()
	r.Exec(context.Background(), "stats")
	if !strings.Contains(out.String(), "no training statistics") {
		t.Fatalf("stats before a step: %q", out.String())
	}
	r.Exec(context.Background(), "step 5")
	out.Reset()
	r.Exec(context.Background(), "stats")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "net.h dropped ") || !strings.HasPrefix(lines[1], "net.h gate_entropy ") ||
		!strings.HasPrefix(lines[2], "net.h load[0] ") || !strings.Contains(out.String(), "█") {
		t.Fatalf("stats after 5 steps:\n%s", out.String())
	}
	out.Reset()
	r.Exec(context.Background(), "eval")
	if !strings.Contains(out.String(), "training since the last eval: net.h dropped 0.0000, net.h gate_entropy") {
		t.Fatalf("eval does not show the training statistics:\n%s", out.String())
	}
	out.Reset()
	r.Exec(context.Background(), "stats now")
	if !strings.Contains(out.String(), "stats") || strings.Contains(out.String(), "net.h load") {
		t.Fatalf("stats with an argument: %q", out.String())
	}
}
