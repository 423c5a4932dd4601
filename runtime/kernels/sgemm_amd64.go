//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// useAsm reports whether the AVX2+FMA micro-kernel may run on this CPU.
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// sgemm6x16 is kernel6x16 in AVX2+FMA assembly, on pointers to a's and c's first
// elements and b's first packed row. k must be at least 1.
//
//go:noescape
func sgemm6x16(k int, a *float32, rsa, csa int, b *float32, ldb int, c *float32, ldc int, add int)
