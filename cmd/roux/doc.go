package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/stdlib"
)

// cmdDoc prints the catalogue from the registry itself, so it cannot drift from the code.
func cmdDoc(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprint(stderr, usage)
		return exitRecipe
	}
	if len(args) == 1 {
		s, ok := stdlib.Default.Lookup(args[0])
		if !ok {
			fmt.Fprintf(stderr, "roux doc: no built-in named %q; run roux doc for the list\n", args[0])
			return exitRecipe
		}
		printEntry(stdout, s)
		return exitOK
	}
	headings := []struct {
		kind  sig.Kind
		title string
	}{{sig.Data, "DATA SETS AND DATA TRANSFORMS"}, {sig.Augment, "AUGMENTATIONS"}, {sig.Layer, "LAYERS"}, {sig.Op, "OPS"}, {sig.Loss, "LOSSES"},
		{sig.Schedule, "SCHEDULES"}, {sig.Optimizer, "OPTIMIZERS"}, {sig.Metric, "METRICS"},
		{sig.MaskInit, "MASK INITS"}, {sig.Criterion, "PRUNE CRITERIA"}, {sig.Regrow, "REGROW RULES"}, {sig.Pruned, "PRUNED-WEIGHT RULES"}}
	for _, h := range headings {
		kind := h.kind
		fmt.Fprintf(stdout, "%s\n", h.title)
		for _, n := range stdlib.Default.Names() {
			if s, _ := stdlib.Default.Lookup(n); s.Kind == kind {
				printEntry(stdout, s)
			}
		}
	}
	return exitOK
}

func printEntry(w io.Writer, s *sig.Signature) {
	params := make([]string, len(s.Params))
	for i, p := range s.Params {
		params[i] = p.Name
	}
	fmt.Fprintf(w, "  %s(%s)\n      %s\n", s.Name, strings.Join(params, ", "), s.Doc)
	for _, p := range s.Params {
		fmt.Fprintf(w, "      %-14s %s%s  %s\n", p.Name, typeName(p), defaultText(p), p.Doc)
	}
}

func typeName(p sig.Param) string {
	if p.Type == sig.Enum {
		return "one of " + strings.Join(p.Enum, "|")
	}
	if p.Type == sig.List {
		return "list of " + p.Elem.String()
	}
	return p.Type.String()
}

func defaultText(p sig.Param) string {
	switch {
	case p.Default != nil:
		return fmt.Sprintf(", default %v", p.Default)
	case p.Optional:
		return ", optional"
	}
	return ", required"
}
