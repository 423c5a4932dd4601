package roux

import (
	"fmt"
	"math"
	"testing"

	"github.com/roux-ml/roux/runtime/graph"
)

// sparseMLP is a small masked MLP over blobs; mask is its mask block.
func sparseMLP(mask string) string {
	return `recipe "sparse mlp"
data train = blobs(n: 320, dim: 40, classes: 4)
model net {
    h1  = dense(input(40), 96) |> relu
    h2  = dense(h1, 64) |> relu
    out = dense(h2, 4)
}
` + mask + `
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0.05, momentum: 0.9, weight_decay: 1e-4)
train {
    epochs = 4
    batch  = 32
    seed   = 7
}
`
}

// sparseMasks are the mask blocks trained on both paths: a static random mask, RigL
// (dense gradient on its regrowth steps), and gradual magnitude pruning (the mask
// changes during training, and the density crosses SparseCrossover).
var sparseMasks = map[string]string{
	"static": `mask m on net.*.weight { init = random(sparsity: 0.9) }`,
	"rigl": `mask m on net.*.weight {
    init   = random(sparsity: 0.9)
    regrow = rigl(every: 3 steps, until: 75%)
}`,
	"gmp": `mask m on net.*.weight {
    sparsity = cubic(0 -> 0.95, from: 10%, until: 60%)
}`,
}

// trainSparse trains a recipe with the sparse path on or off and returns the session.
// With crossover 1 every masked layer runs the sparse kernels whatever its density.
func trainSparse(t *testing.T, src string, sparse bool, crossover float64) *Session {
	t.Helper()
	saved, savedX := sparseLayers, graph.SparseCrossover
	sparseLayers, graph.SparseCrossover = sparse, crossover
	defer func() { sparseLayers, graph.SparseCrossover = saved, savedX }()
	r, err := Compile("sparse.recipe", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for !s.Done() {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// Training on the sparse kernels ends with the weights of training on the masked-dense
// MatMul, within 1e-4 + 1e-4·|w| after 40 steps (the kernels sum in another order),
// with the same masks (RigL's regrowth included) and pruned weights exactly zero.
func TestSparseTrainingMatchesDense(t *testing.T) {
	for name, m := range sparseMasks {
		for _, crossover := range []float64{1, graph.SparseCrossover} {
			t.Run(fmt.Sprintf("%s/crossover=%g", name, crossover), func(t *testing.T) {
				sp := trainSparse(t, sparseMLP(m), true, crossover)
				de := trainSparse(t, sparseMLP(m), false, crossover)
				if sp.layers["net.h1.weight"].CSR == nil || de.layers["net.h1.weight"].CSR != nil {
					t.Fatal("the sparse path is not taken, or taken with sparseLayers off")
				}
				for _, p := range de.Params() {
					q := sp.Param(p.Name)
					for i, w := range p.Value.Data {
						if d := math.Abs(float64(q.Value.Data[i] - w)); d > 1e-4+1e-4*math.Abs(float64(w)) {
							t.Fatalf("%s[%d] = %g on the sparse path, %g on the dense one", p.Name, i, q.Value.Data[i], w)
						}
					}
				}
				checkMasks(t, sp, de)
			})
		}
	}
}

// checkMasks checks that two sessions hold the same masks and that every pruned
// weight is zero.
func checkMasks(t *testing.T, sp, de *Session) {
	t.Helper()
	for path, l := range de.layers {
		ms := sp.Mask(path)
		for i, k := range l.Mask {
			if ms[i] != k {
				t.Fatalf("%s: mask entry %d is %g on the sparse path, %g on the dense one", path, i, ms[i], k)
			}
			if ms[i] == 0 && sp.Param(path).Value.Data[i] != 0 {
				t.Fatalf("%s[%d] is pruned but %g", path, i, sp.Param(path).Value.Data[i])
			}
		}
	}
}

// A training step on the sparse path allocates no more than on the dense path once
// warmed up: the program and AfterBackward not at all; AfterUpdate as often as on the
// dense path (Session.slots builds a slice per layer when the mask zeroes the
// optimizer state; the CSR upkeep allocates nothing).
func TestSparseStepNoAlloc(t *testing.T) {
	var hooks [2]float64
	for i, sparse := range []bool{false, true} {
		s := trainSparse(t, sparseMLP(sparseMasks["static"]), sparse, 1)
		prog, m := s.trainProgs[32].Prog, s.masks[0]
		if a := testing.AllocsPerRun(10, func() {
			if err := prog.Run(); err != nil {
				t.Fatal(err)
			}
			m.AfterBackward()
		}); a != 0 {
			t.Errorf("sparse=%v: %v allocations per run and AfterBackward", sparse, a)
		}
		step := s.Clock().Step
		hooks[i] = testing.AllocsPerRun(10, func() {
			step++
			if err := m.AfterUpdate(step); err != nil {
				t.Fatal(err)
			}
		})
	}
	if hooks[1] > hooks[0] {
		t.Errorf("AfterUpdate allocates %v times on the sparse path, %v on the dense one", hooks[1], hooks[0])
	}
}
