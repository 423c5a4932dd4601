//go:build !amd64 || purego

package kernels

// asmMicros is empty: this build has no assembly micro-kernels.
var asmMicros []*micro

// packAsm is false: this build has no assembly packing routines.
const packAsm = false

func packT8avx2(dst *float32, ldd int, src *float32, lds int, kb int) { panic("kernels: no assembly") }

func packRowsavx2(dst *float32, src *float32, lds int, k int, w int) { panic("kernels: no assembly") }

// avx512 is false: this build has no AVX-512 routines.
const avx512 = false

func im2colPlaneAVX512(dst *float32, src *float32, tab *int, n int) { panic("kernels: no assembly") }

func col2imPlaneAVX512(dst *float32, src *float32, tab *int, n int) { panic("kernels: no assembly") }

func im2colGatherAVX512(dst *float32, src *float32, tab *int, n int, lanes *int32) {
	panic("kernels: no assembly")
}

func im2colStride2AVX512(dst *float32, src *float32, tab *int, n int, evens *int32) {
	panic("kernels: no assembly")
}

func col2imExpandAVX512(dst *float32, src *float32, tab *int, n int) { panic("kernels: no assembly") }

func reluAVX512(dst, x *float32, n int) { panic("kernels: no assembly") }

func reluGradAVX512(dst, dy, x *float32, n int) { panic("kernels: no assembly") }

func addScalarAVX512(dst, x *float32, s float32, n int) { panic("kernels: no assembly") }
