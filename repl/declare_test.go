package repl

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDeclare adds a mask mid-run over several lines: the session continues at its step,
// the new mask prunes the trained weights by magnitude, and a duplicate or broken
// declaration is an error that leaves the session as it was.
func TestDeclare(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	script := `step 12
mask extra on net.h1.bias {
    sparsity = 0.75    # prune the trained weights, once
}
sparsity net.h1.bias
schedule lr = 0.5
mask broken on net.nothing { init = random(sparsity: 0.5) }
step 1
`
	if err := r.Run(context.Background(), ScriptLines(strings.NewReader(script), nil)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"declared; continuing at step 12 of 40",
		"extra    net.h1.bias",
		"0.7500",
		"lr is declared twice",
		"to change an existing declaration, use set NAME = VALUE",
		"selector net.nothing matches no parameter",
		"step 13 of 40",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, got)
		}
	}
	for _, line := range []string{"train 1 epoch", "mask net.h1.weight", "schedule lr"} {
		if isDeclaration(line) {
			t.Errorf("%q is a command, not a declaration", line)
		}
	}
	if openBraces(`mask m on x { init = f("{") # }`) != 1 {
		t.Error("braces in strings and comments are counted")
	}
}
