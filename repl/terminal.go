package repl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
)

// HistoryFile is where the terminal keeps its history: $ROUX_HISTORY if set, else
// .roux_history in the home directory, else "" (no history).
func HistoryFile() string {
	if p := os.Getenv("ROUX_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".roux_history")
}

// RunTerminal runs the REPL on the terminal with line editing, tab completion and the
// history in historyFile ("" for none). Ctrl-C at the prompt discards the line; during a
// command it interrupts the command (readline leaves raw mode between lines, so Ctrl-C
// then arrives as SIGINT, which Interrupts turns into a cancelled context); Ctrl-D exits.
func (r *REPL) RunTerminal(ctx context.Context, historyFile string) error {
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          Prompt,
		HistoryFile:     historyFile,
		AutoComplete:    completer{r},
		InterruptPrompt: "^C",
		EOFPrompt:       "exit",
	})
	if err != nil {
		return err
	}
	defer rl.Close()
	return r.Run(ctx, terminalLines{rl})
}

// terminalLines reads lines through readline.
type terminalLines struct{ rl *readline.Instance }

// Next returns the next line, ErrInterrupt after Ctrl-C, or io.EOF after Ctrl-D.
func (t terminalLines) Next() (string, error) {
	line, err := t.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return line, err
}

// SetPrompt changes the prompt, for the continuation lines of a declaration.
func (t terminalLines) SetPrompt(p string) { t.rl.SetPrompt(p) }

// completer adapts REPL.Complete to readline.AutoCompleter.
type completer struct{ r *REPL }

// Do returns the rest of every candidate for the word before the cursor, and the word's
// length; a completed name is followed by a space, a directory by nothing.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	word, cands := c.r.Complete(string(line[:pos]))
	out := make([][]rune, len(cands))
	for i, cand := range cands {
		rest := strings.TrimPrefix(cand, word)
		if !strings.HasSuffix(rest, "/") {
			rest += " "
		}
		out[i] = []rune(rest)
	}
	return out, len([]rune(word))
}
