// Package optim holds roux's optimizers (SGD, Adam, AdamW) and gradient clipping.
//
// Every optimizer follows PyTorch's update rule for the same hyperparameters, computed in
// float32 element by element, so a recipe ported from a PyTorch script trains the same way:
// testdata/torch_ref.json holds trajectories recorded with torch.optim, which roux reproduces to
// within a float32 rounding or two (not bit for bit: PyTorch's vector kernels fuse multiply-adds).
// Hyperparameters are exported fields that a trainer may change between steps (a schedule
// drives them); the learning rate is passed to each Step.
//
// Optimizer state (momentum buffers, Adam moments) is allocated lazily, once per parameter,
// the first time Step or Slots sees the parameter, and reused afterwards: a step allocates
// nothing. Slots exposes that state by name so that checkpoints can save and restore it and
// masks can zero the entries of pruned weights.
package optim
