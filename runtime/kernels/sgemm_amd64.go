//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run sgemm_gen.go

// asmMicros are the assembly micro-kernels this CPU can run, best first.
var asmMicros = func() []*micro {
	var ms []*micro
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ms = append(ms, &micro{name: "avx512-8x32", mr: 8, nr: 32, narrow: true, asm: true, kern: kernelAVX512})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ms = append(ms, &micro{name: "avx2-6x16", mr: 6, nr: 16, asm: true, kern: kernelAVX2})
	}
	return ms
}()

// kernelAVX512 runs the AVX-512 kernel for m rows and w columns, writing the first
// n columns of c through a lane mask.
func kernelAVX512(k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool, m, n, w int, _ []float32) {
	avx512Kernels[2-w/16][m-1](k, &a[0], rsa, csa, &b[0], &c[0], ldc, addFlag(add), 1<<n-1)
}

// kernelAVX2 runs the AVX2 kernel for m rows, through tmp if n < w.
func kernelAVX2(k int, a []float32, rsa, csa int, b, c []float32, ldc int, add bool, m, n, w int, tmp []float32) {
	kern := avx2Kernels[0][m-1]
	if n == w {
		kern(k, &a[0], rsa, csa, &b[0], &c[0], ldc, addFlag(add))
		return
	}
	kern(k, &a[0], rsa, csa, &b[0], &tmp[0], w, 0)
	for i := range m {
		ci, ti := c[i*ldc:i*ldc+n], tmp[i*w:i*w+n]
		if !add {
			copy(ci, ti)
			continue
		}
		for j := range ci {
			ci[j] += ti[j]
		}
	}
}

// packAsm reports whether the AVX2 packing routines may run on this CPU.
var packAsm = cpu.X86.HasAVX2

//go:noescape
func packT8avx2(dst *float32, ldd int, src *float32, lds int, kb int)

//go:noescape
func packRowsavx2(dst *float32, src *float32, lds int, k int, w int)
