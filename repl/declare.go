package repl

import (
	"context"
	"errors"
	"strings"

	"github.com/roux-ml/roux"
)

// declKeywords are the words a recipe declaration starts with.
var declKeywords = map[string]bool{
	"data": true, "model": true, "schedule": true, "mask": true, "loss": true,
	"optimizer": true, "train": true, "procedure": true, "augment": true,
}

// isDeclaration reports whether a line starts a recipe declaration rather than a
// command: a declaration keyword followed by text with "=" or "{" (the commands train,
// mask and schedule never contain either).
func isDeclaration(line string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	return declKeywords[word] && strings.ContainsAny(line, "={")
}

// openBraces counts the braces a text leaves open, ignoring strings and comments.
func openBraces(text string) int {
	depth, inString := 0, false
	for _, line := range strings.Split(text, "\n") {
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case inString && c == '\\':
				i++
			case c == '"':
				inString = !inString
			case inString:
			case c == '#':
				i = len(line)
			case c == '{':
				depth++
			case c == '}':
				depth--
			}
		}
	}
	return depth
}

// readDeclaration reads the lines that complete a declaration whose braces are open.
func readDeclaration(first string, in Lines) (string, error) {
	text := first
	if p, ok := in.(interface{ SetPrompt(string) }); ok && openBraces(text) > 0 {
		p.SetPrompt("...   ")
		defer p.SetPrompt(Prompt)
	}
	for openBraces(text) > 0 {
		line, err := in.Next()
		if err != nil {
			return "", err
		}
		text += "\n" + line
	}
	return text, nil
}

// declare adds a declaration to the recipe, checks the whole recipe again, and continues
// the session from where it is, so a mask, schedule or data set can be added mid-run. A
// name that exists already is an error: set changes an existing declaration.
func (r *REPL) declare(_ context.Context, text string) error {
	if r.sess == nil {
		return errors.New("no recipe is loaded; load one with load FILE, then add declarations to it")
	}
	src := append(append([]byte(nil), r.rec.Source...), []byte("\n"+text+"\n")...)
	rec, err := roux.Compile(r.file, src, r.overrides...)
	if err != nil {
		if re, ok := roux.AsRecipeError(err); ok && strings.Contains(re.Error(), "declared twice") {
			r.printError(err)
			return errors.New("to change an existing declaration, use set NAME = VALUE")
		}
		return err
	}
	s, err := r.continued(rec)
	if err != nil {
		return err
	}
	r.rec, r.sess = rec, s
	c := s.Clock()
	r.printf("declared; continuing at step %d of %d\n", c.Step, c.TotalSteps)
	return nil
}
