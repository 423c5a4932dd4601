package repl

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestPeriodicCheckpoints loads a recipe that checkpoints every epoch: the REPL gives it
// the default directory, checkpoints/NAME, and training fills it.
func TestPeriodicCheckpoints(t *testing.T) {
	var out bytes.Buffer
	inRecipeDir(t)
	src := strings.Replace(moons, "    seed   = 1\n", "    seed   = 1\n    checkpoint = 1 epoch\n    keep   = 2\n", 1)
	if err := os.WriteFile("ck.recipe", []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := New(&out)
	for _, line := range []string{"load ck.recipe", "train 3 epochs"} {
		r.Exec(context.Background(), line)
	}
	entries, err := os.ReadDir("checkpoints/ck")
	if err != nil || len(entries) != 2 {
		t.Fatalf("checkpoints/ck holds %d entries (%v):\n%s", len(entries), err, out.String())
	}
}
