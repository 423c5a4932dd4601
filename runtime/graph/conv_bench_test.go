package graph

import (
	"math/rand/v2"
	"testing"
)

// mnistCNN builds recipes/mnist_cnn.recipe's network on inputs "x" [batch 1 28 28]
// and "y" [batch]: conv 1→32 5×5 padding 2 (+bias), relu, max pool 2, conv 32→64
// 5×5 padding 2 (+bias), relu, max pool 2, dense 3136→128, relu, dense 128→10,
// softmax cross-entropy.
func mnistCNN(g *Graph, batch int, r *rand.Rand) *Node {
	h := g.Input("x", batch, 1, 28, 28)
	for _, c := range []int{32, 64} {
		w := randParam(r, "conv.weight", c, h.Shape[1], 5, 5)
		h = g.AddChannelBias(g.Conv2D(h, w(g), 1, 2, 1), randParam(r, "conv.bias", c)(g))
		h = g.MaxPool2D(g.Relu(h), 2, 2)
	}
	h = g.Flatten(h)
	for _, n := range []int{128, 10} {
		w := randParam(r, "fc.weight", n, h.Shape[1])
		h = g.AddBias(g.MatMul(h, w(g), false, true), randParam(r, "fc.bias", n)(g))
		if n != 10 {
			h = g.Relu(h)
		}
	}
	return g.SoftmaxCrossEntropy(h, g.Input("y", batch))
}

// BenchmarkMNISTCNNStep times one training step (forward and backward) of
// recipes/mnist_cnn.recipe's network at batch 128.
func BenchmarkMNISTCNNStep(b *testing.B) {
	const batch = 128
	r := rand.New(rand.NewPCG(1, 1))
	g := New()
	benchStep(b, g, mnistCNN(g, batch, r), batch, r)
}
