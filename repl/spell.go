package repl

import "github.com/roux-ml/roux/lang/spell"

// suggest returns " (did you mean x?)" for the closest candidate, or "".
func suggest(name string, candidates []string) string {
	if best := spell.Nearest(name, candidates); best != "" {
		return " (did you mean " + best + "?)"
	}
	return ""
}
