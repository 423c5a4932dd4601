package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/runtime/sparse"
)

func TestBench(t *testing.T) {
	code, out, errOut := rouxCmd("bench", moons, "--densities", "1,0.25", "--steps", "20")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"forward 128x300x784", "peak estimate 1024^3", "100% of peak", "one core 1024^3", "all cores give", "  dense ", "  100% ", "  25% ", "vs dense", "compressed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := rouxCmd("bench", moons, "--densities", "0"); code != exitRecipe || !strings.Contains(errOut, "--densities takes numbers in (0, 1]") {
		t.Errorf("density 0: exit %d: %s", code, errOut)
	}
	code, out, errOut = rouxCmd("bench", moons, "--densities", "0.25", "--steps", "20", "--set", "train.data_parallel=2")
	if code != exitOK || !rowTimed(out, "25%") {
		t.Errorf("with replicas, want a 25%% row with masked figures: exit %d: %s\n%s", code, out, errOut)
	}
	masked := writeRecipe(t, strings.Replace(mustRead(t, moons), "loss =", "mask m on net.*.weight { init = random(sparsity: 0.5) }\nloss =", 1))
	if code, _, errOut := rouxCmd("bench", masked, "--densities", "0.5", "--steps", "5"); code != exitRecipe || !strings.Contains(errOut, "both select net.h.weight") {
		t.Errorf("a recipe with its own mask: exit %d: %s", code, errOut)
	}
}

// rowTimed reports whether out has a row for label with a masked time, samples/s and
// ratio, and a compressed time and ratio, all numbers.
func rowTimed(out, label string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) != 6 || f[0] != label {
			continue
		}
		for _, v := range f[1:] {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return false
			}
		}
		return true
	}
	return false
}

// TestCompressed rewrites a model of dense layers into sparse_dense layers at the ERK
// densities a mask of the same overall density gives them, and refuses models it
// cannot rewrite.
func TestCompressed(t *testing.T) {
	src := mustRead(t, "../../recipes/mnist_mlp.recipe")
	r, err := roux.Compile("mlp.recipe", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out, err := compressed("mlp.recipe", []byte(src), r.Models[0], 0.1)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sparse.Densities([][]int{{300, 784}, {100, 300}, {10, 100}}, 0.1, sparse.ERK, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	// ERK keeps the last layer dense at 10%
	for _, line := range []string{fmt.Sprintf("h1  = sparse_dense(input(784), 300, density: %v) |> relu", want[0]),
		fmt.Sprintf("h2  = sparse_dense(h1, 100, density: %v) |> relu", want[1]), "out = dense(h2, 10)"} {
		if !strings.Contains(string(out), line) {
			t.Errorf("rewritten recipe lacks %q:\n%s", line, out)
		}
	}
	if want[2] != 1 {
		t.Fatalf("ERK gives the last layer density %v at 10%%, the test expects 1", want[2])
	}
	c, err := roux.Compile("mlp.recipe", out)
	if err != nil {
		t.Fatalf("the rewritten recipe does not compile: %v\n%s", err, out)
	}
	if len(c.Models[0].Weights) != len(r.Models[0].Weights) {
		t.Errorf("rewritten model has weights %v, the dense one %v", c.Models[0].Weights, r.Models[0].Weights)
	}
	for name, edit := range map[string][2]string{
		"not dense layers":           {"h1  = dense(input(784), 300) |> relu", "c   = conv2d(reshape(input(784), [1, 28, 28]), 4, 3)\n    h1  = dense(flatten(c), 300) |> relu"},
		"sparse_dense takes no init": {"dense(h1, 100)", "dense(h1, 100, init: he)"},
	} {
		other := strings.Replace(src, edit[0], edit[1], 1)
		r, err := roux.Compile("other.recipe", []byte(other))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := compressed("other.recipe", []byte(other), r.Models[0], 0.1); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got error %v", name, err)
		}
	}
}
