package main

import (
	"strings"
	"testing"
)

func TestBench(t *testing.T) {
	code, out, errOut := rouxCmd("bench", moons, "--densities", "1,0.25", "--steps", "20")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"forward 128x300x784", "peak estimate 1024^3", "100% of peak", "  dense ", "  100% ", "  25% ", "vs dense"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := rouxCmd("bench", moons, "--densities", "0"); code != exitRecipe || !strings.Contains(errOut, "--densities takes numbers in (0, 1]") {
		t.Errorf("density 0: exit %d: %s", code, errOut)
	}
	masked := writeRecipe(t, strings.Replace(mustRead(t, moons), "loss =", "mask m on net.*.weight { init = random(sparsity: 0.5) }\nloss =", 1))
	if code, _, errOut := rouxCmd("bench", masked, "--densities", "0.5", "--steps", "5"); code != exitRecipe || !strings.Contains(errOut, "both select net.h.weight") {
		t.Errorf("a recipe with its own mask: exit %d: %s", code, errOut)
	}
}
