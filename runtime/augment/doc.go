// Package augment makes seeded, on-the-fly augmented copies of batches of samples stored
// as float32 rows: the weak and strong views that consistency-training losses (UDA,
// FixMatch) compare.
//
// Augmentations run outside the op graph, on the input buffers before a step: they have
// no gradient and no parameters, and keeping them out of the graph keeps its op set small.
// They are deterministic: row r of a batch draws its randomness from a PCG generator
// seeded with (seed, r) only, so the same seed gives bit-identical views whatever the
// number of goroutines the rows are split across, and a run can be replayed from its seed.
// An Op owns its random generators and scratch rows and allocates nothing once warm.
package augment
