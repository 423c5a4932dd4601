//go:build amd64 && !purego

package kernels

//go:noescape
func addAVX512(dst, a, b *float32, n int)
