package stdlib

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/kernels"
	"github.com/roux-ml/roux/runtime/sparse"
)

// sparse_dense is a dense layer whose weight exists only compressed: a fixed random
// pattern drawn from the seed and one value per nonzero (weight [nnz]). Memory and
// compute scale with the density, so layers far too large to hold densely train.
func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{
			Name: "sparse_dense", Kind: sig.Layer,
			Doc: "Fully connected layer with a static random sparse weight stored compressed: density·units·inputs nonzeros (weight [nnz]), " +
				"each output reading ⌊nnz/units⌋ or ⌈nnz/units⌉ random inputs; no dense weight is ever allocated. Masks do not apply to it; " +
				"for a network's ERK densities see recipes/huge_sparse_mlp.recipe.",
			Params: []sig.Param{
				tensorP("x", "input of shape [B inputs]"),
				intP("units", nil, "number of outputs", positive),
				numP("density", nil, "share of the units·inputs connections that exist, in (0, 1]", func(v any) string {
					if f, _ := v.(float64); f <= 0 || f > 1 {
						return fmt.Sprintf("must be in (0, 1], got %g", f)
					}
					return ""
				}),
				boolP("bias", true, "add a learned bias"),
			},
			Shape: denseShape,
			Weights: func(in []sig.Shape, a sig.Args) []sig.Weight {
				w := []sig.Weight{{Name: "weight", Shape: sig.Shape{compactCount(a.Int("units"), in[0][1], a.Float("density"))}}}
				if a.Bool("bias") {
					w = append(w, sig.Weight{Name: "bias", Shape: sig.Shape{a.Int("units")}})
				}
				return w
			},
		},
		Build: func(b *Builder, in []*graph.Node, a Args) *graph.Node {
			x, units := in[0], a.Int("units")
			nnz := compactCount(units, x.Shape[1], a.Float("density"))
			csr := b.Shared("pattern", func(rng *rand.Rand) any { return sparse.RandomCSR(units, x.Shape[1], nnz, rng) }).(*kernels.CSR)
			fanIn := max(1, nnz/units) // the inputs each output actually reads
			w := b.Weight("weight", []int{nnz}, fanIn, uniformInit)
			y := b.G.CompactLinear(x, w, csr)
			if a.Bool("bias") {
				y = b.G.AddBias(y, b.Weight("bias", []int{units}, fanIn, uniformInit))
			}
			return y
		},
	})
}

// compactCount is the number of nonzeros of a units×inputs weight at a density.
func compactCount(units, inputs int, density float64) int {
	return max(1, int(math.Round(density*float64(units)*float64(inputs))))
}
