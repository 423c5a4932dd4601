package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The files of a checkpoint directory.
const (
	TensorsFile = "tensors.safetensors" // every tensor, in the safetensors format
	MetaFile    = "meta.json"           // Meta and the size and SHA-256 of TensorsFile
	PendingFile = "meta.json.pending"   // the next meta.json while Save replaces TensorsFile
)

// tempPrefix starts the name of every temporary file and directory.
const tempPrefix = ".tmp-"

// Checkpoint is the state of a training run at one step.
type Checkpoint struct {
	// Tensors holds weights, masks, optimizer slots and per-sample state, named by the
	// caller, such as "net.h1.weight", "mask/net.h1.weight" or "optim/net.h1.weight/momentum".
	Tensors []Tensor
	Meta    Meta // everything else
}

// Tensor returns the tensor called name, or nil if there is none.
func (c *Checkpoint) Tensor(name string) *Tensor {
	for i := range c.Tensors {
		if c.Tensors[i].Name == name {
			return &c.Tensors[i]
		}
	}
	return nil
}

// crashHook, when set by a test, is called after each step of Save and SaveNumbered that
// changes what Load or Latest would find; an error stops the save there, as a crash would.
var crashHook func(point string) error

func crashPoint(point string) error {
	if crashHook == nil {
		return nil
	}
	return crashHook(point)
}

// Save writes c into dir, creating dir if needed and replacing any checkpoint there. Each file
// is written to a temporary file in dir, synced, and renamed into place, and dir is synced
// after each rename. The new meta.json is first renamed to PendingFile, then the tensors file
// into place, then PendingFile to MetaFile, so that whenever the process stops Load finds
// either the old checkpoint or the new one. Save first finishes or discards what an
// interrupted Save left in dir.
func Save(dir string, c *Checkpoint) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := settle(dir); err != nil {
		return err
	}
	var sum fileSum
	tensors, err := writeTemp(dir, func(w io.Writer) (err error) {
		sum, err = encodeSum(w, c.Tensors)
		return err
	})
	if err != nil {
		return err
	}
	defer os.Remove(tensors) // once renamed, this removes nothing
	meta, err := marshalMeta(&c.Meta, sum)
	if err != nil {
		return err
	}
	return commit(dir, tensors, meta)
}

// commit writes meta to PendingFile, then renames the temporary tensors file and PendingFile
// into place.
func commit(dir, tensors string, meta []byte) error {
	pending, err := writeTemp(dir, func(w io.Writer) error {
		_, err := w.Write(meta)
		return err
	})
	if err != nil {
		return err
	}
	defer os.Remove(pending)
	steps := []struct{ from, to string }{
		{pending, PendingFile}, {tensors, TensorsFile}, {filepath.Join(dir, PendingFile), MetaFile},
	}
	for _, s := range steps {
		if err := renameSync(s.from, filepath.Join(dir, s.to)); err != nil {
			return err
		}
		if err := crashPoint(s.to); err != nil {
			return err
		}
	}
	return nil
}

// encodeSum encodes tensors to w and returns the size and SHA-256 of what it wrote.
func encodeSum(w io.Writer, tensors []Tensor) (fileSum, error) {
	h := sha256.New()
	n := &countWriter{}
	if err := Encode(io.MultiWriter(w, h, n), tensors, nil); err != nil {
		return fileSum{}, err
	}
	return fileSum{File: TensorsFile, Size: n.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// sumOf returns the sum of a tensors file's contents.
func sumOf(b []byte) fileSum {
	h := sha256.Sum256(b)
	return fileSum{File: TensorsFile, Size: int64(len(b)), SHA256: hex.EncodeToString(h[:])}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(b []byte) (int, error) {
	c.n += int64(len(b))
	return len(b), nil
}

// writeTemp writes a new temporary file in dir with write, syncs and closes it, and returns its
// path. On error it removes the file.
func writeTemp(dir string, write func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("checkpoint: writing %s: %w", dir, err)
	}
	return f.Name(), nil
}

// renameSync renames from to to and syncs the directory of to.
func renameSync(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return syncDir(filepath.Dir(to))
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("checkpoint: syncing %s: %w", dir, err)
	}
	return nil
}

// settle finishes or discards an interrupted Save in dir: a PendingFile that matches the tensors
// file becomes meta.json, one that does not is removed, and temporary files are removed.
func settle(dir string) error {
	if err := removeTemps(dir); err != nil {
		return err
	}
	pending, err := os.ReadFile(filepath.Join(dir, PendingFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	tensors, _ := os.ReadFile(filepath.Join(dir, TensorsFile))
	if _, err := checkMeta(pending, tensors); err == nil {
		return renameSync(filepath.Join(dir, PendingFile), filepath.Join(dir, MetaFile))
	}
	if err := os.Remove(filepath.Join(dir, PendingFile)); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// removeTemps removes the temporary files and directories left in dir by interrupted saves.
func removeTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("checkpoint: %w", err)
			}
		}
	}
	return nil
}

// Load reads the checkpoint in dir. It checks that the tensors file is the one meta.json
// describes (size and SHA-256) and that it is a valid safetensors file. If meta.json does not
// match, because a Save was interrupted after replacing the tensors file, Load uses
// PendingFile instead when that one matches. Load changes nothing in dir. It can fail while
// another process is saving into dir: to read while a run saves, use numbered checkpoints
// (SaveNumbered, Latest).
func Load(dir string) (*Checkpoint, error) {
	tensors, err := os.ReadFile(filepath.Join(dir, TensorsFile))
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	meta, err := loadMeta(dir, MetaFile, tensors)
	if err != nil {
		var perr error
		if meta, perr = loadMeta(dir, PendingFile, tensors); perr != nil {
			return nil, err
		}
	}
	ts, _, err := Decode(tensors)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", filepath.Join(dir, TensorsFile), err)
	}
	return &Checkpoint{Tensors: ts, Meta: *meta}, nil
}

// loadMeta reads dir/name and checks it against the contents of the tensors file.
func loadMeta(dir, name string, tensors []byte) (*Meta, error) {
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	m, err := checkMeta(b, tensors)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return m, nil
}

// checkMeta parses meta.json and checks that it describes the tensors file.
func checkMeta(meta, tensors []byte) (*Meta, error) {
	m, want, err := unmarshalMeta(meta)
	if err != nil {
		return nil, err
	}
	if got := sumOf(tensors); got != want {
		return nil, fmt.Errorf("%s has %d bytes and sha256 %s, not the %d bytes and sha256 %s recorded",
			TensorsFile, got.Size, got.SHA256, want.Size, want.SHA256)
	}
	return m, nil
}
