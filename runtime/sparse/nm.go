package sparse

import (
	"fmt"
	"math"
	"slices"

	"github.com/roux-ml/roux/runtime/tensor"
)

// NMMask sets mask so that in every group of m consecutive entries along the input dimension
// the n entries with the largest |w| are kept (PAPERS 2.1 M3, the "ROW" layout). shape is
// [out, in] for a dense layer or [out, in, kh, kw] for a conv, whose groups run along input
// channels for each (out, kh, kw) position, as if the weight were permuted to (out, kh, kw, in).
// Ties keep the lower input index. Any 1 ≤ n < m works (2:4, 1:8, 1:16, 3:8, …). It returns an
// error if the pattern does not fit the shape; it does not allocate once s has grown.
func NMMask(mask, w []float32, shape []int, n, m int, s *Scratch) error {
	g, err := nmGroups(shape, n, m)
	if err != nil {
		return err
	}
	sameLen("NMMask: mask and weight", len(mask), len(w))
	if len(w) != tensor.Numel(shape) {
		panic(fmt.Sprintf("sparse: NMMask: weight of length %d does not have shape %s", len(w), tensor.ShapeString(shape)))
	}
	switch {
	case m == 4 && g.stride == 1:
		rank4Rows(mask, w, n)
		return nil
	case m <= smallGroup:
		var keys [smallGroup]uint32
		for i := range g.count() {
			base := g.base(i)
			for j := range m {
				keys[j] = rankKey(w[base+j*g.stride])
			}
			rankGroup(mask, keys[:m], base, g.stride, n)
		}
		return nil
	}
	keys, tmp := orNew(s).floats(m)
	for i := range g.count() {
		base := g.base(i)
		for j := range keys {
			keys[j] = key(w[base+j*g.stride])
		}
		c := topCut(keys, tmp, n)
		for j, k := range keys {
			mask[base+j*g.stride] = 0
			if c.keep(k) {
				mask[base+j*g.stride] = 1
			}
		}
	}
	return nil
}

// smallGroup is the largest group that rankGroup selects in: counting ranks costs m²
// comparisons, less than a selection's bookkeeping for 2:4 or 1:8.
const smallGroup = 8

// rankKey orders weights as key does, as integers: NaN lowest (0), then |w| upward
// (the bits of a non-negative float grow with its value).
func rankKey(x float32) uint32 {
	b := math.Float32bits(x) &^ (1 << 31)
	k := b + 1
	if b > 0x7f800000 { // NaN
		k = 0
	}
	return k
}

// rankGroup keeps the entries of one group whose rank is below n, ranking by key and,
// among equal keys, by index: the same choice as topCut's. The comparisons are counted
// without branches, which the processor could not predict on weights.
func rankGroup(mask []float32, keys []uint32, base, stride, n int) {
	for j, kj := range keys {
		rank := 0
		for _, ki := range keys[:j] {
			rank += b2i(ki >= kj)
		}
		for _, ki := range keys[j+1:] {
			rank += b2i(ki > kj)
		}
		mask[base+j*stride] = kept[b2i(rank < n)]
	}
}

// rank4Rows is rankGroup for consecutive groups of 4 (2:4, 1:4, 3:4 along the inputs
// of a dense layer), unrolled: the N:M rules that follow the weights run it every step.
func rank4Rows(mask, w []float32, n int) {
	for i := 0; i+4 <= len(w); i += 4 {
		g, out := w[i:i+4:i+4], mask[i:i+4:i+4]
		a, b, c, d := rankKey(g[0]), rankKey(g[1]), rankKey(g[2]), rankKey(g[3])
		ra := b2i(b > a) + b2i(c > a) + b2i(d > a)
		rb := b2i(a >= b) + b2i(c > b) + b2i(d > b)
		rc := b2i(a >= c) + b2i(b >= c) + b2i(d > c)
		rd := b2i(a >= d) + b2i(b >= d) + b2i(c >= d)
		out[0] = kept[b2i(ra < n)]
		out[1] = kept[b2i(rb < n)]
		out[2] = kept[b2i(rc < n)]
		out[3] = kept[b2i(rd < n)]
	}
}

// kept is a mask entry by whether the entry is kept.
var kept = [2]float32{0, 1}

// b2i is 1 for true and 0 for false; the compiler makes it a flag move, not a branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// NMValid reports whether mask, for a weight of the given shape, holds only 0s and 1s and
// exactly n ones in every group of m along the input dimension (PAPERS 2.1 M3: "every group
// of M must have exactly N nonzeros"). It is false if the pattern does not fit the shape.
func NMValid(mask []float32, shape []int, n, m int) bool {
	g, err := nmGroups(shape, n, m)
	if err != nil || len(mask) != tensor.Numel(shape) {
		return false
	}
	for i := range g.count() {
		ones, base := 0, g.base(i)
		for j := range m {
			switch mask[base+j*g.stride] {
			case 1:
				ones++
			case 0:
			default:
				return false
			}
		}
		if ones != n {
			return false
		}
	}
	return true
}

// nmLayout locates the groups of an N:M mask: the weight is [out, in, inner...] and a group is
// m entries stride apart along in.
type nmLayout struct {
	out, in, stride, m int
}

// nmGroups checks an N:M pattern against a shape and returns its group layout.
func nmGroups(shape []int, n, m int) (nmLayout, error) {
	switch {
	case n < 1 || n >= m:
		return nmLayout{}, fmt.Errorf("sparse: N:M pattern %d:%d needs 1 ≤ N < M", n, m)
	case len(shape) < 2 || slices.Min(shape) < 1:
		return nmLayout{}, fmt.Errorf("sparse: N:M pattern %d:%d needs a weight [out, in, ...] of at least two dimensions, each at least 1, got %s",
			n, m, tensor.ShapeString(shape))
	case shape[1]%m != 0:
		return nmLayout{}, fmt.Errorf("sparse: N:M pattern %d:%d needs the input dimension to be a multiple of %d, but weight %s has input dimension %d",
			n, m, m, tensor.ShapeString(shape), shape[1])
	}
	return nmLayout{out: shape[0], in: shape[1], stride: tensor.Numel(shape[2:]), m: m}, nil
}

// count is the number of groups.
func (g nmLayout) count() int { return g.out * g.in / g.m * g.stride }

// base is the flat index of the first entry of group i. Groups are numbered in memory order
// of (out, in/m, inner): the (out, in/m) pair is a run of m·stride entries, and inner offsets
// within it.
func (g nmLayout) base(i int) int {
	if g.stride == 1 {
		return i * g.m
	}
	return i/g.stride*g.m*g.stride + i%g.stride
}
