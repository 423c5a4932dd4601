package sparse

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// BlockMask sets mask to keep whole b×b blocks of a 2-D weight [rows, cols], the blocks with the
// largest L2 norm, covering as close to keep weights as whole blocks allow (block-structured
// magnitude pruning, PAPERS 2.1 M2 applied to blocks). Blocks tile the weight from its top-left
// corner; the last block row and column are smaller when b does not divide the shape.
//
// Rounding to whole blocks: blocks are taken in rank order (larger norm first, lower block
// index first on a tie, blocks numbered row-major), and a block is taken if that leaves the
// covered count no farther from keep than skipping it (an exact half rounds up, as in Count);
// the first block not taken ends the selection. So the mask is always a top-j set of blocks,
// and the realised count is within b²/2 of keep (exact when b² divides keep and b divides the
// shape). keep is clamped to [0, rows·cols]. It returns an error for a shape that is not 2-D or
// a block size below 1, and does not allocate once s has grown.
func BlockMask(mask, w []float32, shape []int, b, keep int, s *Scratch) error {
	if len(shape) != 2 || shape[0] < 1 || shape[1] < 1 || b < 1 {
		return fmt.Errorf("sparse: block mask needs a 2-D weight and a block size of at least 1, got weight %s and block %d",
			tensor.ShapeString(shape), b)
	}
	sameLen("BlockMask: mask and weight", len(mask), len(w))
	if len(w) != tensor.Numel(shape) {
		panic(fmt.Sprintf("sparse: BlockMask: weight of length %d does not have shape %s", len(w), tensor.ShapeString(shape)))
	}
	g := blockGrid{rows: shape[0], cols: shape[1], b: b}
	order := g.rank(w, orNew(s))
	clear(mask)
	covered := 0
	for _, k := range order {
		size := g.size(k)
		if 2*covered+size > 2*keep {
			break
		}
		g.fill(mask, k)
		covered += size
	}
	return nil
}

// blockGrid tiles a [rows, cols] weight with b×b blocks, numbered row-major.
type blockGrid struct{ rows, cols, b int }

// across is the number of blocks in a block row.
func (g blockGrid) across() int { return (g.cols + g.b - 1) / g.b }

// count is the number of blocks.
func (g blockGrid) count() int { return (g.rows + g.b - 1) / g.b * g.across() }

// bounds returns the row and column ranges of block k.
func (g blockGrid) bounds(k int) (r0, r1, c0, c1 int) {
	r0, c0 = k/g.across()*g.b, k%g.across()*g.b
	return r0, min(r0+g.b, g.rows), c0, min(c0+g.b, g.cols)
}

// size is the number of weights in block k.
func (g blockGrid) size(k int) int {
	r0, r1, c0, c1 := g.bounds(k)
	return (r1 - r0) * (c1 - c0)
}

// rank returns the block indices ordered by L2 norm, larger first, lower index first on a tie;
// a NaN norm ranks last. It works in s. The selection engine is not used here: with smaller
// edge blocks the rounding rule needs the cumulative size in rank order, so the blocks (far
// fewer than weights) are sorted.
func (g blockGrid) rank(w []float32, s *Scratch) []int {
	s.norms, s.idx = resize(s.norms, g.count()), resize(s.idx, g.count())
	norms, order := s.norms, s.idx
	for k := range norms {
		norms[k], order[k] = g.sumSquares(w, k), k
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(norms[b], norms[a]), a-b)
	})
	return order
}

// sumSquares is the squared L2 norm of block k (ranked like the norm), -1 if it is NaN.
func (g blockGrid) sumSquares(w []float32, k int) float64 {
	r0, r1, c0, c1 := g.bounds(k)
	sum := 0.0
	for r := r0; r < r1; r++ {
		for _, x := range w[r*g.cols+c0 : r*g.cols+c1] {
			sum += float64(x) * float64(x)
		}
	}
	if math.IsNaN(sum) {
		return -1
	}
	return sum
}

// fill sets block k of mask to 1.
func (g blockGrid) fill(mask []float32, k int) {
	r0, r1, c0, c1 := g.bounds(k)
	for r := r0; r < r1; r++ {
		for c := c0; c < c1; c++ {
			mask[r*g.cols+c] = 1
		}
	}
}
