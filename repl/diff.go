package repl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/roux-ml/roux/runtime/checkpoint"
)

// diff compares the masks of a checkpoint with the session's, or of two checkpoints:
// per masked weight, how many entries both keep, and how many the second dropped and grew.
func (r *REPL) diff(_ context.Context, args string) error {
	dirs := strings.Fields(args)
	if len(dirs) < 1 || len(dirs) > 2 {
		return errors.New("diff takes one checkpoint (compared with the session) or two, like diff ckpt-a ckpt-b")
	}
	first, err := checkpointMasks(dirs[0])
	if err != nil {
		return err
	}
	second, name := r.sessionMasks(), "the session"
	if len(dirs) == 2 {
		if second, err = checkpointMasks(dirs[1]); err != nil {
			return err
		}
		name = dirs[1]
	}
	return r.printDiff(dirs[0], name, first, second)
}

// checkpointMasks reads the masks of a checkpoint, or of the newest one below a
// directory of numbered checkpoints, by weight path.
func checkpointMasks(dir string) (map[string][]float32, error) {
	var c *checkpoint.Checkpoint
	var err error
	if _, statErr := os.Stat(filepath.Join(dir, checkpoint.MetaFile)); statErr == nil {
		c, err = checkpoint.Load(dir)
	} else {
		c, _, err = checkpoint.Latest(dir)
	}
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	out := map[string][]float32{}
	for _, t := range c.Tensors {
		if path, ok := strings.CutPrefix(t.Name, "mask/"); ok {
			out[path] = t.Data
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("diff: %s holds no masks", dir)
	}
	return out, nil
}

func (r *REPL) sessionMasks() map[string][]float32 {
	out := map[string][]float32{}
	for _, p := range r.sess.Sparsity() {
		out[p.Path] = r.sess.Mask(p.Path)
	}
	return out
}

// printDiff prints one row per weight both sides mask.
func (r *REPL) printDiff(a, b string, first, second map[string][]float32) error {
	var paths []string
	for p := range first {
		if _, ok := second[p]; ok {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return fmt.Errorf("diff: %s and %s mask no weight in common", a, b)
	}
	sort.Strings(paths)
	r.printf("masks of %s -> %s\n  %-20s %9s %9s %9s %9s %9s\n", a, b, "parameter", "before", "after", "kept", "dropped", "grown")
	for _, p := range paths {
		x, y := first[p], second[p]
		if len(x) != len(y) {
			return fmt.Errorf("diff: %s has %d entries in %s but %d in %s", p, len(x), a, len(y), b)
		}
		var before, after, kept int
		for i := range x {
			on1, on2 := x[i] != 0, y[i] != 0
			before, after = before+b2i(on1), after+b2i(on2)
			kept += b2i(on1 && on2)
		}
		r.printf("  %-20s %9d %9d %9d %9d %9d\n", p, before, after, kept, before-kept, after-kept)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
