package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/roux-ml/roux/runtime/kernels"
)

// Batcher yields mini-batches of a Dataset, epoch after epoch, in a seeded order.
// It owns its output buffers, allocated once by NewBatcher: Next allocates nothing.
// The features of a batch are copied when first asked for (X), or gathered straight
// into the caller's buffer (GatherT). A Batcher is not safe for concurrent use.
type Batcher struct {
	// DropLast makes an epoch end before a last batch that would be partial.
	// Set it before the first call to Next.
	DropLast bool

	d       *Dataset
	batch   int
	shuffle bool
	seed    uint64
	src     *rand.PCG
	perm    []int32 // row order of the current epoch

	epoch  int  // epochs started
	pos    int  // rows of the current epoch already returned
	ended  bool // the end of the current epoch (or no epoch yet) was reported
	n      int  // rows in the current batch
	filled bool // x holds the current batch's features

	x   []float32
	y   []float32
	idx []int32
}

// NewBatcher returns a Batcher over d with batch rows per batch. With shuffle set, the
// rows of epoch e come in an order that depends only on (seed, e); without it they come
// in dataset order. It panics if batch < 1, if d is inconsistent (see Dataset.Check), or
// if d has 2³¹ rows or more: these are programming errors, not bad input.
func NewBatcher(d *Dataset, batch int, shuffle bool, seed uint64) *Batcher {
	if batch < 1 {
		panic(fmt.Sprintf("data: NewBatcher: batch size %d, want at least 1", batch))
	}
	if err := d.Check(); err != nil {
		panic("data: NewBatcher: " + err.Error())
	}
	if d.Len() > math.MaxInt32 {
		panic(fmt.Sprintf("data: NewBatcher: dataset %q has %d rows, more than a Batcher indexes", d.Name, d.Len()))
	}
	b := &Batcher{d: d, batch: batch, shuffle: shuffle, seed: seed, src: rand.NewPCG(0, 0), ended: true}
	b.alloc(min(batch, d.Len()))
	return b
}

// alloc allocates the permutation and output buffers for batches of up to rows rows.
func (b *Batcher) alloc(rows int) {
	b.perm = make([]int32, b.d.Len())
	identity(b.perm)
	b.x = make([]float32, rows*b.d.Features())
	b.idx = make([]int32, rows)
	if b.d.Labelled() {
		b.y = make([]float32, rows)
	}
}

// Next fills the next batch and returns its number of rows n. n is the batch size except
// for the last batch of an epoch, which may be smaller unless DropLast is set. At the end
// of an epoch Next returns 0, false; the call after that starts the next epoch.
func (b *Batcher) Next() (n int, ok bool) {
	if b.ended {
		b.start(b.epoch + 1)
	}
	n = min(b.batch, b.d.Len()-b.pos)
	if n <= 0 || (b.DropLast && n < b.batch) {
		b.ended, b.n = true, 0
		return 0, false
	}
	b.fill(n)
	return n, true
}

// start begins epoch e at its first row.
func (b *Batcher) start(e int) {
	b.epoch, b.pos, b.ended, b.n = e, 0, false, 0
	if b.shuffle {
		b.src.Seed(b.seed, uint64(e))
		identity(b.perm)
		shuffle(b.perm, b.src)
	}
}

// fill makes the next n rows of the epoch the current batch: their labels and
// indexes; X copies their features when asked.
func (b *Batcher) fill(n int) {
	for k, r := range b.perm[b.pos : b.pos+n] {
		if b.y != nil {
			b.y[k] = float32(b.d.Y[r])
		}
		b.idx[k] = r
	}
	b.pos += n
	b.n = n
	b.filled = false
}

// X returns the features of the current batch: n*Features() values, row-major. The slice
// aliases the Batcher's buffer and is overwritten by the next call to Next.
func (b *Batcher) X() []float32 {
	f := b.d.Features()
	if !b.filled {
		for k, r := range b.Index() {
			copy(b.x[k*f:(k+1)*f], b.d.X[int(r)*f:(int(r)+1)*f])
		}
		b.filled = true
		b.prefetchNext(false)
	}
	return b.x[:b.n*f]
}

// GatherT writes the features of the current batch transposed into dst, [Features(),
// ld]: dst[f·ld + k] = X()[k·Features() + f], lanes k ≥ n zero (kernels.GatherT).
// It reads the rows from the dataset directly (from its Bytes if it has them), for
// a program that takes its input transposed (graph.Program.FeedTransposed).
func (b *Batcher) GatherT(dst []float32, ld int) {
	if b.d.Bytes != nil {
		kernels.GatherTBytes(dst, ld, b.d.Bytes, b.Index(), b.d.Features())
	} else {
		kernels.GatherT(dst, ld, b.d.X, b.Index(), b.d.Features())
	}
	b.prefetchNext(b.d.Bytes != nil)
}

// GatherTRows is GatherT for rows [lo, hi) of the current batch, written to lanes
// 0 … hi−lo−1 of dst: the share of one replica of a data-parallel step. Replicas may
// gather at once, each into its own dst. It leaves the next batch's rows to
// PrefetchNextRows.
func (b *Batcher) GatherTRows(dst []float32, ld, lo, hi int) {
	rows := b.Index()[lo:hi]
	if b.d.Bytes != nil {
		kernels.GatherTBytes(dst, ld, b.d.Bytes, rows, b.d.Features())
	} else {
		kernels.GatherT(dst, ld, b.d.X, rows, b.d.Features())
	}
}

// XRows copies the features of rows [lo, hi) of the current batch into dst, row
// after row, as X() holds them: the share of one replica of a data-parallel step.
// Replicas may copy at once, each into its own dst.
func (b *Batcher) XRows(dst []float32, lo, hi int) {
	f := b.d.Features()
	for k, r := range b.Index()[lo:hi] {
		copy(dst[k*f:(k+1)*f], b.d.X[int(r)*f:(int(r)+1)*f])
	}
}

// PrefetchNextRows asks for rows [lo, hi) of the epoch's next batch, as GatherTRows
// reads them (transposed) or as XRows does: a replica that has run its share asks for
// its share of the next batch, so that the rows come to the core that will gather them.
// Replicas may ask at once.
func (b *Batcher) PrefetchNextRows(transposed bool, lo, hi int) {
	b.prefetchNextRows(transposed && b.d.Bytes != nil, lo, hi)
}

// prefetchNext asks for the rows of the epoch's next batch, as bytes or as floats,
// while this step runs: in a large data set each row is a DRAM miss, which the next
// gather would otherwise wait for.
func (b *Batcher) prefetchNext(bytes bool) {
	b.prefetchNextRows(bytes, 0, b.batch)
}

// prefetchNextRows asks for rows [lo, hi) of the epoch's next batch.
func (b *Batcher) prefetchNextRows(bytes bool, lo, hi int) {
	next := b.perm[min(len(b.perm), b.pos+lo):min(len(b.perm), b.pos+hi)]
	if bytes {
		kernels.PrefetchRows(nil, b.d.Bytes, next, b.d.Features())
	} else {
		kernels.PrefetchRows(b.d.X, nil, next, b.d.Features())
	}
}

// Y returns the labels of the current batch as float32 class ids, n of them, or nil for an
// unlabelled dataset. The slice is overwritten by the next call to Next.
func (b *Batcher) Y() []float32 {
	if b.y == nil {
		return nil
	}
	return b.y[:b.n]
}

// Index returns the dataset row of each sample of the current batch, n of them.
// The slice is overwritten by the next call to Next.
func (b *Batcher) Index() []int32 { return b.idx[:b.n] }

// Epoch returns how many epochs have started: 0 before the first call to Next, 1 during
// (and at the reported end of) the first epoch, and so on.
func (b *Batcher) Epoch() int { return b.epoch }

// BatchSize returns the number of rows of a full batch.
func (b *Batcher) BatchSize() int { return b.batch }

// StepsPerEpoch returns the number of batches Next yields per epoch.
func (b *Batcher) StepsPerEpoch() int {
	if b.DropLast {
		return b.d.Len() / b.batch
	}
	return (b.d.Len() + b.batch - 1) / b.batch
}
