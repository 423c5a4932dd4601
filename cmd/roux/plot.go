package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/roux-ml/roux/internal/plots"
)

// cmdPlot draws the curves of one or more metrics files (written by run --metrics) into
// one picture.
func cmdPlot(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	out := fs.String("o", "", "the picture to write: FILE.png, FILE.svg or FILE.pdf")
	files, ok := parseFiles(fs, args, stderr)
	if !ok {
		return exitRecipe
	}
	format, err := outputFormat(*out)
	if err != nil {
		fmt.Fprintf(stderr, "roux plot: %v\n%s", err, usage)
		return exitRecipe
	}
	runs, err := readRuns(files)
	if err != nil {
		fmt.Fprintf(stderr, "roux plot: %v\n", err)
		return exitRecipe
	}
	var buf bytes.Buffer
	if err = plots.Metrics(&buf, runs, format); err == nil {
		err = writeFileAtomic(*out, buf.Bytes())
	}
	if err != nil {
		err = fmt.Errorf("cannot write %s: %v", *out, err)
		fmt.Fprintf(stderr, "roux plot: %v\n", err)
		return exitRuntime
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return exitOK
}

// parseFiles parses flags that may come before, between or after one or more files.
func parseFiles(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, bool) {
	fs.SetOutput(stderr)
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "roux %s: expected one or more metrics files\n%s", fs.Name(), usage)
		return nil, false
	}
	return files, true
}

// outputFormat is the picture format of the -o file.
func outputFormat(out string) (string, error) {
	if out == "" {
		return "", fmt.Errorf("-o FILE.png is required")
	}
	return plots.FormatOf(out)
}

// readRuns reads every metrics file as a run named by its file name (its path when two
// files have the same name).
func readRuns(files []string) ([]plots.Run, error) {
	runs := make([]plots.Run, len(files))
	for i, file := range files {
		evals, err := readMetrics(file)
		if err != nil {
			return nil, err
		}
		runs[i] = plots.Run{Name: runName(file, files), Evals: evals}
	}
	return runs, nil
}

// runName is the file's base name, or its path if another file has the same base name.
func runName(file string, files []string) string {
	for _, f := range files {
		if f != file && filepath.Base(f) == filepath.Base(file) {
			return file
		}
	}
	return filepath.Base(file)
}

// readMetrics reads the evaluations of a metrics file; the final record is skipped.
func readMetrics(file string) ([]plots.Eval, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var evals []plots.Eval
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for n := 1; sc.Scan(); n++ {
		e, ok, err := parseRecord(sc.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", file, n, err)
		}
		if ok {
			evals = append(evals, e)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if len(evals) == 0 {
		return nil, fmt.Errorf("%s has no evaluations; write them with roux run --metrics FILE and an eval in the recipe's train block", file)
	}
	return evals, nil
}

// parseRecord parses one line: an evaluation (ok), the final record or a blank line (not
// ok), or an error.
func parseRecord(line []byte) (plots.Eval, bool, error) {
	if len(bytes.TrimSpace(line)) == 0 {
		return plots.Eval{}, false, nil
	}
	var rec map[string]any
	if err := json.Unmarshal(line, &rec); err != nil {
		return plots.Eval{}, false, fmt.Errorf("not a JSON object: %v", err)
	}
	if rec["final"] == true {
		return plots.Eval{}, false, nil
	}
	step, okStep := rec["step"].(float64)
	data, okData := rec["data"].(string)
	if !okStep || !okData {
		return plots.Eval{}, false, fmt.Errorf("not an evaluation: it needs a numeric step and a data set name")
	}
	return evalOf(rec, int(step), data), true, nil
}

// notMetrics are the keys of an evaluation record that are not metrics.
var notMetrics = map[string]bool{"step": true, "epoch": true, "data": true, "lr": true, "time": true, "avg_params": true, "sparsity": true}

// evalOf turns a record into an evaluation: every other numeric key is a metric.
func evalOf(rec map[string]any, step int, data string) plots.Eval {
	e := plots.Eval{Step: step, Data: data, Metrics: map[string]float64{}}
	e.LR, _ = rec["lr"].(float64)
	e.Sparsity, e.HasSparsity = rec["sparsity"].(float64)
	for k, v := range rec {
		if x, ok := v.(float64); ok && !notMetrics[k] {
			e.Metrics[k] = x
		}
	}
	return e
}
