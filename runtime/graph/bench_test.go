package graph

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMLPStep times one training step (forward and backward) of a 784-300-100-10
// ReLU MLP with softmax cross-entropy at batch 128.
func BenchmarkMLPStep(b *testing.B) {
	const batch = 128
	g := New()
	r := rand.New(rand.NewPCG(1, 1))
	loss, _ := mlp(g, []int{784, 300, 100, 10}, batch, r)
	benchStep(b, g, loss, batch, r)
}

// benchStep times training steps of a compiled loss and reports samples per second.
func benchStep(b *testing.B, g *Graph, loss *Node, batch int, r *rand.Rand) {
	p, err := g.Compile(Options{Loss: loss})
	if err != nil {
		b.Fatal(err)
	}
	fill(p, r, 10)
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
}
