package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/lang/syntax"
)

// parseAndLoad parses a command's flags and loads its recipe file with the --set
// overrides, printing any error; ok is false on any error.
func parseAndLoad(fs *flag.FlagSet, sets *setFlags, args []string, stderr io.Writer) (string, *roux.Recipe, bool) {
	file, ok := parseArgs(fs, args, stderr)
	if !ok {
		return "", nil, false
	}
	r, ok := load(file, *sets, stderr)
	return file, r, ok
}

// load loads a recipe, printing its errors with carets; ok is false on any error.
func load(file string, sets []string, stderr io.Writer) (*roux.Recipe, bool) {
	r, err := roux.Load(file, sets...)
	if re, isRecipe := roux.AsRecipeError(err); isRecipe {
		fmt.Fprint(stderr, re.Print())
		return nil, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return nil, false
	}
	return r, true
}

func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs, sets := recipeFlags("check")
	file, r, ok := parseAndLoad(fs, sets, args, stderr)
	if !ok {
		return exitRecipe
	}
	fmt.Fprintf(stdout, "%s: ok: %q\n", file, r.Title)
	printPlan(stdout, r)
	plans, err := roux.Plan(r)
	if err != nil {
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return exitRecipe
	}
	roux.PrintPlan(stdout, plans, r.StepsPerEpoch()*r.Train.Epochs)
	return exitOK
}

// printPlan summarises what a run of the recipe will do.
func printPlan(w io.Writer, r *roux.Recipe) {
	total := 0
	for _, m := range r.Models {
		for _, p := range m.Weights {
			n := 1
			for _, d := range p.Shape {
				n *= d
			}
			total += n
			fmt.Fprintf(w, "  %-24s %v\n", p.Path, p.Shape)
		}
	}
	fmt.Fprintf(w, "  %d parameters; trains on %s for %d epochs, batch %d, seed %d\n",
		total, r.Stream.Name, r.Train.Epochs, r.Train.Batch, r.Train.Seed)
}

func cmdFmt(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	write := fs.Bool("w", false, "write the canonical form back to the file")
	file, ok := parseArgs(fs, args, stderr)
	if !ok {
		return exitRecipe
	}
	src, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return exitRecipe
	}
	f, errs := syntax.Parse(file, src)
	if len(errs) > 0 {
		fmt.Fprint(stderr, errs.Print(map[string][]byte{file: src}))
		return exitRecipe
	}
	out := syntax.Format(f)
	if !*write {
		stdout.Write(out)
		return exitOK
	}
	if err := writeFileAtomic(file, out); err != nil {
		fmt.Fprintf(stderr, "roux: %v\n", err)
		return exitRuntime
	}
	return exitOK
}

// writeFileAtomic replaces a file through a temporary file and a rename, so an
// interrupted write never leaves a half-written recipe.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".roux-tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
