// Package sparse holds the pure algorithms that create and update sparsity masks: layer-wise
// densities (ER, ERK), random, magnitude, N:M and block masks, dynamic sparse training
// (prune and grow) and soft shrinkage. Section numbers such as "PAPERS 2.1 M1" refer to
// /work/shared/PAPERS.md, which states each rule and its defaults.
//
// A weight is a row-major []float32 with a shape; dense layers store W as [out, in], so "along
// the input dimension" means along each row. A mask is a []float32 of the same length holding
// exactly 0 or 1, so that it can be multiplied in (Apply, PAPERS 2.5 RP1).
//
// # Counts
//
// Every function takes exact counts, never densities, so a mask's realised density is known
// before it is built. Count turns a density into a kept count (nearest integer), DropCount and
// PruneCount implement the floor of M4 and the ceiling of M5.
//
// # Ranking
//
// Every top-k or bottom-k choice among entries goes through one selection engine (an
// introselect on a copy of the keys followed by one pass in index order). Entries rank by
// magnitude, larger first; among equal magnitudes the lower index ranks first; NaN ranks below
// every number. So "keep the k largest" keeps the lower index on a tie and "drop the k
// smallest" drops the higher index. Ties are broken by index, never by noise, so a mask is a
// pure function of its inputs. BlockMask, which needs the full order of blocks of unequal
// size, sorts its (far fewer) blocks by the same rule.
//
// # Randomness and allocation
//
// All randomness comes from a *rand.Rand (math/rand/v2) the caller passes, so results are a
// pure function of the seed. Functions that run every step (or every ΔT steps) take a
// *Scratch: with the same Scratch reused they do not allocate once its buffers have grown.
// A nil *Scratch is allowed and allocates a temporary one.
//
// Mismatched slice lengths are programming errors and panic; conditions that depend on the
// recipe (an N:M pattern that does not fit a layer, a density budget that cannot be met) are
// returned as errors.
//
// The cubic sparsity schedule of gradual magnitude pruning (PAPERS 2.2 S1) lives in
// runtime/schedule (Cubic); this package prunes to whatever count that schedule gives.
package sparse
