package augment

import (
	"math"
	"strings"
)

// Image is the geometry of one sample: C channels of H×W values, channel-major (CHW).
type Image struct{ C, H, W int }

// size is the number of values in one sample.
func (img Image) size() int { return img.C * img.H * img.W }

// Geometry returns the image geometry of a per-sample feature shape: [C H W] as is,
// [H W] as one channel, and a flat [F] with F a perfect square as 1×√F×√F (MNIST's 784).
// ok is false otherwise (then only the non-geometric augmentations apply); img is then
// the flat 1×1×F, so that those can still be applied with it.
func Geometry(shape []int) (img Image, ok bool) {
	n := 1
	for _, d := range shape {
		if d <= 0 {
			return Image{}, false
		}
		n *= d
	}
	switch len(shape) {
	case 3:
		return Image{shape[0], shape[1], shape[2]}, true
	case 2:
		return Image{1, shape[0], shape[1]}, true
	case 1:
		if s := int(math.Sqrt(float64(n))); s*s == n {
			return Image{1, s, s}, true
		}
	}
	return Image{1, 1, n}, false
}

// Op is one augmentation. An Op keeps random generators and scratch rows, so one Op
// must not be applied by two goroutines at once; it splits a batch across goroutines
// itself.
type Op interface {
	// Apply writes the augmented copy of rows samples of src into dst (len rows*img size each).
	// dst and src may be the same slice. Row r's randomness depends only on (seed, r), so the
	// result does not depend on how rows are split across goroutines.
	Apply(dst, src []float32, rows int, img Image, seed uint64)
	// Geometric reports whether the op needs a real image geometry (shift, rotate, cutout).
	Geometric() bool
	// String is the op as written in a recipe, e.g. "noise(0.1)".
	String() string
}

// Compose returns the op that applies ops left to right. Op k is given a seed mixed
// from (seed, k) by splitmix64, so composed ops never share a random stream:
// Compose(Noise(s), Noise(s)) adds two independent noises, not one noise twice. Its
// String joins the ops' with " + "; it is Geometric if any op is. With no ops it copies
// src to dst.
func Compose(ops ...Op) Op { return compose(append([]Op(nil), ops...)) }

type compose []Op

func (c compose) Apply(dst, src []float32, rows int, img Image, seed uint64) {
	if len(c) == 0 {
		checkLen(dst, src, rows, img)
		copy(dst, src)
		return
	}
	for k, op := range c {
		op.Apply(dst, src, rows, img, mix(seed^mix(uint64(k))))
		src = dst
	}
}

func (c compose) Geometric() bool {
	for _, op := range c {
		if op.Geometric() {
			return true
		}
	}
	return false
}

func (c compose) String() string {
	s := make([]string, len(c))
	for i, op := range c {
		s[i] = op.String()
	}
	return strings.Join(s, " + ")
}

// mix is the splitmix64 step: a bijection of uint64 whose outputs for nearby inputs are
// unrelated, used to turn row and op indices into independent seeds.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
