package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/tensor"
)

// sparseLinearRun is one forward and backward pass of Σ r⊙(x·Wᵀ) with random x and
// a random weight masked to a random pattern, through SparseLinear or MatMul.
type sparseLinearRun struct {
	x, w *tensor.Param
	y    []float32
	prog *Program
}

// runLinear builds x [batch, in] and w [out, in] from seed, w zero outside mask,
// computes the loss through SparseLinear (csr non-nil) or MatMul, and returns the
// output and gradients.
func runLinear(t *testing.T, batch, out, in int, mask []float32, csr *kernels.CSR, denseGrad bool) *sparseLinearRun {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	x, w := tensor.NewParam("x", batch, in), tensor.NewParam("w", out, in)
	for i := range x.Value.Data {
		x.Value.Data[i] = 2*r.Float32() - 1
	}
	for i := range w.Value.Data {
		w.Value.Data[i] = (2*r.Float32() - 1) * mask[i]
	}
	g := New()
	xn, wn := g.Param(x), g.Param(w)
	var y *Node
	if csr != nil {
		y = g.SparseLinear(xn, wn, Sparsity{CSR: csr, DenseGrad: &denseGrad})
	} else {
		y = g.MatMul(xn, wn, false, true)
	}
	rw := g.Input("r", batch, out)
	p := compile(t, g, Options{Loss: g.SumAll(g.Mul(y, rw)), Outputs: []*Node{y}})
	copy(p.Input("r").Data, randoms(r, batch*out))
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	return &sparseLinearRun{x: x, w: w, y: p.Value(y).Data, prog: p}
}

// randomMask returns a rows·cols mask with about density of its entries set.
func randomMask(n int, density float64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 9))
	m := make([]float32, n)
	for i := range m {
		if r.Float64() < density {
			m[i] = 1
		}
	}
	return m
}

// The sparse path equals the masked-dense MatMul: forward, input gradient, and weight
// gradient ⊙ M (zero outside M), or the whole dense weight gradient with DenseGrad;
// within 1e-5 + 1e-5·|v| (sums of up to 784 products in another order).
func TestSparseLinearMatchesMatMul(t *testing.T) {
	for _, c := range []struct {
		batch, out, in int
		density        float64
		denseGrad      bool
	}{
		{37, 20, 50, 0.05, false}, {128, 300, 784, 0.1, false}, {128, 300, 784, 0.01, true},
		{5, 30, 17, 0.5, false}, {64, 10, 100, 0, false},
	} {
		t.Run(fmt.Sprintf("%dx%dx%d/%g/dense_grad=%v", c.batch, c.out, c.in, c.density, c.denseGrad), func(t *testing.T) {
			mask := randomMask(c.out*c.in, c.density, 5)
			csr := &kernels.CSR{}
			csr.Build(mask, make([]float32, len(mask)), c.out, c.in)
			sp := runLinear(t, c.batch, c.out, c.in, mask, csr, c.denseGrad)
			de := runLinear(t, c.batch, c.out, c.in, mask, nil, false)
			near(t, "y", sp.y, de.y, nil)
			near(t, "dx", sp.x.Grad.Data, de.x.Grad.Data, nil)
			if c.denseGrad || c.density >= SparseCrossover {
				near(t, "dW", sp.w.Grad.Data, de.w.Grad.Data, nil)
			} else {
				near(t, "dW", sp.w.Grad.Data, de.w.Grad.Data, mask)
			}
		})
	}
}

// near compares got with want, or with want⊙mask when mask is not nil.
func near(t *testing.T, name string, got, want, mask []float32) {
	t.Helper()
	for i := range want {
		w := want[i]
		if mask != nil {
			w *= mask[i]
		}
		if d := math.Abs(float64(got[i] - w)); d > 1e-5+1e-5*math.Abs(float64(w)) {
			t.Fatalf("%s[%d] = %g, want %g", name, i, got[i], w)
		}
	}
}

// A training program with SparseLinear does not allocate once it has run.
func TestSparseLinearNoAlloc(t *testing.T) {
	mask := randomMask(300*784, 0.05, 5)
	csr := &kernels.CSR{}
	csr.Build(mask, make([]float32, len(mask)), 300, 784)
	p := runLinear(t, 128, 300, 784, mask, csr, false).prog
	if a := testing.AllocsPerRun(5, func() { _ = p.Run() }); a != 0 {
		t.Errorf("%v allocations per run", a)
	}
}
