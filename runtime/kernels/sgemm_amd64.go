//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run sgemm_gen.go

// asmMicros are the assembly micro-kernels this CPU can run, best first.
var asmMicros = func() []*micro {
	var ms []*micro
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL {
		ms = append(ms,
			&micro{"avx512-6x32", 6, 32, sgemm6x32avx512},
			&micro{"avx512-8x32", 8, 32, sgemm8x32avx512},
			&micro{"avx512-12x32", 12, 32, sgemm12x32avx512},
			&micro{"avx512-14x32", 14, 32, sgemm14x32avx512},
			&micro{"avx512-12x16", 12, 16, sgemm12x16avx512},
			&micro{"avx512-16x16", 16, 16, sgemm16x16avx512},
		)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ms = append(ms, &micro{"avx2-6x16", 6, 16, sgemm6x16avx2})
	}
	return ms
}()

// The assembly micro-kernels (see micro). k must be at least 1.

//go:noescape
func sgemm6x16avx2(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

//go:noescape
func sgemm6x32avx512(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

//go:noescape
func sgemm8x32avx512(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

//go:noescape
func sgemm12x32avx512(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

//go:noescape
func sgemm14x32avx512(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

//go:noescape
func sgemm12x16avx512(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

//go:noescape
func sgemm16x16avx512(k int, a *float32, rsa, csa int, b *float32, c *float32, ldc int, add int)

// packAsm reports whether the AVX2 packing routines may run on this CPU.
var packAsm = cpu.X86.HasAVX2

//go:noescape
func packT8avx2(dst *float32, ldd int, src *float32, lds int, kb int)

//go:noescape
func packRowsavx2(dst *float32, src *float32, lds int, k int, w int)
