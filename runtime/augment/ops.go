package augment

import (
	"fmt"
	"math"
	"strconv"
)

// Noise returns the op that adds N(0, std²) to every value. It panics if std < 0.
func Noise(std float64) Op {
	if !(std >= 0) {
		panic(fmt.Sprintf("augment: noise std %g < 0", std))
	}
	o := &noise{std: std}
	o.row = o.augment
	return o
}

type noise struct {
	pool
	std float64
}

func (o *noise) Apply(dst, src []float32, rows int, img Image, seed uint64) {
	o.apply(dst, src, rows, img, seed)
}
func (o *noise) Geometric() bool { return false }
func (o *noise) String() string  { return "noise(" + ftoa(o.std) + ")" }

func (o *noise) augment(w *worker, dst, src []float32, _ Image) {
	for i, v := range src {
		dst[i] = v + float32(o.std*w.rng.NormFloat64())
	}
}

// Dropout returns the op that sets each value to 0 with probability p. It does not
// rescale the others: it corrupts the input, it does not regularise a layer. It panics
// unless 0 ≤ p ≤ 1.
func Dropout(p float64) Op {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("augment: dropout probability %g outside [0, 1]", p))
	}
	o := &dropout{p: p, below: uint64(p * (1 << 53))}
	o.row = o.augment
	return o
}

type dropout struct {
	pool
	p     float64
	below uint64 // a value is dropped when a uniform 53-bit draw is below this
}

func (o *dropout) Apply(dst, src []float32, rows int, img Image, seed uint64) {
	o.apply(dst, src, rows, img, seed)
}
func (o *dropout) Geometric() bool { return false }
func (o *dropout) String() string  { return "dropout(" + ftoa(o.p) + ")" }

// augment clears the bits of dropped values with a mask rather than a branch, which
// would be mispredicted at random.
func (o *dropout) augment(w *worker, dst, src []float32, _ Image) {
	for i, v := range src {
		drop := (w.pcg.Uint64()>>11 - o.below) >> 63 // 1 if the draw is below, else 0
		dst[i] = math.Float32frombits(math.Float32bits(v) & (uint32(drop) - 1))
	}
}

// Shift returns the op that translates each image by (dx, dy), each drawn uniformly from
// the integers in [-pixels, pixels] (dx first; positive moves right and down), filling
// the uncovered border with 0. It panics if pixels < 0.
func Shift(pixels int) Op {
	if pixels < 0 {
		panic(fmt.Sprintf("augment: shift by %d pixels < 0", pixels))
	}
	o := &shift{k: pixels}
	o.row = o.augment
	return o
}

type shift struct {
	pool
	k int
}

func (o *shift) Apply(dst, src []float32, rows int, img Image, seed uint64) {
	o.apply(dst, src, rows, img, seed)
}
func (o *shift) Geometric() bool { return true }
func (o *shift) String() string  { return "shift(" + strconv.Itoa(o.k) + ")" }

func (o *shift) augment(w *worker, dst, src []float32, img Image) {
	dx := w.intn(2*o.k+1) - o.k
	dy := w.intn(2*o.k+1) - o.k
	s := w.copySrc(src)
	W := img.W
	x0, x1 := max(0, dx), min(W, W+dx) // the output columns that come from the image
	for c := range img.C {
		for y := range img.H {
			out := dst[(c*img.H+y)*W:][:W]
			sy := y - dy
			if sy < 0 || sy >= img.H || x0 >= x1 {
				clear(out)
				continue
			}
			in := s[(c*img.H+sy)*W:][:W]
			clear(out[:x0])
			copy(out[x0:x1], in[x0-dx:x1-dx])
			clear(out[x1:])
		}
	}
}

// Rotate returns the op that rotates each image about its centre by an angle drawn
// uniformly from [-degrees, degrees], sampling the source bilinearly and reading 0
// outside it. It panics if degrees < 0.
func Rotate(degrees float64) Op {
	if !(degrees >= 0) {
		panic(fmt.Sprintf("augment: rotation by %g degrees < 0", degrees))
	}
	o := &rotate{deg: degrees}
	o.row = o.augment
	return o
}

type rotate struct {
	pool
	deg float64
}

func (o *rotate) Apply(dst, src []float32, rows int, img Image, seed uint64) {
	o.apply(dst, src, rows, img, seed)
}
func (o *rotate) Geometric() bool { return true }
func (o *rotate) String() string  { return "rotate(" + ftoa(o.deg) + ")" }

// augment maps each output pixel back through the inverse rotation and interpolates
// the four source pixels around where it lands.
func (o *rotate) augment(w *worker, dst, src []float32, img Image) {
	sin, cos := math.Sincos((2*w.rng.Float64() - 1) * o.deg * math.Pi / 180)
	s := w.copySrc(src)
	H, W, plane := img.H, img.W, img.H*img.W
	cx, cy := float64(W-1)/2, float64(H-1)/2
	for y := range H {
		v := float64(y) - cy
		for x := range W {
			u := float64(x) - cx
			xs, ys := cos*u+sin*v+cx, cos*v-sin*u+cy
			i := y*W + x
			if !(xs > -1 && xs < float64(W) && ys > -1 && ys < float64(H)) {
				for c := range img.C {
					dst[c*plane+i] = 0
				}
				continue
			}
			x0, y0 := int(xs+1)-1, int(ys+1)-1 // floor, as xs, ys > -1
			fx, fy := float32(xs-float64(x0)), float32(ys-float64(y0))
			inside := x0 >= 0 && y0 >= 0 && x0+1 < W && y0+1 < H
			for c := range img.C {
				p := s[c*plane:][:plane]
				var a, b, d, e float32 // (x0, y0), (x0+1, y0), (x0, y0+1), (x0+1, y0+1)
				if j := y0*W + x0; inside {
					a, b, d, e = p[j], p[j+1], p[j+W], p[j+W+1]
				} else {
					a, b = at(p, W, H, x0, y0), at(p, W, H, x0+1, y0)
					d, e = at(p, W, H, x0, y0+1), at(p, W, H, x0+1, y0+1)
				}
				dst[c*plane+i] = (1-fy)*((1-fx)*a+fx*b) + fy*((1-fx)*d+fx*e)
			}
		}
	}
}

// at is pixel (x, y) of the W×H plane p, or 0 outside it.
func at(p []float32, W, H, x, y int) float32 {
	if x < 0 || x >= W || y < 0 || y >= H {
		return 0
	}
	return p[y*W+x]
}

// Cutout returns the op that sets a size×size square, in all channels, to 0; the
// square's centre is drawn uniformly over the pixels and the square is clipped at the
// borders (DeVries & Taylor 2017). It panics if size < 0.
func Cutout(size int) Op {
	if size < 0 {
		panic(fmt.Sprintf("augment: cutout size %d < 0", size))
	}
	o := &cutout{size: size}
	o.row = o.augment
	return o
}

type cutout struct {
	pool
	size int
}

func (o *cutout) Apply(dst, src []float32, rows int, img Image, seed uint64) {
	o.apply(dst, src, rows, img, seed)
}
func (o *cutout) Geometric() bool { return true }
func (o *cutout) String() string  { return "cutout(" + strconv.Itoa(o.size) + ")" }

func (o *cutout) augment(w *worker, dst, src []float32, img Image) {
	y0 := w.intn(img.H) - o.size/2
	x0 := w.intn(img.W) - o.size/2
	y1, x1 := min(img.H, y0+o.size), min(img.W, x0+o.size)
	y0, x0 = max(0, y0), max(0, x0)
	copy(dst, src)
	for c := range img.C {
		for y := y0; y < y1; y++ {
			clear(dst[(c*img.H+y)*img.W:][x0:x1])
		}
	}
}

// ftoa formats x the way a recipe writes it: 0.1, 15.
func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
