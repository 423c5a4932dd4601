package roux_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/mask"
	"github.com/roux-ml/roux/stdlib"
)

// TestCustomMaskInit registers a mask init from Go (keep the first inputs of every row)
// and trains a recipe that uses it: the checker validates its argument like a built-in's,
// the mask comes out as the init wrote it and stays so, and the plan says the start is
// unknown until the init runs.
func TestCustomMaskInit(t *testing.T) {
	if _, known := stdlib.Default.Entry("first_inputs"); !known {
		err := stdlib.Register(&stdlib.Entry{
			Signature: sig.Signature{Name: "first_inputs", Kind: sig.MaskInit, Doc: "Keep the first k inputs of every output.",
				Params: []sig.Param{{Name: "k", Type: sig.Int, Doc: "inputs kept per output"}}},
			Mask: func(a stdlib.Args) any {
				k := a.Int("k")
				return mask.Init{Kind: "first_inputs", Custom: func(masks, _ [][]float32, shapes [][]int, _ *rand.Rand) error {
					for i, m := range masks {
						in := shapes[i][1]
						for j := range m {
							m[j] = map[bool]float32{true: 1, false: 0}[j%in < k]
						}
					}
					return nil
				}}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s := toy(t, `mask custom on net.h2.weight { init = first_inputs(k: 4) }
procedure { train(2 epochs) }`)
	if err := s.Train(context.Background(), roux.Hooks{}); err != nil {
		t.Fatal(err)
	}
	m := s.Mask("net.h2.weight")
	w := s.Param("net.h2.weight").Value.Data
	for j := range m {
		if want := j%32 < 4; (m[j] == 1) != want || (!want && w[j] != 0) {
			t.Fatalf("entry %d: mask %g, weight %g", j, m[j], w[j])
		}
	}
	plans, err := roux.Plan(s.Recipe())
	if err != nil || len(plans) != 1 || !math.IsNaN(plans[0].Start) {
		t.Fatalf("plan %+v, %v", plans, err)
	}
	var out bytes.Buffer
	roux.PrintPlan(&out, plans, 20)
	if !strings.Contains(out.String(), "      ?      ?") {
		t.Fatalf("plan:\n%s", out.String())
	}
	_, err = roux.Compile("x.recipe", []byte(strings.Replace(toySource, "BODY", "mask custom on net.h2.weight { init = first_inputs(k: 1.5) }\nprocedure { train(1 epoch) }", 1)))
	if re, ok := roux.AsRecipeError(err); !ok || len(re.Errors) != 1 || !strings.Contains(re.Error(), "k must be a whole number") {
		t.Fatalf("a fractional k: %v", err)
	}
}
