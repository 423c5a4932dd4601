//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// expVec reports whether expAVX512 gives math.Exp's bits: math.Exp takes its FMA
// path on CPUs with FMA, and expAVX512 follows that path.
var expVec = avx512 && cpu.X86.HasFMA

//go:noescape
func expAVX512(x *float64, n int)
