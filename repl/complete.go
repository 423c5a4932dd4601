package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/roux-ml/roux/stdlib"
)

// Complete returns the word being typed at the end of line and the completions of it:
// command names for the first word; then, by command, parameter paths, schedule names,
// files, or, in a set value or an expression, catalogue names and parameter paths.
// Candidates are sorted and unique.
func (r *REPL) Complete(line string) (word string, candidates []string) {
	start := strings.LastIndexAny(line, " (=,") + 1
	word = line[start:]
	fields := strings.Fields(line[:start])
	if len(fields) == 0 {
		return word, withPrefix(word, commandNames())
	}
	return word, withPrefix(word, r.completions(fields[0], word, strings.Contains(line[:start], "=")))
}

// completions lists what may follow a command; afterEquals is set past the = of set.
func (r *REPL) completions(cmd, word string, afterEquals bool) []string {
	switch cmd {
	case "help":
		return commandNames()
	case "load", "save", "restore", "load-checkpoint":
		return completeFile(word)
	case "schedule":
		return r.scheduleNames()
	case "sparsity", "weights", "mask":
		return r.paramPaths()
	case "set":
		if afterEquals {
			return append(stdlib.Default.Names(), r.scheduleNames()...)
		}
		return append([]string{"train.epochs", "train.batch", "train.seed", "optimizer.lr"}, r.scheduleNames()...)
	}
	if lookup(cmd) != nil {
		return nil
	}
	return append(append(r.paramPaths(), r.scheduleNames()...), append(stdlib.Default.Names(), "density", "sparsity")...)
}

func (r *REPL) paramPaths() []string {
	if r.sess == nil {
		return nil
	}
	return names(r.sess.Params())
}

func (r *REPL) scheduleNames() []string {
	if r.sess == nil {
		return nil
	}
	return r.sess.ScheduleNames()
}

// withPrefix keeps the sorted, unique candidates that start with prefix.
func withPrefix(prefix string, all []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range all {
		if strings.HasPrefix(c, prefix) && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// completeFile lists the files and directories that complete a path being typed.
func completeFile(word string) []string {
	dir, base := filepath.Split(word)
	entries, err := os.ReadDir(filepath.Join(".", dir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), base) {
			name := dir + e.Name()
			if e.IsDir() {
				name += "/"
			}
			out = append(out, name)
		}
	}
	return out
}
