package roux_test

import (
	"testing"
)

// TestStepDoesNotAllocate checks that a training step of a masked MLP allocates nothing
// once warmed up (programs, batches, masks and optimizer state are all preallocated).
func TestStepDoesNotAllocate(t *testing.T) {
	s := toy(t, `mask sparse on net.*.weight { init = random(sparsity: 0.9) }
procedure { train(50 epochs) }`)
	for range 3 {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(20, func() {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("a training step allocates %.1f times", n)
	}
}

// TestStepDoesNotAllocateWithRegrowth repeats the check on a recipe with dropout, batch
// norm and SET regrowth every 4 steps, after a whole epoch has compiled the program of the
// last partial batch.
func TestStepDoesNotAllocateWithRegrowth(t *testing.T) {
	s := compiled(t, resumable)
	for range 14 {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(16, func() {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("a training step allocates %.1f times", n)
	}
}
