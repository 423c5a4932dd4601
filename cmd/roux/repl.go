package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"

	"github.com/roux-ml/roux/repl"
)

// cmdRepl runs the interactive REPL, loading FILE first if given. On a terminal it edits
// lines with history and completion; otherwise it reads commands from stdin and echoes
// each after the prompt.
func cmdRepl(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprint(stderr, usage)
		return exitRecipe
	}
	r := repl.New(stdout)
	ctx := context.Background()
	if len(args) == 1 {
		r.Exec(ctx, "load "+args[0])
	}
	var err error
	if isatty.IsTerminal(os.Stdin.Fd()) {
		fmt.Fprintln(stdout, "roux repl: help lists the commands; Tab completes; Ctrl-C interrupts training; Ctrl-D leaves")
		err = r.RunTerminal(ctx, repl.HistoryFile())
	} else {
		err = r.Run(ctx, repl.ScriptLines(os.Stdin, stdout))
	}
	if err != nil {
		fmt.Fprintf(stderr, "roux repl: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
