// Package token holds the one position type of the recipe language and the
// positioned error list every stage reports through (modelled on go/scanner.ErrorList).
package token

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a place in a recipe: 1-based line and column, 0-based byte offset.
// The zero Pos means "no position".
type Pos struct {
	File   string
	Offset int
	Line   int
	Col    int
}

// IsValid reports whether the position points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String prints file:line:col, the one way roux prints positions.
func (p Pos) String() string {
	if !p.IsValid() {
		if p.File != "" {
			return p.File
		}
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Before orders positions by file, then offset.
func (p Pos) Before(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// Related is a second position an error points at, such as an earlier declaration.
type Related struct {
	Pos Pos
	Msg string
}

// Error is one positioned mistake in a recipe.
type Error struct {
	Pos     Pos
	Msg     string
	Related []Related
}

func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

// MaxErrors caps how many errors a list prints; the rest are summarised in one line.
const MaxErrors = 10

// ErrorList is every mistake found in a recipe.
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) *Error {
	e := &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
	*l = append(*l, e)
	return e
}

// Sort orders the list by position, keeping the order of errors at one position.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos.Before(l[j].Pos) })
}

// RemoveMultiples sorts the list and drops errors repeated at the same position.
func (l *ErrorList) RemoveMultiples() {
	l.Sort()
	out := (*l)[:0]
	for i, e := range *l {
		if i > 0 && e.Pos == (*l)[i-1].Pos && e.Msg == (*l)[i-1].Msg {
			continue
		}
		out = append(out, e)
	}
	*l = out
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Print writes each error as "file:line:col: message", followed by the source line and
// a caret under the column when src (the text of the file) is given, then its related
// positions. At most MaxErrors errors are printed.
func (l ErrorList) Print(sources map[string][]byte) string {
	var b strings.Builder
	for i, e := range l {
		if i == MaxErrors {
			fmt.Fprintf(&b, "(%d more errors not shown)\n", len(l)-MaxErrors)
			break
		}
		fmt.Fprintf(&b, "%s: %s\n", e.Pos, e.Msg)
		writeCaret(&b, sources[e.Pos.File], e.Pos)
		for _, r := range e.Related {
			fmt.Fprintf(&b, "\t%s: %s\n", r.Pos, r.Msg)
		}
	}
	return b.String()
}

// writeCaret prints the line pos points into and a caret under its column.
func writeCaret(b *strings.Builder, src []byte, pos Pos) {
	if src == nil || !pos.IsValid() {
		return
	}
	lines := strings.Split(string(src), "\n")
	if pos.Line > len(lines) {
		return
	}
	line := strings.TrimRight(lines[pos.Line-1], "\r")
	fmt.Fprintf(b, "    %s\n", strings.ReplaceAll(line, "\t", " "))
	col := pos.Col - 1
	if col > len(line) {
		col = len(line)
	}
	fmt.Fprintf(b, "    %s^\n", strings.Repeat(" ", col))
}
