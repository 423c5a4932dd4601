// Command roux checks, formats, documents and runs training recipes.
//
//	roux run FILE [--set path=value]... [--metrics FILE.jsonl] [--quiet] [--save DIR] [--resume DIR [--allow-recipe-change]] [--checkpoint-dir DIR]
//	roux check FILE
//	roux fmt [-w] FILE
//	roux doc [NAME]
//	roux inspect CHECKPOINT
//	roux bench [FILE] [--densities 1,0.1,...] [--steps N]
//	roux sweep FILE [--seeds 1,2,3] [--set path=value]...
//	roux repl [FILE]
//	roux plot METRICS.jsonl [MORE.jsonl]... -o FILE.png
//
// Exit codes: 0 success, 1 a mistake in the recipe or the command line, 2 a failure while running.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK      = 0
	exitRecipe  = 1
	exitRuntime = 2
)

const usage = `usage:
  roux run FILE [--set path=value]... [--metrics FILE.jsonl] [--quiet] [--save DIR] [--resume DIR [--allow-recipe-change]] [--checkpoint-dir DIR]
  roux check FILE [--set path=value]...
  roux fmt [-w] FILE
  roux doc [NAME]
  roux inspect CHECKPOINT
  roux bench [FILE] [--densities 1,0.1,...] [--steps N]
  roux sweep FILE [--seeds 1,2,3] [--set path=value]...
  roux repl [FILE]
  roux plot METRICS.jsonl [MORE.jsonl]... -o FILE.png
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitRecipe
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) int{
		"run": cmdRun, "check": cmdCheck, "fmt": cmdFmt, "doc": cmdDoc, "sweep": cmdSweep, "bench": cmdBench, "inspect": cmdInspect,
		"repl": cmdRepl, "plot": cmdPlot,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "roux: unknown command %q\n%s", args[0], usage)
		return exitRecipe
	}
	return cmd(args[1:], stdout, stderr)
}
