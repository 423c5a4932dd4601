package roux_test

import (
	"testing"

	"github.com/roux-ml/roux"
)

// stepAllocs runs warm training steps of s, so that every program and buffer exists,
// then returns how many times a step allocates, averaged over runs more steps.
func stepAllocs(t *testing.T, s *roux.Session, warm, runs int) float64 {
	t.Helper()
	step := func() {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	for range warm {
		step()
	}
	return testing.AllocsPerRun(runs, step)
}

// TestStepDoesNotAllocate checks that a training step of a masked MLP allocates nothing
// once warmed up (programs, batches, masks and optimizer state are all preallocated).
func TestStepDoesNotAllocate(t *testing.T) {
	s := toy(t, `mask sparse on net.*.weight { init = random(sparsity: 0.9) }
procedure { train(50 epochs) }`)
	if n := stepAllocs(t, s, 3, 20); n != 0 {
		t.Fatalf("a training step allocates %.1f times", n)
	}
}

// TestStepDoesNotAllocateWithRegrowth repeats the check on a recipe with dropout, batch
// norm and SET regrowth every 4 steps, after a whole epoch has compiled the program of the
// last partial batch.
func TestStepDoesNotAllocateWithRegrowth(t *testing.T) {
	s := compiled(t, resumable)
	if n := stepAllocs(t, s, 14, 16); n != 0 {
		t.Fatalf("a training step allocates %.1f times", n)
	}
}

// TestMixtureStepDoesNotAllocate checks a step of a loss mixture (two streams,
// augmentations, AdaWAC's per-sample state, a mean teacher, UDA's statistics) and of a
// model with MoE layers (linear and MLP experts) and compressed layers.
func TestMixtureStepDoesNotAllocate(t *testing.T) {
	moe := `recipe "moe"
data train = blobs(n: 300, classes: 3, dim: 16)
model net {
    h   = moe(input(16), units: 12, experts: 4, k: 2, capacity: 1.5) |> relu
    e   = moe(h, units: 12, experts: 4, k: 2, hidden: 8) |> relu
    c   = sparse_dense(e, 32, density: 0.2) |> relu
    out = dense(c, 3)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = adam(lr: 0.01)
train {
    epochs = 5
    batch  = 20
}
`
	for name, src := range map[string]string{"mixture": mixture, "moe": moe} {
		s := compiled(t, src)
		if n := stepAllocs(t, s, 40, 10); n != 0 { // past the first epoch: every program is compiled
			t.Errorf("%s: a training step allocates %.1f times", name, n)
		}
	}
}

// TestDataParallelStepDoesNotAllocate checks a step of two replicas, with Adam (the
// gradients summed by Accumulate, then the update) and with SGD over a compressed
// layer (each core summing and updating its part), the last partial batch included.
func TestDataParallelStepDoesNotAllocate(t *testing.T) {
	for _, opt := range []string{"adam(lr: 0.01)", "sgd(lr: 0.1, momentum: 0.9)"} {
		s := compiled(t, `recipe "dp"
data train = blobs(n: 300, classes: 3, dim: 16)
model net {
    h   = dense(input(16), 32) |> relu
    c   = sparse_dense(h, 32, density: 0.2) |> relu
    out = dense(c, 3)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = `+opt+`
train {
    epochs        = 50
    batch         = 64
    data_parallel = 2
}
`)
		if n := stepAllocs(t, s, 10, 20); n != 0 { // 300 rows: four batches of 64 and one of 44 per epoch
			t.Errorf("%s: a data-parallel step allocates %.1f times", opt, n)
		}
	}
}
