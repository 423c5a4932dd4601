// Package train runs the training loop over compiled programs: the clock, batches,
// scheduled scalars, gradient clipping, optimizer updates and evaluation. It knows
// nothing of recipes; the embedding layer builds a Trainer from a checked recipe.
package train
