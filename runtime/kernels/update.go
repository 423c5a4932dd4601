package kernels

// minUpdateParallel is the least length of a parameter-sized vector that Accumulate
// and SGDMomentum share out between cores. They run once per step over every weight,
// between the step's products, while the pool's helpers are still polling for work,
// so a helper joins at once: LeNet-300-100's first weight (235,200 values) is worth
// splitting, and shorter vectors than this are not.
const minUpdateParallel = 1 << 16

// updateChunk is the number of elements of one item of a shared update: a multiple of
// 16, so that every item but the last runs whole AVX-512 blocks.
const updateChunk = 1 << 14

// Accumulate sets dst[i] += x[i], on all cores for long vectors: it sums the gradients
// of data-parallel replicas. Each element is one addition, so the result does not
// depend on the split.
func Accumulate(dst, x []float32) {
	x = x[:len(dst)]
	if s := acquireFor(len(dst), minUpdateParallel); s != nil {
		s.kind, s.dst, s.x = ewAccumulate, dst, x
		s.split(len(dst), updateChunk)
		return
	}
	Add(dst, dst, x)
}

// SGDMomentum takes an SGD step with momentum on every element of w, by the rule of
// SGDMomentumBlocks (the same bits), on all cores for long vectors.
func SGDMomentum(w, g, buf []float32, lr, mu, wd float32) {
	g, buf = g[:len(w)], buf[:len(w)]
	if s := acquireFor(len(w), minUpdateParallel); s != nil {
		s.kind, s.dst, s.x, s.y = ewMomentum, w, g, buf
		s.lr, s.mu, s.wd = lr, mu, wd
		s.split(len(w), updateChunk)
		return
	}
	sgdMomentum(w, g, buf, lr, mu, wd)
}

// sgdMomentum is SGDMomentum on the calling goroutine.
func sgdMomentum(w, g, buf []float32, lr, mu, wd float32) {
	for i := SGDMomentumBlocks(w, g, buf, lr, mu, wd); i < len(w); i++ {
		b := mu*buf[i] + (g[i] + wd*w[i])
		w[i], buf[i] = w[i]-lr*b, b
	}
}
