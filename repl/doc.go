// Package repl is roux's interactive instrument panel over a live training session:
// load a recipe, step and train it (Ctrl-C interrupts training, not the REPL), look at
// sparsity, weights, masks, schedules, the mask plan and the compiled program, change a
// setting mid-run, and save or restore checkpoints.
//
// The core loop (REPL.Run and REPL.Exec) reads lines from any Lines source and writes to
// an io.Writer, so a session can be scripted and tested; ScriptLines reads a script from
// an io.Reader. REPL.RunTerminal is the interactive front end, with line editing, history
// and tab completion from github.com/chzyer/readline; repl is the only roux package that
// imports it.
package repl
