//go:build amd64 && !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// GatherTBytes scales 16 bytes at a time with AVX-512 where the CPU has it.
func init() {
	if cpu.X86.HasAVX512F {
		scaleBytes16 = scaleBytesAVX512
	}
}

//go:noescape
func prefetchLines(p unsafe.Pointer, n int)

//go:noescape
func scaleBytesAVX512(dst *float32, src *byte, n int)
