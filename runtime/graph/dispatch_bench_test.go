package graph

import (
	"testing"

	"github.com/roux-ml/roux/runtime/kernels"
)

// BenchmarkDispatch measures the interpreter's cost per instruction: a chain of 1000
// elementwise ops on 4-value tensors, where the arithmetic is negligible, reported as
// ns per instruction next to the same 1000 kernel calls made directly (the floor).
//
//	go test -run XXX -bench Dispatch ./runtime/graph
func BenchmarkDispatch(b *testing.B) {
	const ops = 1000
	g := New()
	x := g.Input("x", 4)
	y := x
	for i := range ops {
		if i%2 == 0 {
			y = g.Add(y, x)
		} else {
			y = g.Mul(y, x)
		}
	}
	p, err := g.Compile(Options{Outputs: []*Node{y}})
	if err != nil {
		b.Fatal(err)
	}
	copy(p.Input("x").Data, []float32{1, 0.5, -0.5, 1})
	b.Run("interpreted", func(b *testing.B) {
		for range b.N {
			if err := p.Run(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ops), "ns/instr")
	})
	b.Run("direct", func(b *testing.B) {
		xs, d := []float32{1, 0.5, -0.5, 1}, make([]float32, 4)
		for range b.N {
			copy(d, xs)
			for i := range ops {
				if i%2 == 0 {
					kernels.Add(d, d, xs)
				} else {
					kernels.Mul(d, d, xs)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*ops), "ns/instr")
	})
}
