package roux_test

import (
	"math"
	"strings"
	"testing"
)

const penalised = `recipe "penalised"
data train = moons(n: 200)
model net {
    h   = dense(input(2), 16) |> relu
    out = dense(h, 2)
}
mask half on net.h.weight {
    init   = random(sparsity: 0.5)
    pruned = ste()
}
REGULARIZE
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0.1)
train {
    epochs = 1
    batch  = 20
    seed   = 3
}
`

// TestL1PenaltyAddsToGradient compares one plain SGD step with and without
// l1_penalty(λ): the weights must differ by exactly −lr·λ·sign(w).
func TestL1PenaltyAddsToGradient(t *testing.T) {
	plain := compiled(t, strings.Replace(penalised, "REGULARIZE", "", 1))
	pen := compiled(t, strings.Replace(penalised, "REGULARIZE", "regularize sparsify on net.out.weight = l1_penalty(0.5)", 1))
	w0 := append([]float32(nil), plain.Param("net.out.weight").Value.Data...)
	for _, s := range []interface{ Step() (float64, error) }{plain, pen} {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	a, b := plain.Param("net.out.weight").Value.Data, pen.Param("net.out.weight").Value.Data
	for i, w := range w0 {
		want := -0.1 * 0.5 * float64(sign(w))
		if got := float64(b[i] - a[i]); math.Abs(got-want) > 1e-6 {
			t.Fatalf("weight %d moved by %v more than without the penalty, want %v", i, got, want)
		}
	}
}

func sign(x float32) float32 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// TestGroupLassoPrunedBy zeroes, after one step, exactly the rows of net.h.weight whose
// weights the mask prunes entirely (their stored values survive the ste rule otherwise);
// rows with a kept weight keep their values.
func TestGroupLassoPrunedBy(t *testing.T) {
	s := compiled(t, strings.Replace(penalised, "REGULARIZE", "regularize slim on net.h.weight = group_lasso(100, pruned_by: half)", 1))
	if _, err := s.Step(); err != nil {
		t.Fatal(err)
	}
	w, m := s.Param("net.h.weight").Value.Data, s.Mask("net.h.weight")
	full, kept := 0, 0
	for row := range 16 {
		pruned := m[2*row] == 0 && m[2*row+1] == 0
		zero := w[2*row] == 0 && w[2*row+1] == 0
		if pruned != zero {
			t.Fatalf("row %d: mask %v, weights %v", row, m[2*row:2*row+2], w[2*row:2*row+2])
		}
		if pruned {
			full++
		} else {
			kept++
		}
	}
	if full == 0 || kept == 0 {
		t.Fatalf("%d fully pruned rows and %d others: the test needs both", full, kept)
	}
}
