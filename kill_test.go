package roux_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/roux-ml/roux"
)

// killable trains long enough to be killed mid-run, saving a checkpoint every 10 steps.
const killable = `recipe "killable"
data train = moons(n: 200)
model net {
    h   = dense(input(2), 16) |> tanh |> dropout(0.1)
    out = dense(h, 2)
}
mask sparse on net.*.weight {
    init   = random(sparsity: 0.5)
    regrow = set(every: 7 steps, until: 90%)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = adam(lr: cosine(0.01 -> 0))
train {
    epochs     = 300
    batch      = 16
    seed       = 9
    checkpoint = 10 steps
    keep       = 2
}
`

func killableSession(t *testing.T, dir string) *roux.Session {
	t.Helper()
	r, err := roux.Compile("killable.recipe", []byte(killable))
	if err != nil {
		t.Fatal(err)
	}
	s, err := roux.NewSession(r, roux.Options{CheckpointDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestKillAndResume runs the recipe in a child process, kills it with SIGKILL at a
// random moment, resumes from the newest checkpoint that survived, and requires the
// same final weights, bit for bit, as an uninterrupted run.
func TestKillAndResume(t *testing.T) {
	if dir := os.Getenv("ROUX_KILL_CHILD_DIR"); dir != "" {
		killableSession(t, dir).Train(context.Background(), roux.Hooks{})
		return
	}
	if testing.Short() {
		t.Skip("runs a child process")
	}
	straight := killableSession(t, t.TempDir())
	if err := straight.Train(context.Background(), roux.Hooks{}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range 2 {
		dir := filepath.Join(t.TempDir(), "ckpt")
		killChild(t, dir, 100+rng.IntN(1900))
		resumed := killableSession(t, filepath.Join(t.TempDir(), "again"))
		if err := resumed.Load(dir, false); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		from := resumed.Clock().Step
		if err := resumed.Train(context.Background(), roux.Hooks{}); err != nil {
			t.Fatal(err)
		}
		for i, p := range straight.Params() {
			for j, v := range p.Value.Data {
				if w := resumed.Params()[i].Value.Data[j]; math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("round %d, resumed from step %d: %s[%d] = %v, uninterrupted %v", round, from, p.Name, j, w, v)
				}
			}
		}
		t.Logf("round %d: killed, resumed from step %d of %d, same weights", round, from, straight.Clock().Step)
	}
}

// killChild starts the training child and kills it once its newest checkpoint is at
// step target or later: a random point of progress, whatever the machine's speed.
func killChild(t *testing.T, dir string, target int) {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestKillAndResume$")
	cmd.Env = append(os.Environ(), "ROUX_KILL_CHILD_DIR="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for newestStep(dir) < target && time.Now().Before(deadline) {
		time.Sleep(200 * time.Microsecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if err := cmd.Wait(); err == nil {
		t.Fatal("the child finished before it was killed; make the run longer")
	}
}

// newestStep is the step of the newest numbered checkpoint directory (step-000000123).
func newestStep(dir string) int {
	newest := -1
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		var step int
		if _, err := fmt.Sscanf(e.Name(), "step-%d", &step); err == nil && step > newest {
			newest = step
		}
	}
	return newest
}
