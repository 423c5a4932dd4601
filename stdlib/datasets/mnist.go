package datasets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/roux-ml/roux/runtime/data"
)

// MNISTOptions says where MNIST's files are and where to report fetching them.
type MNISTOptions struct {
	// Dir is the directory holding the four IDX files (gzipped or not). If empty, MNIST
	// uses $ROUX_MNIST_DIR, else the Go module cache, fetching the module if need be.
	Dir string
	// Log receives one line if MNIST has to fetch the files; nil means silence.
	Log io.Writer
}

// mnistFiles names each split's image and label files, without the .gz suffix.
var mnistFiles = map[string][2]string{
	"train": {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
	"test":  {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"},
}

// MNIST loads a split of the MNIST handwritten digits: "train" (60000 images) or "test"
// (10000). Each sample is an image flattened to Shape [784], its pixels scaled to [0, 1];
// labels are the digits, Classes 10. (A directory given in opts may hold other counts
// and image sizes; the IDX headers decide.) The files are parsed once per process and
// directory; every call returns a fresh Dataset the caller may modify. If the files are
// nowhere to be found and cannot be fetched, the error gives the command that fetches them.
func MNIST(split string, opts MNISTOptions) (*data.Dataset, error) {
	if _, ok := mnistFiles[split]; !ok {
		return nil, fmt.Errorf("mnist: unknown split %q (want \"train\" or \"test\")", split)
	}
	dir, err := mnistDir(split, opts)
	if err != nil {
		return nil, err
	}
	raw, err := loadSplit(dir, split)
	if err != nil {
		return nil, err
	}
	return raw.dataset("mnist/" + split), nil
}

// rawSplit is a parsed split: n images of rows×cols bytes, and n labels.
type rawSplit struct {
	rows, cols int
	pixels     []byte
	labels     []byte
}

// dataset converts the split to float32 pixels in [0, 1].
func (r *rawSplit) dataset(name string) *data.Dataset {
	d := &data.Dataset{
		Name:    name,
		X:       make([]float32, len(r.pixels)),
		Y:       make([]int32, len(r.labels)),
		Shape:   []int{r.rows * r.cols},
		Classes: 10,
		Bytes:   r.pixels, // shared with the cached split, which nothing writes
	}
	scalePixels(d.X, r.pixels)
	for i, l := range r.labels {
		d.Y[i] = int32(l)
	}
	return d
}

// scalePixels sets dst[i] = src[i]/255. It works in parallel chunks: writing a fresh
// buffer is dominated by first-touch page faults, which proceed in parallel.
func scalePixels(dst []float32, src []byte) {
	const chunk = 1 << 20
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for lo := 0; lo < len(src); lo += chunk {
		hi := min(lo+chunk, len(src))
		sem <- struct{}{}
		wg.Go(func() {
			for i, p := range src[lo:hi] {
				dst[lo+i] = float32(p) / 255
			}
			<-sem
		})
	}
	wg.Wait()
}

// splitCache holds each parsed split, keyed by directory and split, parsed at most once
// (failures are not kept).
var splitCache struct {
	sync.Mutex
	m map[string]*cachedSplit
}

type cachedSplit struct {
	once sync.Once
	raw  *rawSplit
	err  error
}

// loadSplit returns the parsed split from dir, parsing it on first use.
func loadSplit(dir, split string) (*rawSplit, error) {
	key := filepath.Clean(dir) + "\x00" + split
	splitCache.Lock()
	if splitCache.m == nil {
		splitCache.m = map[string]*cachedSplit{}
	}
	c := splitCache.m[key]
	if c == nil {
		c = &cachedSplit{}
		splitCache.m[key] = c
	}
	splitCache.Unlock()
	c.once.Do(func() { c.raw, c.err = parseSplit(dir, split) })
	if c.err != nil { // forget failures, so a repaired file is read again
		splitCache.Lock()
		if splitCache.m[key] == c {
			delete(splitCache.m, key)
		}
		splitCache.Unlock()
	}
	return c.raw, c.err
}

// parseSplit reads and checks a split's image and label files.
func parseSplit(dir, split string) (*rawSplit, error) {
	names := mnistFiles[split]
	imgPath, lblPath := findIDX(dir, names[0]), findIDX(dir, names[1])
	dims, pixels, err := readIDX(imgPath, idxImages)
	if err != nil {
		return nil, err
	}
	ldims, labels, err := readIDX(lblPath, idxLabels)
	if err != nil {
		return nil, err
	}
	if dims[0] != ldims[0] {
		return nil, fmt.Errorf("mnist: %s has %d images but %s has %d labels", imgPath, dims[0], lblPath, ldims[0])
	}
	if dims[1] == 0 || dims[2] == 0 {
		return nil, fmt.Errorf("mnist: %s: images of %d×%d pixels", imgPath, dims[1], dims[2])
	}
	for i, l := range labels {
		if l > 9 {
			return nil, fmt.Errorf("mnist: %s: label %d of item %d is not a digit", lblPath, l, i)
		}
	}
	return &rawSplit{rows: dims[1], cols: dims[2], pixels: pixels, labels: labels}, nil
}

// readIDX reads and parses one IDX file.
func readIDX(path string, magic uint32) ([]int, []byte, error) {
	b, err := readMaybeGzip(path)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %w", err)
	}
	dims, body, err := parseIDX(path, b, magic)
	if err != nil {
		return nil, nil, fmt.Errorf("mnist: %w", err)
	}
	return dims, body, nil
}

// findIDX returns the path of name.gz in dir, or of name if only that exists.
func findIDX(dir, name string) string {
	gz := filepath.Join(dir, name+".gz")
	if _, err := os.Stat(gz); err != nil {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return filepath.Join(dir, name)
		}
	}
	return gz
}
