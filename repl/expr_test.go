package repl

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestScalarExpressions evaluates recipe expressions at the current step: arithmetic on
// a named schedule agrees with the schedule, a schedule call evaluates, a mistake is a
// positioned recipe error, and a mistyped command still gets its suggestion.
func TestScalarExpressions(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	ctx := context.Background()
	r.Exec(ctx, "step 7")
	out.Reset()
	r.Exec(ctx, "lr")
	var lr float64
	fmt.Sscanf(out.String(), "lr = %g", &lr)
	out.Reset()
	r.Exec(ctx, "lr * 2")
	var twice float64
	fmt.Sscanf(out.String(), "lr * 2 = %g", &twice)
	if lr <= 0 || twice != 2*lr && fmt.Sprintf("%.6g", twice) != fmt.Sprintf("%.6g", 2*lr) {
		t.Fatalf("lr = %g, lr * 2 = %g", lr, twice)
	}
	for line, want := range map[string]string{
		"linear(0 -> 1, until: 14 steps)": "= 0.5 at step 7",
		"lr * foo":                        "unknown name foo",
		"stpe 3":                          "unknown command stpe (did you mean step?)",
	} {
		out.Reset()
		r.Exec(ctx, line)
		if !strings.Contains(out.String(), want) {
			t.Errorf("%s: %q, want %q", line, out.String(), want)
		}
	}
}
