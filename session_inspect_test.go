package roux_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roux-ml/roux"
)

// inspectRecipe is a small masked recipe with a named schedule.
const inspectRecipe = `recipe "inspect"
data train = moons(n: 200)
model net {
    h   = dense(input(2), 16) |> tanh
    out = dense(h, 2)
}
schedule lr = cosine(0.02 -> 0)
loss = cross_entropy(net(train.x), train.y)
optimizer = adam(lr: lr)
train {
    epochs = 3
    batch  = 20
    seed   = 1
}
mask sparse on net.*.weight {
    init     = random(sparsity: 0.5)
    sparsity = cubic(0.5 -> 0.8, from: 25%, until: 75%)
    prune    = magnitude(every: 5 steps)
}
`

func inspectSession(t *testing.T, overrides ...string) *roux.Session {
	t.Helper()
	r, err := roux.Compile("inspect.recipe", []byte(inspectRecipe), overrides...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := roux.NewSession(r, roux.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func steps(t *testing.T, s *roux.Session, n int) []float64 {
	t.Helper()
	var out []float64
	for range n {
		l, err := s.Step()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// TestContinueSameRecipe continues a checkpoint of the same recipe: the run goes on bit
// for bit as if uninterrupted.
func TestContinueSameRecipe(t *testing.T) {
	a, b := inspectSession(t), inspectSession(t)
	steps(t, a, 13)
	dir := t.TempDir()
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.Continue(dir); err != nil {
		t.Fatal(err)
	}
	if a.Clock() != b.Clock() {
		t.Fatalf("clock %+v, want %+v", b.Clock(), a.Clock())
	}
	la, lb := steps(t, a, 12), steps(t, b, 12)
	for i := range la {
		if la[i] != lb[i] {
			t.Fatalf("step %d: loss %v after Continue, %v uninterrupted", 14+i, lb[i], la[i])
		}
	}
}

// TestContinueChangedRecipe continues with another learning rate and a longer run: the
// step carries over and the new schedule applies from there.
func TestContinueChangedRecipe(t *testing.T) {
	a, b := inspectSession(t), inspectSession(t, "optimizer.lr=0.005", "train.epochs=4")
	steps(t, a, 13)
	dir := t.TempDir()
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := b.Continue(dir); err != nil {
		t.Fatal(err)
	}
	if c := b.Clock(); c.Step != 13 || c.TotalSteps != 40 || b.LR() != 0.005 {
		t.Fatalf("clock %+v, lr %v", c, b.LR())
	}
	short := inspectSession(t, "train.epochs=1")
	if err := short.Continue(dir); err == nil || !strings.Contains(err.Error(), "runs only 10 steps") {
		t.Fatalf("continuing past the end: %v", err)
	}
}

// TestInspect covers the schedule, mask and program accessors.
func TestInspect(t *testing.T) {
	s := inspectSession(t)
	if got := strings.Join(s.ScheduleNames(), " "); got != "lr optimizer.lr sparse.sparsity" {
		t.Fatalf("ScheduleNames = %s", got)
	}
	lr, ok := s.Schedule("lr")
	if !ok || lr.At(0) != 0.02 || lr.At(30) != 0 {
		t.Fatalf("lr: %v %v", lr, ok)
	}
	if sp, ok := s.Schedule("sparse.sparsity"); !ok || sp.At(30) != 0.8 {
		t.Fatalf("sparse.sparsity: %v %v", sp, ok)
	}
	if _, ok := s.Schedule("nope"); ok {
		t.Fatal("Schedule(nope) found something")
	}
	if m := s.Mask("net.h.weight"); len(m) != 32 || s.Mask("net.h.bias") != nil {
		t.Fatalf("Mask: %v, bias %v", m, s.Mask("net.h.bias"))
	}
	text, err := s.ProgramText()
	if err != nil || !strings.Contains(text, "param net.h.weight [16 2]") {
		t.Fatalf("ProgramText: %v\n%s", err, text)
	}
	if err := s.TrainSteps(context.Background(), roux.Hooks{}, 100); err != nil || s.Clock().Step != 30 {
		t.Fatalf("TrainSteps past the end: %v, step %d", err, s.Clock().Step)
	}
}
