package repl

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiff saves the session's masks, trains past a pruning step, and checks that diff
// reports what changed with counts that add up, against the session and between two
// checkpoints; and that misuse is an error that leaves the session usable.
func TestDiff(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ctx := context.Background()
	for _, line := range []string{"save " + a, "step 20", "save " + b} {
		r.Exec(ctx, line)
	}
	out.Reset()
	r.Exec(ctx, "diff "+a+" "+b)
	between := out.String()
	out.Reset()
	r.Exec(ctx, "diff "+a)
	if out.String() != strings.Replace(between, b, "the session", 1) {
		t.Fatalf("diff against the session:\n%s\nbetween the checkpoints:\n%s", out.String(), between)
	}
	rows, changed := 0, 0
	for _, l := range strings.Split(between, "\n")[2:] {
		var name string
		var before, after, kept, dropped, grown int
		if n, _ := fmt.Sscan(l, &name, &before, &after, &kept, &dropped, &grown); n == 6 {
			rows++
			changed += dropped + grown
			if before-dropped != kept || after-grown != kept {
				t.Errorf("counts do not add up: %q", l)
			}
		}
	}
	if rows == 0 || changed == 0 {
		t.Fatalf("%d rows, %d changes:\n%s", rows, changed, between)
	}
	for _, bad := range []string{"diff", "diff " + filepath.Join(dir, "none"), "diff a b c"} {
		out.Reset()
		r.Exec(ctx, bad)
		if !strings.Contains(out.String(), "error: diff") {
			t.Errorf("%s: %q", bad, out.String())
		}
	}
	out.Reset()
	r.Exec(ctx, "step 1")
	if !strings.Contains(out.String(), "step 21") {
		t.Fatalf("the session is not usable after the errors: %q", out.String())
	}
}
