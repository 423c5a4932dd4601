//go:build amd64 && !purego

package kernels

//go:noescape
func addAVX512(dst, a, b *float32, n int)

//go:noescape
func mulAVX512(dst, a, b *float32, n int)

//go:noescape
func momentumAVX512(w, grad, buf *float32, n int, lr, mu, wd float32)
