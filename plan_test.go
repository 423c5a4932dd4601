package roux_test

import (
	"math"
	"testing"

	"github.com/roux-ml/roux"
)

// TestPlan checks the plan from recipes alone: GMP follows PAPERS.md S1's cubic test
// vector (0 at 25%, 0.7875 at 50%, 0.9 at 75%), ERK gives M1's LeNet densities, and IMP's
// four rounds of prune(by: 0.44) reach 1 - 0.56^4.
func TestPlan(t *testing.T) {
	cases := []struct {
		file    string
		path    string
		start   float64
		targets [5]float64
	}{
		{"recipes/mnist_gmp.recipe", "net.h1.weight", 0, [5]float64{0, 0, 0.7875, 0.9, 0.9}},
		{"recipes/mnist_erk.recipe", "net.h2.weight", 1 - 0.2302, [5]float64{}},
		{"recipes/mnist_imp.recipe", "net.out.weight", 0, [5]float64{0, 0.44, 1 - 0.56*0.56, 1 - math.Pow(0.56, 3), 1 - math.Pow(0.56, 4)}},
	}
	for _, c := range cases {
		r, err := roux.Load(c.file)
		if err != nil {
			t.Fatal(err)
		}
		plans, err := roux.Plan(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plans {
			if p.Path != c.path {
				continue
			}
			if math.Abs(p.Start-c.start) > 1e-3 {
				t.Errorf("%s %s: start %.4f, want %.4f", c.file, c.path, p.Start, c.start)
			}
			if c.targets == ([5]float64{}) {
				continue
			}
			for i, want := range c.targets {
				if math.Abs(p.Targets[i]-want) > 2e-3 {
					t.Errorf("%s %s: target %d = %.4f, want %.4f", c.file, c.path, i, p.Targets[i], want)
				}
			}
		}
	}
}
