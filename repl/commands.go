package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// command is one REPL command.
type command struct {
	name    string
	args    string // the argument synopsis, for help
	help    string
	session bool // needs a loaded recipe
	run     func(r *REPL, ctx context.Context, args string) error
}

// commands is every command, in the order help lists them; init fills it, since help
// refers to it.
var commands []command

func init() {
	commands = []command{
		{"load", "FILE", "load a recipe and start a new session", false, (*REPL).load},
		{"reload", "", "read the recipe file again, keep the settings set, start over", true, (*REPL).reload},
		{"step", "[N]", "run N optimizer steps (default 1) and print the loss", true, (*REPL).step},
		{"train", "[N epochs|N steps]", "train that long (default: to the end) with the recipe's evals; Ctrl-C stops", true, (*REPL).train},
		{"eval", "", "evaluate the recipe's eval data sets (or the training set) now", true, (*REPL).eval},
		{"status", "", "where training is: step, epoch, learning rate, sparsity", true, (*REPL).status},
		{"sparsity", "[SELECTOR]", "the realised sparsity of every masked weight, and overall", true, (*REPL).sparsity},
		{"weights", "SELECTOR", "statistics and a histogram of the matched weights", true, (*REPL).weights},
		{"stats", "", "training statistics since the last eval: each expert's load, gate entropy and dropped share of a mixture of experts, a loss mixture's confidence mask ratio, ...", true, (*REPL).stats},
		{"state", "[PATH]", "list the session's state (per-sample loss state, teacher weights, running statistics), or show one: by group on noisy data", true, (*REPL).state},
		{"mask", "SELECTOR [--png FILE]", "a density map of the matched weights' masks; --png FILE draws one as a picture", true, (*REPL).mask},
		{"schedule", "NAME", "plot a schedule over the whole run, marking the current step", true, (*REPL).schedule},
		{"diff", "CKPT [CKPT2]", "compare the masks of a checkpoint with the session's, or of two checkpoints", true, (*REPL).diff},
		{"plan", "", "the mask plan: every masked weight's planned sparsity", true, (*REPL).plan},
		{"graph", "", "the compiled training program", true, (*REPL).graph},
		{"recipe", "", "the checked recipe, every default spelled out", true, (*REPL).recipe},
		{"set", "PATH = VALUE", "change a setting mid-run, checked like recipe text: optimizer.lr = 0.01", true, (*REPL).set},
		{"save", "DIR", "write a checkpoint", true, (*REPL).save},
		{"restore", "DIR [--allow-recipe-change]", "restore a checkpoint; the flag starts this recipe from another's weights", true, (*REPL).restore},
		{"load-checkpoint", "DIR [--allow-recipe-change]", "the same as restore", true, (*REPL).restore},
		{"help", "[COMMAND]", "list the commands, or explain one", false, (*REPL).help},
		{"quit", "", "leave (also exit, or Ctrl-D)", false, nil},
		{"exit", "", "leave (also quit, or Ctrl-D)", false, nil},
	}
}

// lookup returns the named command, or nil.
func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

// commandNames lists every command name in help order.
func commandNames() []string {
	out := make([]string, len(commands))
	for i, c := range commands {
		out[i] = c.name
	}
	return out
}

// help lists the commands or explains one.
func (r *REPL) help(_ context.Context, args string) error {
	if args != "" {
		c := lookup(args)
		if c == nil {
			return fmt.Errorf("no command %s%s; commands: %s", args, suggest(args, commandNames()), strings.Join(commandNames(), ", "))
		}
		r.printf("%s %s\n    %s\n", c.name, c.args, c.help)
		return nil
	}
	for _, c := range commands {
		synopsis := strings.TrimSpace(c.name + " " + c.args)
		if len(synopsis) > 24 {
			synopsis += "\n" + strings.Repeat(" ", 26)
		}
		r.printf("  %-24s %s\n", synopsis, c.help)
	}
	r.printf("Anything else is evaluated: a schedule's current value (lr, optimizer.lr), density(SELECTOR), sparsity(SELECTOR).\n")
	r.printf("Selectors glob each dot-separated segment: net.*.weight; a prefix selects everything below it: net.h1.\n")
	return nil
}

// noArgs refuses arguments to a command that takes none.
func noArgs(name, args string) error {
	if args != "" {
		return fmt.Errorf("%s takes no arguments", name)
	}
	return nil
}

// errNoMasks is the error of mask commands on a recipe without masks.
var errNoMasks = errors.New("the recipe has no masks; declare one with mask NAME on SELECTOR { ... }")
