package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// setFlags collects repeated --set path=value flags.
type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

// recipeFlags makes the flag set of a command that loads a recipe, with its --set flags.
func recipeFlags(name string) (*flag.FlagSet, *setFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	sets := &setFlags{}
	fs.Var(sets, "set", "override a setting, like train.epochs=1 (repeatable)")
	return fs, sets
}

// parseArgs parses flags that may come before or after the one FILE argument.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer) (string, bool) {
	fs.SetOutput(stderr)
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", false
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "roux %s: expected one recipe file, got %d\n%s", fs.Name(), len(files), usage)
		return "", false
	}
	return files[0], true
}
