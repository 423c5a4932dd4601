package roux_test

import (
	"context"
	"strings"
	"testing"

	"github.com/roux-ml/roux"
)

// toySource is a small recipe over two moons; BODY stands for masks and a procedure.
const toySource = `recipe "toy"
data train = moons(n: 200)
data test  = moons(n: 100, seed: 2)
model net {
    h1  = dense(input(2), 32) |> relu
    h2  = dense(h1, 32) |> relu
    out = dense(h2, 2)
}
loss = cross_entropy(net(train.x), train.y)
optimizer = sgd(lr: 0.1, momentum: 0.9)
train {
    batch = 20
    seed  = 3
    eval test every 1 epoch: accuracy
}
BODY`

// toy compiles toySource with body in place of BODY and opens a session on it.
func toy(t *testing.T, body string) *roux.Session {
	t.Helper()
	src := strings.Replace(toySource, "BODY", body, 1)
	r, err := roux.Compile("toy.recipe", []byte(src))
	return open(t, r, err)
}

// sparsityOf returns the masks' overall sparsity and how many pruned entries are not
// exactly zero (the invariant is none: every pruned entry is zero, and an active entry
// may be zero too, as a freshly regrown one is).
func sparsityOf(s *roux.Session) (float64, int) {
	size, active, stray := 0, 0, 0
	for _, p := range s.Sparsity() {
		size += p.Size
		active += p.Active
		stray += max(0, p.Size-p.Active-p.Zeros)
	}
	return 1 - float64(active)/float64(size), stray
}

// TestIMPRewinds checks iterative magnitude pruning: two rounds of prune(by: 0.5) reach
// 75% sparsity exactly, and after rewinding the surviving weights hold their saved values.
func TestIMPRewinds(t *testing.T) {
	s := toy(t, `mask imp on net.*.weight { prune = magnitude(scope: global) }
procedure {
    train(1 epoch)
    save(start)
    repeat(2) {
        train(1 epoch)
        prune(imp, by: 0.5)
        rewind(start)
    }
}`)
	var saved []float32
	err := s.Train(context.Background(), roux.Hooks{AfterStep: func(step int, _ float64) {
		if step == 10 { // the end of train(1 epoch): what save(start) will keep
			saved = append([]float32(nil), s.Param("net.h1.weight").Value.Data...)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	sp, stray := sparsityOf(s)
	if sp < 0.7499 || sp > 0.7501 || stray != 0 {
		t.Fatalf("sparsity %.4f with %d nonzero pruned weights, want 0.75 and 0", sp, stray)
	}
	kept := 0
	for i, v := range s.Param("net.h1.weight").Value.Data {
		if v != 0 {
			kept++
			if v != saved[i] {
				t.Fatalf("weight %d is %g after rewinding, saved %g", i, v, saved[i])
			}
		}
	}
	if kept == 0 {
		t.Fatal("every weight of net.h1 was pruned")
	}
}

// TestSoupKeepsMask checks that averaging a soup keeps the shared mask exactly and
// reports the ingredients and the soup.
func TestSoupKeepsMask(t *testing.T) {
	s := toy(t, `mask sparse on net.*.weight { init = random(sparsity: 0.8) }
procedure {
    train(1 epoch)
    soup(3) {
        train(2 epochs)
    }
}`)
	before, _ := sparsityOf(s)
	var phases []string
	err := s.Train(context.Background(), roux.Hooks{AfterEval: func(e roux.EvalResult) { phases = append(phases, e.Phase) }})
	if err != nil {
		t.Fatal(err)
	}
	after, stray := sparsityOf(s)
	if after != before || stray != 0 {
		t.Fatalf("sparsity %.4f -> %.4f, %d nonzero pruned weights", before, after, stray)
	}
	got := strings.Join(phases, ",")
	if !strings.Contains(got, "ingredient 3/3") || !strings.HasSuffix(got, "soup") {
		t.Fatalf("evaluation phases %q", got)
	}
	if s.Clock().Step != 30 {
		t.Fatalf("clock at %d after the soup, want 10 + 20", s.Clock().Step)
	}
}

// TestSPDFLiftsMask checks that unmask makes every weight trainable again.
func TestSPDFLiftsMask(t *testing.T) {
	s := toy(t, `mask sparse on net.*.weight { init = random(sparsity: 0.9) }
mask soft on net.out.bias { sparsity = 0.5
    pruned = shrink(rho: 0.5) }
procedure {
    train(2 epochs)
    harden(soft)
    unmask(sparse)
    train(1 epoch)
}`)
	zerosBefore := map[string]int{}
	for _, p := range s.Sparsity() {
		zerosBefore[p.Path] = p.Zeros
	}
	if err := s.Train(context.Background(), roux.Hooks{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Sparsity() {
		switch p.Mask {
		case "sparse":
			// formerly pruned weights start at zero and train; those fed by dead ReLU
			// units may stay zero
			if p.Active != p.Size || p.Zeros >= zerosBefore[p.Path] {
				t.Errorf("%s: %d of %d active, zeros %d -> %d after unmask and training", p.Path, p.Active, p.Size, zerosBefore[p.Path], p.Zeros)
			}
		case "soft":
			if p.Active != 1 || p.Zeros != 1 {
				t.Errorf("%s: after harden %d active and %d zeros, want 1 and 1", p.Path, p.Active, p.Zeros)
			}
		}
	}
}

// TestMaskInvariantEveryStep checks after every step of a RigL run that pruned weights are
// exactly zero and the active count never changes.
func TestMaskInvariantEveryStep(t *testing.T) {
	s := toy(t, `mask rigl on net.*.weight {
    init   = random(sparsity: 0.9)
    regrow = rigl(every: 3 steps, until: 75%)
}
procedure { train(3 epochs) }`)
	want, _ := sparsityOf(s)
	err := s.Train(context.Background(), roux.Hooks{AfterStep: func(step int, _ float64) {
		if sp, stray := sparsityOf(s); sp != want || stray != 0 {
			t.Fatalf("step %d: sparsity %.4f (want %.4f), %d nonzero pruned weights", step, sp, want, stray)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
}
