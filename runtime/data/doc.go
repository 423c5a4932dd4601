// Package data holds roux's in-memory datasets and the Batcher that cuts them into
// mini-batches.
//
// A Dataset is N samples of one feature shape, stored row-major in a single []float32,
// with optional integer class labels. Loaders live in stdlib/datasets; this package only
// holds, normalises, subsets and batches what they produce. PerClass, Unlabeled and
// WithLabelNoise derive the training sets of semi-supervised and noisy-label recipes; a
// noisy set keeps its true labels in TrueY.
//
// A Batcher walks a Dataset in mini-batches. With shuffling on, the order of epoch e is a
// pure function of (seed, e): it is derived from a PCG generator seeded with those two
// numbers and a platform-independent integer reduction, so it is the same on every machine
// and does not depend on what came before. A run can therefore be resumed exactly from a
// saved State. The Batcher owns its output buffers and allocates nothing per batch.
package data
