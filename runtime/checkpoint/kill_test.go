package checkpoint

import (
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKillChild is the process TestKill kills: with ROUX_CKPT_CHILD=1 it saves checkpoints
// under ROUX_CKPT_DIR in a loop, continuing from the latest, until it is killed.
func TestKillChild(t *testing.T) {
	if os.Getenv("ROUX_CKPT_CHILD") != "1" {
		t.Skip("run by TestKill")
	}
	root := os.Getenv("ROUX_CKPT_DIR")
	step := 0
	if c, _, err := Latest(filepath.Join(root, "numbered")); err == nil {
		step = c.Meta.Step
	}
	deadline := time.Now().Add(10 * time.Second) // in case the parent dies
	for time.Now().Before(deadline) {
		step++
		c := makeCheckpoint(step, 1<<16+step%1000)
		if err := Save(filepath.Join(root, "inplace"), c); err != nil {
			t.Fatal(err)
		}
		if _, err := SaveNumbered(filepath.Join(root, "numbered"), c, 3); err != nil {
			t.Fatal(err)
		}
	}
}

// TestKill kills a process that saves checkpoints at random moments, several times, and
// checks after each kill that every numbered checkpoint and the one saved in place are
// complete and consistent.
func TestKill(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	root := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)
	last, interrupted, recovered := 0, 0, 0
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "ROUX_CKPT_CHILD=1", "ROUX_CKPT_DIR="+root)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
		cmd.Process.Kill() // SIGKILL
		if err := cmd.Wait(); err == nil {
			t.Fatalf("round %d: the child exited before it was killed", round)
		}
		step, leftovers := checkAfterKill(t, root)
		if step < last {
			t.Fatalf("round %d: latest step went back from %d to %d", round, last, step)
		}
		last = step
		if leftovers {
			interrupted++
		}
		if usesPending(filepath.Join(root, "inplace")) {
			recovered++
		}
	}
	t.Logf("%d checkpoints saved in 8 runs; %d kills left a save half done, %d between the renames of the tensors and meta.json",
		last, interrupted, recovered)
	if last == 0 {
		t.Error("no checkpoint was ever saved")
	}
}

// checkAfterKill checks the checkpoints under root and returns the latest step, and whether an
// interrupted save left files behind.
func checkAfterKill(t *testing.T, root string) (int, bool) {
	t.Helper()
	numbered := filepath.Join(root, "numbered")
	steps, err := List(numbered)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		c, err := Load(StepDir(numbered, step))
		if err == nil {
			err = checkConsistent(c)
		}
		if err != nil || c.Meta.Step != step {
			t.Fatalf("step %d: %v", step, err)
		}
	}
	latest := 0
	if c, _, err := Latest(numbered); err == nil {
		latest = c.Meta.Step
	} else if !errors.Is(err, ErrNoCheckpoint) || len(steps) > 0 {
		t.Fatal(err)
	}
	checkInPlace(t, filepath.Join(root, "inplace"), latest)
	return latest, hasLeftovers(t, root)
}

// checkInPlace checks the checkpoint saved in place in dir. Each step is saved there first,
// then numbered, so it holds the latest numbered step or the one after.
func checkInPlace(t *testing.T, dir string, latest int) {
	t.Helper()
	c, err := Load(dir)
	if err != nil && latest == 0 {
		return // killed during the first Save
	}
	if err == nil {
		err = checkConsistent(c)
	}
	if err != nil || (c.Meta.Step != latest && c.Meta.Step != latest+1) {
		t.Fatalf("in place: %v; latest numbered step %d", err, latest)
	}
}

// hasLeftovers reports whether an interrupted save left temporary or pending files under root.
func hasLeftovers(t *testing.T, root string) bool {
	t.Helper()
	found := false
	for _, dir := range []string{filepath.Join(root, "inplace"), filepath.Join(root, "numbered")} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			name := e.Name()
			if name == PendingFile || strings.HasPrefix(name, tempPrefix) {
				found = true
			}
		}
	}
	return found
}

// usesPending reports whether Load of dir has to use PendingFile: the process was killed after
// Save renamed the tensors file and before it renamed meta.json.
func usesPending(dir string) bool {
	tensors, err := os.ReadFile(filepath.Join(dir, TensorsFile))
	if err != nil {
		return false
	}
	_, err = loadMeta(dir, MetaFile, tensors)
	return err != nil
}
