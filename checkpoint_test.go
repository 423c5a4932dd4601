package roux_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/runtime/checkpoint"
)

const resumable = `recipe "resume"
data train = moons(n: 200)
data test  = moons(n: 100, seed: 2)
model net {
    h1  = dense(input(2), 32) |> relu |> dropout(0.1)
    n1  = batch_norm(h1)
    h2  = dense(n1, 32) |> relu
    out = dense(h2, 2)
}
mask rigl on net.*.weight {
    init   = random(sparsity: 0.8)
    regrow = set(every: 4 steps)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = adam(lr: cosine(0.01 -> 0))
train {
    epochs = 3
    batch  = 16
    seed   = 5
}
`

func compiled(t *testing.T, src string) *roux.Session {
	t.Helper()
	r, err := roux.Compile("resume.recipe", []byte(src))
	return open(t, r, err)
}

// resumeAfter trains a recipe straight through, and again with a save after steps and
// a load into a fresh session that finishes the run; it returns both sessions and the
// checkpoint's directory.
func resumeAfter(t *testing.T, src string, steps int) (straight, resumed *roux.Session, dir string) {
	t.Helper()
	straight = compiled(t, src)
	if err := straight.Train(context.Background(), roux.Hooks{}); err != nil {
		t.Fatal(err)
	}
	first := compiled(t, src)
	for range steps {
		if _, err := first.Step(); err != nil {
			t.Fatal(err)
		}
	}
	dir = filepath.Join(t.TempDir(), "ckpt")
	if err := first.Save(dir); err != nil {
		t.Fatal(err)
	}
	resumed = compiled(t, src)
	if err := resumed.Load(dir, false); err != nil {
		t.Fatal(err)
	}
	if err := resumed.Train(context.Background(), roux.Hooks{}); err != nil {
		t.Fatal(err)
	}
	return straight, resumed, dir
}

// TestResumeIsBitIdentical trains 3 epochs straight, and 1 epoch + save + load into a
// fresh session + 2 epochs, and requires the same weights and masks bit for bit (SET
// regrowth, dropout, batch norm's running statistics, Adam moments and the data order
// all have to come back).
func TestResumeIsBitIdentical(t *testing.T) {
	straight, resumed, dir := resumeAfter(t, resumable, 13) // 13 steps per epoch
	for i, p := range straight.Params() {
		q := resumed.Params()[i]
		for j := range p.Value.Data {
			if math.Float32bits(p.Value.Data[j]) != math.Float32bits(q.Value.Data[j]) {
				t.Fatalf("%s[%d]: %v straight, %v resumed", p.Name, j, p.Value.Data[j], q.Value.Data[j])
			}
		}
	}
	evalA, errA := straight.Evaluate("train")
	evalB, errB := resumed.Evaluate("train")
	if errA != nil || errB != nil || evalA.Metrics["loss"] != evalB.Metrics["loss"] {
		t.Fatalf("evaluation (running statistics) differs: %v %v, %v %v", evalA.Metrics, errA, evalB.Metrics, errB)
	}
	a, b := straight.Sparsity(), resumed.Sparsity()
	for i := range a {
		if a[i].Active != b[i].Active || a[i].Zeros != b[i].Zeros {
			t.Fatalf("sparsity differs: %+v vs %+v", a[i], b[i])
		}
	}
	c, err := checkpoint.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if lr := c.Meta.Schedules["optimizer.lr"]; lr <= 0 || lr >= 0.01 {
		t.Errorf("the sidecar's optimizer.lr is %v at step 13 of a cosine from 0.01", lr)
	}
	if straight.AvgParams() != resumed.AvgParams() {
		t.Fatalf("N̄ %v straight, %v resumed", straight.AvgParams(), resumed.AvgParams())
	}
}

// TestLoadRefuses checks the three ways a checkpoint can be wrong for a session.
func TestLoadRefuses(t *testing.T) {
	s := compiled(t, resumable)
	dir := filepath.Join(t.TempDir(), "ckpt")
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	other := compiled(t, strings.Replace(resumable, "seed   = 5", "seed   = 6", 1))
	if err := other.Load(dir, false); err == nil || !strings.Contains(err.Error(), "written by another recipe") {
		t.Errorf("another recipe: %v", err)
	}
	if err := other.Load(dir, true); err != nil {
		t.Errorf("another recipe, changes allowed: %v", err)
	}
	wider := compiled(t, strings.Replace(resumable, "dense(n1, 32)", "dense(n1, 33)", 1))
	if err := wider.Load(dir, true); err == nil || !strings.Contains(err.Error(), "has shape [32 32] in the checkpoint but [33 32] in the recipe") {
		t.Errorf("another shape: %v", err)
	}
	c, err := checkpoint.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, m := c.Tensor("net.h2.weight"), c.Tensor("mask/net.h2.weight")
	for i, k := range m.Data {
		if k == 0 {
			w.Data[i] = 1
			break
		}
	}
	if err := checkpoint.Save(dir, c); err != nil {
		t.Fatal(err)
	}
	if err := s.Load(dir, false); err == nil || !strings.Contains(err.Error(), "is pruned but holds 1 in the checkpoint") {
		t.Errorf("a pruned weight that is not zero: %v", err)
	}
}
