package kernels

import (
	"fmt"
	"math"
)

// CSR is a masked weight W̃ = W⊙M of Rows×Cols (a dense layer's [out, in]) in
// compressed sparse rows: the nonzeros of row o are at positions RowPtr[o] …
// RowPtr[o+1]-1 of Col (their column, ascending) and Val (their value). An N:M mask
// along the input dimension is a CSR whose rows all hold Cols·N/M entries; the
// kernels need no special form for it (see SpMMT).
//
// The kernels keep their scratch (transposed copies of the operands, and the
// column-major index SpMM walks) in the CSR, so a CSR must not be used by two
// kernels at once, nor copied once used.
type CSR struct {
	Rows, Cols int
	RowPtr     []int32
	Col        []int32
	Val        []float32

	t  csc    // the same nonzeros by column, built by the first SpMM after Build
	sc spWork // the kernels' state and scratch
}

// csc is a CSR's nonzeros ordered by column: those of column i are at ptr[i] …
// ptr[i+1]-1 of row, val and pos, pos being their index in the CSR's Val.
type csc struct {
	ok   bool
	ptr  []int32
	row  []int32
	val  []float32
	pos  []int32
	fill []int32 // Build's per-column cursor
}

// Build sets c to the nonzeros of mask (entries ≠ 0) for a rows×cols weight w,
// with the values of w at them. It reads all of mask once (O(rows·cols)) and does
// not allocate once c's slices are large enough; call it when the mask changes,
// and SetValues when only the weights do. It panics if mask or w is not rows·cols
// long.
func (c *CSR) Build(mask, w []float32, rows, cols int) {
	if len(mask) != rows*cols || len(w) != rows*cols {
		panic(fmt.Sprintf("kernels: CSR.Build %d×%d with len(mask), len(w) = %d, %d", rows, cols, len(mask), len(w)))
	}
	nnz := 0
	for _, m := range mask {
		if m != 0 {
			nnz++
		}
	}
	if nnz > math.MaxInt32 {
		panic("kernels: CSR.Build: more than 2³¹-1 nonzeros")
	}
	c.Rows, c.Cols = rows, cols
	c.RowPtr = spGrow(c.RowPtr, rows+1)
	c.Col = spGrow(c.Col, nnz)
	c.Val = spGrow(c.Val, nnz)
	c.fill(mask, w)
	c.t.ok = false
}

// fill writes RowPtr, Col and Val from mask and w.
func (c *CSR) fill(mask, w []float32) {
	k := int32(0)
	for o := range c.Rows {
		c.RowPtr[o] = k
		row := mask[o*c.Cols : (o+1)*c.Cols]
		for i, m := range row {
			if m != 0 {
				c.Col[k] = int32(i)
				c.Val[k] = w[o*c.Cols+i]
				k++
			}
		}
	}
	c.RowPtr[c.Rows] = k
}

// SetValues refreshes c's values from the dense weight w (Rows×Cols) for an
// unchanged mask: one gather per nonzero (O(nnz), twice that once SpMM has run),
// no allocation. Call it after every optimizer step.
func (c *CSR) SetValues(w []float32) {
	if len(w) != c.Rows*c.Cols {
		panic(fmt.Sprintf("kernels: CSR.SetValues %d×%d with len(w) = %d", c.Rows, c.Cols, len(w)))
	}
	for o := range c.Rows {
		wr := w[o*c.Cols : (o+1)*c.Cols]
		lo, hi := c.RowPtr[o], c.RowPtr[o+1]
		vals := c.Val[lo:hi]
		for k, i := range c.Col[lo:hi] {
			vals[k] = wr[i]
		}
	}
	if c.t.ok {
		for j, p := range c.t.pos {
			c.t.val[j] = c.Val[p]
		}
	}
}

// SetVal sets c's values to v, one per nonzero in c's order: for a weight stored
// compressed, whose dense form never exists. It does not allocate.
func (c *CSR) SetVal(v []float32) {
	copy(c.Val, v)
	if c.t.ok {
		for j, p := range c.t.pos {
			c.t.val[j] = c.Val[p]
		}
	}
}

// NNZ returns the number of nonzeros.
func (c *CSR) NNZ() int { return len(c.Col) }

// transpose builds c.t, the nonzeros by column, in O(nnz + Cols).
func (c *CSR) transpose() {
	t := &c.t
	nnz := c.NNZ()
	t.ptr = spGrow(t.ptr, c.Cols+1)
	t.fill = spGrow(t.fill, c.Cols)
	t.row, t.val, t.pos = spGrow(t.row, nnz), spGrow(t.val, nnz), spGrow(t.pos, nnz)
	clear(t.ptr)
	for _, i := range c.Col {
		t.ptr[i+1]++
	}
	for i := range c.Cols {
		t.ptr[i+1] += t.ptr[i]
	}
	copy(t.fill, t.ptr)
	for o := range c.Rows {
		for k := c.RowPtr[o]; k < c.RowPtr[o+1]; k++ {
			j := t.fill[c.Col[k]]
			t.fill[c.Col[k]]++
			t.row[j], t.val[j], t.pos[j] = int32(o), c.Val[k], k
		}
	}
	t.ok = true
}

// spGrow returns s resized to n, reallocated only if its capacity is short.
func spGrow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Dense is a dense operand of the sparse kernels, of logical shape [batch, n]: Data
// holds it row-major, or, when T is set, transposed, [n, SparseLd(batch)] with
// Data[i·ld + b] = x[b, i]. A transposed input's padding lanes (b ≥ batch) must be
// finite, zero for the output gradient of SDDMMOf (as GatherT writes them); those of
// a transposed output hold the same sums over the inputs' padding lanes. A layer
// whose neighbours take the transposed layout too skips the copies the kernels
// otherwise make between the layouts.
type Dense struct {
	Data []float32
	T    bool
}

// SpMMT sets y = x·W̃ᵀ for x [batch, w.Cols] and y [batch, w.Rows], all row-major:
//
//	for b, o: y[b,o] = Σ_{k in row o} x[b, Col[k]]·Val[k]
//
// It costs O(nnz·batch) multiply-adds plus a transpose of x and of y
// (O(batch·(Rows+Cols)) copies). x is copied transposed, [Cols, ld] with ld the batch
// rounded up to 16; each row o of the product is then a sum of rows of that copy,
// scaled by the row's values, over 16-lane vectors, in the order of the row's
// nonzeros; the rows are split between the goroutines of a persistent pool in
// ranges of equal nonzero counts. Each element is summed by one goroutine in a fixed
// order, so results are identical run to run. It does not allocate once w's scratch
// has grown.
func SpMMT(y, x []float32, w *CSR, batch int) { SpMMTOf(Dense{Data: y}, Dense{Data: x}, w, batch) }

// SpMMTOf is SpMMT for operands in either layout; an operand given transposed is
// neither copied nor transposed. The results are those of SpMMT, bit for bit.
func SpMMTOf(y, x Dense, w *CSR, batch int) {
	s := &w.sc
	s.begin(w, batch)
	checkDense("SpMMT", "y", y, s.ld, batch, w.Rows)
	checkDense("SpMMT", "x", x, s.ld, batch, w.Cols)
	xt := x.Data
	if !x.T {
		s.xt = spGrow(s.xt, w.Cols*s.ld)
		s.x = x.Data
		s.run(opTransX, w.Cols, batch*w.Cols)
		xt, s.xtHeld = s.xt, s.held(x.Data)
	} else {
		s.xtHeld = held{}
	}
	s.y, s.yT, s.xin = y.Data, y.T, xt
	s.run(opForward, w.Rows, w.NNZ()*s.ld+s.batch*w.Rows)
	s.ytHeld = held{}
	s.end()
}

// SparseLd is the row length of the transposed operands of the sparse kernels for a
// batch: the batch rounded up to 16 lanes.
func SparseLd(batch int) int { return (batch + 15) / 16 * 16 }

// SpMM sets dx = dy·W̃ for dy [batch, w.Rows] and dx [batch, w.Cols], the input
// gradient of SpMMT:
//
//	for b, i: dx[b,i] = Σ_{o: (o,i) nonzero} dy[b,o]·W̃[o,i]
//
// It walks the nonzeros column by column (an index built on the first call after
// Build, O(nnz + Cols), kept up to date by SetValues), so that each column of dx is
// summed by one goroutine in the order of rows, and works like SpMMT otherwise.
func SpMM(dx, dy []float32, w *CSR, batch int) { SpMMOf(Dense{Data: dx}, Dense{Data: dy}, w, batch) }

// SpMMOf is SpMM for operands in either layout, like SpMMTOf.
func SpMMOf(dx, dy Dense, w *CSR, batch int) {
	if !w.t.ok {
		w.transpose()
	}
	s := &w.sc
	s.begin(w, batch)
	checkDense("SpMM", "dx", dx, s.ld, batch, w.Cols)
	checkDense("SpMM", "dy", dy, s.ld, batch, w.Rows)
	s.yin = s.transDY(dy)
	s.dx, s.dxT = dx.Data, dx.T
	s.run(opBackward, w.Cols, w.NNZ()*s.ld+batch*w.Cols)
	s.end()
}

// transDY returns dy transposed: dy itself if given so, else the scratch yt, into
// which it is transposed unless yt holds it already.
func (s *spWork) transDY(dy Dense) []float32 {
	if dy.T {
		s.ytHeld = held{}
		return dy.Data
	}
	s.yt = spGrow(s.yt, s.w.Rows*s.ld)
	if !s.holds(s.ytHeld, dy.Data) {
		s.dy = dy.Data
		s.run(opTransDY, s.w.Rows, s.batch*s.w.Rows)
	}
	s.ytHeld = s.held(dy.Data)
	return s.yt
}

// SDDMM sets g to the weight gradient dW̃ = dyᵀ·x at w's nonzeros, g[k] being
// that of the k-th nonzero (o, i) = (row, Col[k]):
//
//	g[k] = Σ_b dy[b,o]·x[b,i]
//
// for dy [batch, w.Rows] and x [batch, w.Cols]. It transposes dy and x and takes
// one dot product over the batch per nonzero, summing the batch in a fixed order;
// the cost is O(nnz·batch + batch·(Rows+Cols)).
func SDDMM(g, dy, x []float32, w *CSR, batch int) {
	SDDMMOf(g, Dense{Data: dy}, Dense{Data: x}, w, batch)
}

// SDDMMOf is SDDMM for dy and x in either layout, like SpMMTOf.
func SDDMMOf(g []float32, dy, x Dense, w *CSR, batch int) {
	checkLen("SDDMM", "g", g, w.NNZ())
	s := &w.sc
	s.begin(w, batch)
	checkDense("SDDMM", "dy", dy, s.ld, batch, w.Rows)
	checkDense("SDDMM", "x", x, s.ld, batch, w.Cols)
	xt := x.Data
	if !x.T {
		s.xt = spGrow(s.xt, w.Cols*s.ld)
		if !s.holds(s.xtHeld, x.Data) {
			if !dy.T && !s.holds(s.ytHeld, dy.Data) { // both at once
				s.yt = spGrow(s.yt, w.Rows*s.ld)
				s.dy, s.x = dy.Data, x.Data
				s.run(opTransBoth, w.Rows+w.Cols, batch*(w.Rows+w.Cols))
				s.ytHeld = s.held(dy.Data)
			} else {
				s.x = x.Data
				s.run(opTransX, w.Cols, batch*w.Cols)
			}
		}
		xt, s.xtHeld = s.xt, s.held(x.Data)
	}
	s.g, s.xin, s.yin = g, xt, s.transDY(dy)
	s.run(opDots, w.Rows, w.NNZ()*s.ld)
	s.end()
}

// held names the operand a scratch holds transposed: its first element and batch.
type held struct {
	of    *float32
	batch int
}

// held returns the name of src at the current batch.
func (s *spWork) held(src []float32) held { return held{&src[0], s.batch} }

// holds reports whether a scratch operand already holds src transposed for this batch.
// It relies on the callers' contract that an operand is not written between the
// kernels of one training step that read it (a layer's input and its output
// gradient), a step starting with the forward (SpMMT), which forgets the rest.
func (s *spWork) holds(h held, src []float32) bool { return h == s.held(src) }

// checkDense panics if d is too short for [batch, n] in its layout (ld lanes when
// transposed).
func checkDense(kernel, name string, d Dense, ld, batch, n int) {
	if d.T {
		checkLen(kernel, name, d.Data, n*ld)
	} else {
		checkLen(kernel, name, d.Data, batch*n)
	}
}

// checkLen panics if s is shorter than n.
func checkLen(kernel, name string, s []float32, n int) {
	if len(s) < n {
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d, need %d", kernel, name, len(s), n))
	}
}

// The phases of the sparse kernels.
const (
	opTransX    = iota // x → xt
	opTransDY          // dy → yt
	opTransBoth        // dy → yt and x → xt
	opForward          // xt → yt by rows of w
	opBackward         // yt → xt by columns of w
	opDots             // g from yt and xt
)

// spLanes is how many batch lanes a kernel sums at once: 8 AVX-512 registers.
const spLanes = 128

// minSparseParallel is the least work (multiply-adds or copies) of a phase worth
// splitting across goroutines. Waking a helper costs tens of microseconds when it has
// gone to sleep between steps; at 1<<18 a 99%-sparse LeNet step spent a sixth of its
// time in wake-ups, and 1<<20 made its epoch 20–25% shorter (BenchmarkCompactEpoch).
const minSparseParallel = 1 << 20

// spWork is the state of a running sparse kernel and its scratch: xt holds the
// operand of width Cols transposed, [Cols, ld], yt that of width Rows, [Rows, ld].
type spWork struct {
	w      *CSR
	batch  int
	ld     int
	xt, yt []float32
	xin    []float32 // the transposed x the product phases read: xt, or the caller's
	yin    []float32 // the transposed dy they read: yt, or the caller's
	x, y   []float32
	dx, dy []float32
	g      []float32
	yT     bool // y, the forward's output, is written transposed
	dxT    bool // so is dx, the input gradient

	// xtHeld and ytHeld are the operands xt and yt hold transposed (of nil:
	// nothing): a weight gradient after the forward and the input gradient of the
	// same step finds its operands already transposed.
	xtHeld, ytHeld held
	tmp            []float32 // per part, spBlock rows of a product before they are copied out

	op, n, parts int
	team
}

// begin readies s for a kernel on w.
func (s *spWork) begin(w *CSR, batch int) {
	s.w, s.batch, s.ld = w, batch, SparseLd(batch)
}

// end drops the references to the caller's slices.
func (s *spWork) end() {
	s.x, s.y, s.dx, s.dy, s.g, s.xin, s.yin = nil, nil, nil, nil, nil, nil, nil
}

// run runs phase op over n items (rows of its output) split into parts, on the
// calling goroutine and the pool's helpers if the work is large enough.
func (s *spWork) run(op, n, work int) {
	if n == 0 || s.batch == 0 {
		return
	}
	s.op, s.n, s.parts = op, n, 1
	helpers := 0
	if work >= minSparseParallel {
		h := workers()
		s.parts = min(n, partsPerWorker*(h+1))
		helpers = min(s.parts-1, h)
	}
	if op == opForward || op == opBackward {
		s.tmp = spGrow(s.tmp, s.parts*spBlock*s.ld)
	}
	s.start(s, helpers)
	s.work(nil)
	s.wait()
}

// work computes parts of the phase until none are left. The sparse kernels keep
// their scratch in the CSR, so they need no helper's.
func (s *spWork) work(*scratch) {
	for {
		p := int(s.next.Add(1) - 1)
		if p >= s.parts {
			return
		}
		s.part(p)
	}
}

// part computes part p of the phase.
func (s *spWork) part(p int) {
	w := s.w
	switch s.op {
	case opTransX:
		lo, hi := s.even(p)
		spTransposePad(s.xt, s.ld, s.x, w.Cols, s.batch, lo, hi)
	case opTransDY:
		lo, hi := s.even(p)
		spTransposePad(s.yt, s.ld, s.dy, w.Rows, s.batch, lo, hi)
	case opTransBoth:
		s.transBoth(p)
	case opForward:
		lo, hi := s.balanced(w.RowPtr, p)
		spRows(s.y, s.yT, s.tmpOf(p), s.xin, s.ld, s.batch, w.RowPtr, w.Col, w.Val, lo, hi)
	case opBackward:
		lo, hi := s.balanced(w.t.ptr, p)
		spRows(s.dx, s.dxT, s.tmpOf(p), s.yin, s.ld, s.batch, w.t.ptr, w.t.row, w.t.val, lo, hi)
	case opDots:
		lo, hi := s.balanced(w.RowPtr, p)
		s.dotRows(lo, hi)
	}
}

// tmpOf is part p's block of rows of a product.
func (s *spWork) tmpOf(p int) []float32 {
	n := spBlock * s.ld
	return s.tmp[p*n : (p+1)*n]
}

// transBoth transposes part p of the rows of dy followed by those of x.
func (s *spWork) transBoth(p int) {
	lo, hi := s.even(p)
	r := s.w.Rows
	if lo < r {
		spTransposePad(s.yt, s.ld, s.dy, r, s.batch, lo, min(hi, r))
	}
	if hi > r {
		spTransposePad(s.xt, s.ld, s.x, s.w.Cols, s.batch, max(lo, r)-r, hi-r)
	}
}

// even returns the items of part p when they are split evenly.
func (s *spWork) even(p int) (lo, hi int) {
	return p * s.n / s.parts, (p + 1) * s.n / s.parts
}

// balanced returns the rows of part p when rows are split so that parts have
// about equal counts of nonzeros plus rows (ptr being the row pointers).
func (s *spWork) balanced(ptr []int32, p int) (lo, hi int) {
	return spSplit(ptr, s.n, p, s.parts), spSplit(ptr, s.n, p+1, s.parts)
}

// spSplit returns the first row r of part p of parts, the least r with
// ptr[r] + r ≥ p·(ptr[n] + n)/parts.
func spSplit(ptr []int32, n, p, parts int) int {
	total := int(ptr[n]) + n
	target := p * total / parts
	lo, hi := 0, n
	for lo < hi {
		m := (lo + hi) / 2
		if int(ptr[m])+m < target {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// dotRows computes g for the nonzeros of rows [lo, hi), in chunks of spLanes lanes.
func (s *spWork) dotRows(lo, hi int) {
	w := s.w
	for l := 0; l < s.ld; l += spLanes {
		n := min(spLanes, s.ld-l)
		for o := lo; o < hi; o++ {
			k0, k1 := w.RowPtr[o], w.RowPtr[o+1]
			if k0 == k1 {
				continue
			}
			spDots(s.g[k0:k1], s.yin[o*s.ld+l:][:n], s.xin[l:], s.ld, w.Col[k0:k1], l > 0)
		}
	}
}

// spRows sets rows [lo, hi) of the product, [batch, n] with n = len(ptr)-1, in
// dst: it computes a block of spBlock rows of the transposed product at a time,
// row o = Σ_k val[k]·src[idx[k],:] over row o's entries k, straight into dst if dstT
// (dst being the product transposed, [n, ld]), else in tmp [spBlock, ld], which it
// then copies transposed into dst.
func spRows(dst []float32, dstT bool, tmp, src []float32, ld, batch int, ptr, idx []int32, val []float32, lo, hi int) {
	n := len(ptr) - 1
	for o0 := lo; o0 < hi; o0 += spBlock {
		o1 := min(hi, o0+spBlock)
		acc := tmp
		if dstT {
			acc = dst[o0*ld:]
		}
		for l := 0; l < ld; l += spLanes {
			w := min(spLanes, ld-l)
			for o := o0; o < o1; o++ {
				k0, k1 := ptr[o], ptr[o+1]
				spAxpys(acc[(o-o0)*ld+l:][:w], src[l:], ld, idx[k0:k1], val[k0:k1])
			}
		}
		if !dstT {
			spTranspose(dst[o0:], n, tmp, ld, o1-o0, 0, batch)
		}
	}
}

// spBlock is how many rows of a product spRows computes before it copies them out.
const spBlock = 16

// spAxpys and spDots are the inner loops of the sparse kernels: assembly where
// the CPU allows (spmm_amd64.go), spAxpysGo and spDotsGo otherwise.
var (
	spAxpys = spAxpysGo
	spDots  = spDotsGo
)

// spAxpysGo sets acc[b] = Σ_k val[k]·src[idx[k]·ld + b] for b < len(acc).
func spAxpysGo(acc, src []float32, ld int, idx []int32, val []float32) {
	clear(acc)
	n := len(acc)
	for k, i := range idx {
		v := val[k]
		x := src[int(i)*ld:][:n]
		for b := range acc {
			acc[b] += v * x[b]
		}
	}
}

// spDotsGo sets g[k] = Σ_b a[b]·src[idx[k]·ld + b] for b < len(a), or adds it to
// g[k] if add is set.
func spDotsGo(g, a, src []float32, ld int, idx []int32, add bool) {
	n := len(a)
	for k, i := range idx {
		x := src[int(i)*ld:][:n]
		var sum float32
		for b, v := range a {
			sum += v * x[b]
		}
		if add {
			sum += g[k]
		}
		g[k] = sum
	}
}

// spTranspose sets dst[r·ldd + c] = src[c·lds + r] for rows r in [lo, hi) and
// c < n. It moves 8×8 blocks with spTrans8 where it can, spTransRows rows of dst
// at a time, so that a row's cache lines are filled while they are in L1.
func spTranspose(dst []float32, ldd int, src []float32, lds, n, lo, hi int) {
	r8, c8 := lo+(hi-lo)/8*8, n/8*8
	if spTrans8 == nil || r8 == lo || c8 == 0 {
		r8, c8 = lo, 0
	}
	for r0 := lo; r0 < r8; r0 += spTransRows {
		r1 := min(r8, r0+spTransRows)
		for c := 0; c < c8; c += 8 {
			spTrans8(dst[r0*ldd+c:], ldd, src[c*lds+r0:], lds, (r1-r0)/8)
		}
	}
	spTransposeGo(dst, ldd, src, lds, c8, n, lo, r8)
	spTransposeGo(dst, ldd, src, lds, 0, n, r8, hi)
}

// spTransposePad is spTranspose followed by clearing the rest of rows [lo, hi)
// of dst, from column n to ldd.
func spTransposePad(dst []float32, ldd int, src []float32, lds, n, lo, hi int) {
	spTranspose(dst, ldd, src, lds, n, lo, hi)
	for r := lo; r < hi; r++ {
		clear(dst[r*ldd+n : (r+1)*ldd])
	}
}

// spTransRows is how many rows of dst spTranspose fills at a time: 32 rows of 128
// lanes are 16 KiB.
const spTransRows = 32

// spTrans8 transposes nb 8×8 blocks, dst[r·ldd + c] = src[c·lds + r] for r < 8·nb
// and c < 8; nil where there is no assembly for it.
var spTrans8 func(dst []float32, ldd int, src []float32, lds, nb int)

// spTransposeGo sets dst[r·ldd + c] = src[c·lds + r] for r in [lo, hi) and c in
// [c0, c1).
func spTransposeGo(dst []float32, ldd int, src []float32, lds, c0, c1, lo, hi int) {
	const blk = 16
	for r0 := lo; r0 < hi; r0 += blk {
		r1 := min(hi, r0+blk)
		for c := c0; c < c1; c++ {
			s := src[c*lds+r0 : c*lds+r1]
			for j, v := range s {
				dst[(r0+j)*ldd+c] = v
			}
		}
	}
}
