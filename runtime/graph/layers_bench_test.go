package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/roux-ml/roux/runtime/tensor"
)

// convNet builds conv(1→c1, k×k) → relu → max pool 2 → conv(c1→c2, k×k) → relu →
// max pool 2 → dense to 10 classes with a softmax cross-entropy, on inputs "x"
// [batch 1 28 28] and "y" [batch], with optional batch norm after each convolution.
func convNet(g *Graph, batch, c1, c2, k int, bn bool, r *rand.Rand) *Node {
	h := g.Input("x", batch, 1, 28, 28)
	for i, c := range []int{c1, c2} {
		w := randParam(r, "conv.weight", c, h.Shape[1], k, k)
		h = g.AddChannelBias(g.Conv2D(h, w(g), 1, 0, 1), randParam(r, "conv.bias", c)(g))
		if bn && i == 0 {
			h = g.BatchNorm(h, nil, nil, NewBatchNormStats(c), 0.1, 1e-5)
		}
		h = g.MaxPool2D(g.Relu(h), 2, 2)
	}
	h = g.Flatten(h)
	fc := randParam(r, "fc.weight", 10, h.Shape[1])
	logits := g.AddBias(g.MatMul(h, fc(g), false, true), randParam(r, "fc.bias", 10)(g))
	return g.SoftmaxCrossEntropy(logits, g.Input("y", batch))
}

// randParam returns a parameter with PyTorch's default U(±1/√fanIn) values, fanIn
// the product of all but the first dimension, as a function that adds it to a graph.
func randParam(r *rand.Rand, name string, shape ...int) func(*Graph) *Node {
	p := tensor.NewParam(name, shape...)
	bound := 1 / math.Sqrt(float64(tensor.Numel(shape[1:])))
	for i := range p.Value.Data {
		p.Value.Data[i] = float32((2*r.Float64() - 1) * bound)
	}
	return func(g *Graph) *Node { return g.Param(p) }
}

func TestConvRunDoesNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	g := New()
	p := compile(t, g, Options{Loss: convNet(g, 4, 3, 4, 3, true, r)})
	fill(p, r, 10)
	if n := testing.AllocsPerRun(3, func() {
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Run allocates %v times", n)
	}
}

// BenchmarkConvStep times one training step (forward and backward) of a LeNet-style
// network at batch 128: conv 1→32 5×5, relu, max pool 2, conv 32→64 5×5, relu, max
// pool 2, dense 1024→10, softmax cross-entropy.
func BenchmarkConvStep(b *testing.B) {
	const batch = 128
	r := rand.New(rand.NewPCG(1, 1))
	g := New()
	benchStep(b, g, convNet(g, batch, 32, 64, 5, false, r), batch, r)
}
