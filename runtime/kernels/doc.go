// Package kernels holds roux's numeric kernels: plain loops over preallocated
// float32 slices, destination first, in the style of gonum/floats.
//
// Every kernel writes all of dst and never allocates. dst may not overlap an input
// unless the kernel says so. Reductions over one axis see their input as a
// row-major [outer, n, inner] array and reduce the middle dimension n.
//
// Gemm is a blocked matrix product with packed panels of B and assembly micro-kernels
// (AVX-512 8×32, else AVX2+FMA 6×16, chosen at run time; pure Go with -tags purego or
// elsewhere), split deterministically over a pool of persistent goroutines, so repeated
// products neither allocate nor change their result. The sparse kernels (spmm.go) do the
// same for compressed weights.
package kernels
