// Package mask keeps the sparsity masks of a training run: it builds each mask at the
// start, derives every step the effective weights the program computes with, turns the
// program's gradients into the gradients of the stored weights, and after each update
// enforces the invariants, prunes to scheduled targets and regrows (PAPERS.md 2.1, 2.2,
// 2.5). The algorithms themselves live in runtime/sparse.
package mask
