package repl

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/roux-ml/roux"
)

// Prompt is printed before every command.
const Prompt = "roux> "

// ErrInterrupt is returned by a Lines source when the user pressed Ctrl-C at the prompt;
// the REPL then reads the next line.
var ErrInterrupt = errors.New("interrupt")

// Lines is a source of commands: Next returns the next line, ErrInterrupt after Ctrl-C at
// the prompt, or io.EOF at the end of the input.
type Lines interface {
	Next() (string, error)
}

// REPL is an interactive session: the recipe loaded last, the overrides set since, and
// the training session over them.
type REPL struct {
	out       io.Writer
	file      string   // the recipe file, "" before the first load
	overrides []string // path=value settings applied to the file, in order
	rec       *roux.Recipe
	sess      *roux.Session
	// Interrupts returns the context one command runs under, cancelled when the user
	// interrupts it; by default SIGINT (Ctrl-C on a terminal) cancels it.
	Interrupts func(ctx context.Context) (context.Context, context.CancelFunc)
}

// New returns a REPL that writes to out, with no recipe loaded.
func New(out io.Writer) *REPL {
	return &REPL{out: out, Interrupts: func(ctx context.Context) (context.Context, context.CancelFunc) {
		return signal.NotifyContext(ctx, os.Interrupt)
	}}
}

// Run executes commands from in until it ends, a quit command or ctx is cancelled.
// Ctrl-C at the prompt only discards the line; each command runs under the context
// Interrupts gives it, so interrupting a command leaves the REPL running.
func (r *REPL) Run(ctx context.Context, in Lines) error {
	for ctx.Err() == nil {
		line, err := in.Next()
		switch {
		case errors.Is(err, ErrInterrupt):
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		if isDeclaration(line) {
			if line, err = readDeclaration(line, in); errors.Is(err, ErrInterrupt) {
				continue
			} else if err != nil {
				return err
			}
		}
		cctx, stop := r.Interrupts(ctx)
		more := r.Exec(cctx, line)
		stop()
		if !more {
			return nil
		}
	}
	return ctx.Err()
}

// Exec runs one command line and reports whether the REPL should go on (false after
// quit or exit). Errors are printed; the session stays usable after any of them.
func (r *REPL) Exec(ctx context.Context, line string) bool {
	name, args, _ := strings.Cut(strings.TrimSpace(line), " ")
	args = strings.TrimSpace(args)
	if name == "" || strings.HasPrefix(name, "#") {
		return true
	}
	if name == "quit" || name == "exit" {
		return false
	}
	if isDeclaration(line) {
		if err := r.declare(ctx, line); err != nil {
			r.printError(err)
		}
		return true
	}
	if err := r.dispatch(ctx, name, args, line); err != nil {
		r.printError(err)
	}
	return true
}

// dispatch runs a command by name, or evaluates the line as an expression.
func (r *REPL) dispatch(ctx context.Context, name, args, line string) error {
	c := lookup(name)
	if c == nil {
		return r.expression(strings.TrimSpace(line))
	}
	if c.session && r.sess == nil {
		return errors.New("no recipe is loaded; load one with load FILE")
	}
	return c.run(r, ctx, args)
}

// printError prints a recipe error with its source lines and carets, any other error on
// one line.
func (r *REPL) printError(err error) {
	if re, ok := roux.AsRecipeError(err); ok {
		fmt.Fprint(r.out, re.Print())
		return
	}
	fmt.Fprintf(r.out, "error: %v\n", err)
}

func (r *REPL) printf(format string, args ...any) { fmt.Fprintf(r.out, format, args...) }

// scriptLines reads lines from a reader, echoing each after the prompt.
type scriptLines struct {
	sc   *bufio.Scanner
	echo io.Writer
}

// ScriptLines returns the lines of r as a Lines source. With a non-nil echo, each line is
// written to echo after the prompt, so the output reads as a transcript.
func ScriptLines(r io.Reader, echo io.Writer) Lines {
	return &scriptLines{sc: bufio.NewScanner(r), echo: echo}
}

// Next returns the next line, or io.EOF.
func (s *scriptLines) Next() (string, error) {
	if !s.sc.Scan() {
		if err := s.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	if s.echo != nil {
		fmt.Fprintf(s.echo, "%s%s\n", Prompt, s.sc.Text())
	}
	return s.sc.Text(), nil
}
