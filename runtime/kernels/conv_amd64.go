//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// avx512 reports whether the AVX-512 routines of conv_amd64.s (im2col, col2im and
// the elementwise loops) may run on this CPU.
var avx512 = cpu.X86.HasAVX512F

//go:noescape
func im2colPlaneAVX512(dst *float32, src *float32, tab *int, n int)

//go:noescape
func col2imPlaneAVX512(dst *float32, src *float32, tab *int, n int)

//go:noescape
func im2colGatherAVX512(dst *float32, src *float32, tab *int, n int, lanes *int32)

//go:noescape
func im2colStride2AVX512(dst *float32, src *float32, tab *int, n int, evens *int32)

//go:noescape
func col2imExpandAVX512(dst *float32, src *float32, tab *int, n int)

//go:noescape
func reluAVX512(dst, x *float32, n int)

//go:noescape
func reluGradAVX512(dst, dy, x *float32, n int)

//go:noescape
func addScalarAVX512(dst, x *float32, s float32, n int)
