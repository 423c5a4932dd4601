package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// torchRef is testdata/torch_ref.json, written by testdata/torch_ref.py with PyTorch 1.13 on
// amd64: two parameters, ten steps of random gradients with a changing learning rate, and the
// final values each torch.optim optimizer reached.
type torchRef struct {
	Shapes [][]int
	LRs    []float32
	Init   []float32
	Grads  [][]float32
	Cases  map[string]struct {
		Final []float32
		Norms []float32
	}
}

// TestMatchesPyTorch replays the reference trajectories. They agree to float32 rounding, not
// bit for bit: PyTorch's vectorized kernels fuse multiply-adds (w + alpha*g is one FMA), its
// norm sums in float32 in its own order, and Adam derives 1-beta from the double 0.9 where roux
// has the float32 0.9.
func TestMatchesPyTorch(t *testing.T) {
	ref := loadTorchRef(t)
	opts := map[string]Optimizer{
		"sgd":           &SGD{},
		"sgd_decay":     &SGD{WeightDecay: 5e-4},
		"momentum":      &SGD{Momentum: 0.9, WeightDecay: 5e-4},
		"nesterov":      &SGD{Momentum: 0.9, WeightDecay: 5e-4, Nesterov: true},
		"adam":          NewAdam(),
		"adam_l2":       &Adam{Beta1: 0.8, Beta2: 0.99, Eps: 1e-6, WeightDecay: 1e-2},
		"adamw":         NewAdamW(),
		"momentum_clip": &SGD{Momentum: 0.9, WeightDecay: 5e-4},
	}
	for name, opt := range opts {
		want, ok := ref.Cases[name]
		if !ok {
			t.Fatalf("no reference for %s", name)
		}
		var clip float32
		if name == "momentum_clip" {
			clip = 5
		}
		final, norms := replay(ref, opt, clip)
		compare(t, name+" final", final, want.Final)
		compare(t, name+" norms", norms, want.Norms)
	}
}

func loadTorchRef(t *testing.T) *torchRef {
	t.Helper()
	data, err := os.ReadFile("testdata/torch_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref torchRef
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	return &ref
}

// replay runs opt over the reference gradients, clipping them to clip first if clip > 0, and
// returns the final parameters, flattened, and the norms ClipGlobalNorm returned.
func replay(ref *torchRef, opt Optimizer, clip float32) (final, norms []float32) {
	params := make([]*tensor.Param, len(ref.Shapes))
	for i, s := range ref.Shapes {
		params[i] = tensor.NewParam("p", s...)
	}
	scatter(params, ref.Init, func(p *tensor.Param) []float32 { return p.Value.Data })
	for k, g := range ref.Grads {
		scatter(params, g, func(p *tensor.Param) []float32 { return p.Grad.Data })
		if clip > 0 {
			norms = append(norms, ClipGlobalNorm(params, clip))
		}
		opt.Step(params, ref.LRs[k])
	}
	for _, p := range params {
		final = append(final, p.Value.Data...)
	}
	return final, norms
}

// scatter copies flat values into the parameters' buffers, in order.
func scatter(params []*tensor.Param, flat []float32, buf func(*tensor.Param) []float32) {
	for _, p := range params {
		flat = flat[copy(buf(p), flat):]
	}
}

func compare(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-6*math.Max(1, math.Abs(float64(want[i]))) {
			t.Errorf("%s[%d] = %.9g, PyTorch %.9g", what, i, got[i], want[i])
			return
		}
	}
}
