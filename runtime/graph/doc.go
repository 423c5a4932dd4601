// Package graph builds tensor operation graphs, differentiates them in reverse mode,
// compiles them to flat programs over preallocated buffers and runs them.
//
// Work happens in three phases, as in gomlx:
//
//  1. Build. A Graph hands out Nodes: leaves (Input, Param, Const) and operations
//     (MatMul, AddBias, elementwise ops, reductions, softmax, losses, Dropout, and
//     StopGrad, Greater and OneHotArgmax, which pass no gradient). Every node records
//     the recipe position set by SetOrigin and checks its operands' shapes at once; a
//     mistake panics with an *Error that prints the shapes involved. Entry points
//     recover it with Catch.
//
//  2. Compile. Graph.Compile keeps the nodes the loss and outputs depend on and, when
//     there is a loss, appends the backward graph: gradient rules (one per primitive
//     op, all in grad.go) applied in reverse order, only along paths that lead to a
//     parameter without crossing an op that passes no gradient, so the gradient of an
//     input is never computed. The result is a Program: a list of instructions over
//     buffers allocated once.
//
//  3. Run. Program.Run interprets the instructions with the plain loops of package
//     kernels and gonum's BLAS for products. It does not allocate. Gradients are
//     written straight into each tensor.Param's Grad, so programs that share a
//     parameter (training and evaluation) see the same value and gradient. A
//     non-finite loss is reported as an *Error naming the first instruction that
//     produced a NaN or infinity, and its recipe position.
//
// The op set is small and fixed: layers, losses and schedules are compositions of
// these primitives. Program.String prints a stable listing of a program.
package graph
