//go:build !amd64 || purego

package kernels

func addAVX512(dst, a, b *float32, n int) { panic("kernels: no assembly") }

func mulAVX512(dst, a, b *float32, n int) { panic("kernels: no assembly") }

func momentumAVX512(w, grad, buf *float32, n int, lr, mu, wd float32) {
	panic("kernels: no assembly")
}
