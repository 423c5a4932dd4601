//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// rowsAsm reports whether im2colPlaneAVX512 and col2imPlaneAVX512 may run on this
// CPU.
var rowsAsm = cpu.X86.HasAVX512F

//go:noescape
func im2colPlaneAVX512(dst *float32, src *float32, tab *int, n int)

//go:noescape
func col2imPlaneAVX512(dst *float32, src *float32, tab *int, n int)
