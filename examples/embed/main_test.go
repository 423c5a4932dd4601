package main

import (
	"strings"
	"testing"
)

// TestEmbed trains the example recipe with the custom loss to a useful accuracy, and
// checks that a misuse of the custom loss is reported like a built-in's.
func TestEmbed(t *testing.T) {
	var out strings.Builder
	if err := run(&out, recipe); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if len(lines) != 4 || !strings.HasPrefix(last, "epoch 40: test accuracy 9") {
		t.Fatalf("output:\n%s", out.String())
	}
	bad := strings.Replace(recipe, "smoothing: 0.05", "smoothin: 1.5", 1)
	err := run(&out, bad)
	if err == nil || !strings.Contains(err.Error(), "embedded.recipe:9:41: smooth_ce has no parameter smoothin") || !strings.Contains(err.Error(), "did you mean smoothing?") {
		t.Fatalf("misuse: %v", err)
	}
}
