// Package checkpoint saves and restores training state: tensors in the safetensors format,
// so that other tools (numpy, PyTorch, the safetensors library) can read them, next to a
// small JSON sidecar with everything else (recipe, step, seed, RNG states, schedules,
// metrics), written so that a process killed at any moment never leaves a half-written
// checkpoint behind.
//
// # Safetensors
//
// Encode and Decode implement the safetensors format from its specification, with no
// dependency: an 8-byte little-endian header size N, N bytes of UTF-8 JSON header mapping each
// tensor name to its dtype, shape and data_offsets (relative to the byte after the header),
// with an optional "__metadata__" object of string values, then the tensor data, row-major and
// little-endian, contiguous and in the order of the offsets. Tensors are float32 (F32); I64,
// I32 and U8 tensors hold integer state.
//
// Encode is deterministic: the same tensors and metadata give the same bytes. Like the
// reference writer it lays tensors out by decreasing element size, then by name (so tensors
// of one dtype are in name order and every tensor is aligned to its element size), writes
// "__metadata__" first with sorted keys, then the tensors in data order, and pads the header
// with spaces to a multiple of 8 bytes. Decode checks everything and returns an error wrapping
// ErrFormat for any malformed file; it never panics.
//
// # Checkpoints
//
// A checkpoint is a directory holding two files:
//
//	tensors.safetensors   every tensor: weights, masks, optimizer slots, per-sample state
//	meta.json             Meta, plus the size and SHA-256 of tensors.safetensors
//
// Save writes both files atomically (temporary file, fsync, rename, fsync of the directory),
// tensors first and meta.json last; Load reads them back and checks that the tensors file is
// the one meta.json describes. While Save replaces a checkpoint in place, the new meta.json
// waits in meta.json.pending until the new tensors file is in place, so Load finds a complete
// pair whenever the process dies: the old one, or the new one.
//
// A run keeps a series of checkpoints in numbered directories under one root:
//
//	root/step-000000100/
//	root/step-000000200/
//
// SaveNumbered builds each one in a temporary directory and renames it into place, then
// deletes the oldest beyond a count (Keep). Latest returns the newest complete checkpoint,
// passing over temporary directories and any checkpoint that fails to load.
//
// A checkpoint directory (or root) has one writer at a time.
package checkpoint
