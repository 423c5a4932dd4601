//go:build !amd64 || purego

package kernels

// useAsm is false: this build has no assembly micro-kernel.
const useAsm = false

// sgemm6x16 is never called without assembly.
func sgemm6x16(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, add int) {
	panic("kernels: no assembly micro-kernel in this build")
}
