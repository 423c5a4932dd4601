package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoCheckpoint is returned by Latest when root holds no complete checkpoint.
var ErrNoCheckpoint = errors.New("checkpoint: no complete checkpoint")

// stepPrefix starts the name of every numbered checkpoint directory.
const stepPrefix = "step-"

// StepDir returns the directory of the checkpoint of step under root, such as
// root/step-000000123.
func StepDir(root string, step int) string {
	return filepath.Join(root, fmt.Sprintf("%s%09d", stepPrefix, step))
}

// parseStep returns the step of a directory name that StepDir makes, and false for any other
// name.
func parseStep(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, stepPrefix)
	if !ok {
		return 0, false
	}
	step, err := strconv.Atoi(digits)
	return step, err == nil && step >= 0 && name == filepath.Base(StepDir("", step))
}

// List returns the steps of the numbered checkpoint directories under root, in increasing
// order, without checking them. A root that does not exist holds none.
func List(root string) ([]int, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var steps []int
	for _, e := range entries {
		if step, ok := parseStep(e.Name()); ok && e.IsDir() {
			steps = append(steps, step)
		}
	}
	slices.Sort(steps)
	return steps, nil
}

// SaveNumbered saves c as the checkpoint of step c.Meta.Step under root, creating root if
// needed, and returns its directory (StepDir). It writes the checkpoint into a temporary
// directory under root, syncs it, and renames it into place, so the numbered directory appears
// complete or not at all. A checkpoint of the same step already there is replaced. Then it
// calls Keep(root, keep).
func SaveNumbered(root string, c *Checkpoint, keep int) (string, error) {
	if c.Meta.Step < 0 {
		return "", fmt.Errorf("checkpoint: negative step %d", c.Meta.Step)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	tmp, err := os.MkdirTemp(root, tempPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	defer os.RemoveAll(tmp) // once renamed, this removes nothing
	if err := Save(tmp, c); err != nil {
		return "", err
	}
	dir := StepDir(root, c.Meta.Step)
	if err := replaceDir(root, tmp, dir); err != nil {
		return "", err
	}
	return dir, Keep(root, keep)
}

// replaceDir renames the directory tmp to dir, first moving aside any directory already there,
// and syncs root.
func replaceDir(root, tmp, dir string) error {
	if err := crashPoint("step dir"); err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		if err := discard(root, dir); err != nil {
			return err
		}
	}
	return renameSync(tmp, dir)
}

// discard renames dir to a temporary name under root, then removes it, so that a crash part way
// through leaves no partial checkpoint under a numbered name.
func discard(root, dir string) error {
	trash, err := os.MkdirTemp(root, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := renameSync(dir, filepath.Join(trash, "old")); err != nil {
		return err
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// Keep deletes all but the newest keep numbered checkpoints under root, and what interrupted
// saves left there. A keep of 0 or less keeps every checkpoint.
func Keep(root string, keep int) error {
	if err := removeTemps(root); err != nil {
		return err
	}
	steps, err := List(root)
	if err != nil || keep <= 0 || len(steps) <= keep {
		return err
	}
	for _, step := range steps[:len(steps)-keep] {
		if err := discard(root, StepDir(root, step)); err != nil {
			return err
		}
	}
	return nil
}

// Latest loads the newest complete checkpoint under root and returns it with its directory.
// It passes over temporary directories and any numbered checkpoint that fails to load, and
// returns an error wrapping ErrNoCheckpoint if none loads.
func Latest(root string) (*Checkpoint, string, error) {
	steps, err := List(root)
	if err != nil {
		return nil, "", err
	}
	errs := []error{ErrNoCheckpoint}
	for i := len(steps) - 1; i >= 0; i-- {
		dir := StepDir(root, steps[i])
		c, err := Load(dir)
		if err == nil {
			return c, dir, nil
		}
		errs = append(errs, err)
	}
	return nil, "", fmt.Errorf("%s: %w", root, errors.Join(errs...))
}
