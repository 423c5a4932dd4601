package syntax

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/roux-ml/roux/lang/token"
)

// lexRules are the token rules of the recipe language, tried in order. The rules for
// malformed input (BadString, Bad, and the generous Number) make lexing total: every
// input becomes tokens, and scan reports the mistakes in words.
//
// The units steps/step/epochs/epoch are not keywords: they are names that the grammar
// reads as a unit only right after a number ("epochs = 20" stays a valid statement).
var lexRules = []lexer.SimpleRule{
	{Name: "Comment", Pattern: `#[^\n]*`},
	{Name: "Whitespace", Pattern: `[\s\x{FEFF}]+`},
	{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
	{Name: "BadString", Pattern: `"(?:\\.|[^"\\\n])*\\?`},
	{Name: "Number", Pattern: `(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d*)?[A-Za-z0-9_.]*`},
	{Name: "Glob", Pattern: `\.[A-Za-z0-9_]*\*[A-Za-z0-9_*]*`},
	{Name: "Keyword", Pattern: `(?:recipe|on|then|every|true|false|end)\b`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Punct", Pattern: `\|>|->|[-+*/()\[\]{},:=.%]`},
	{Name: "BadQuote", Pattern: `'[^'\n]*'?`},
	{Name: "Bad", Pattern: `.|\n`},
}

// lexDef is the lexer the grammar is built with.
var lexDef = lexer.MustSimple(lexRules)

// Token types, looked up once.
var (
	tComment    = lexDef.Symbols()["Comment"]
	tWhitespace = lexDef.Symbols()["Whitespace"]
	tString     = lexDef.Symbols()["String"]
	tBadString  = lexDef.Symbols()["BadString"]
	tNumber     = lexDef.Symbols()["Number"]
	tGlob       = lexDef.Symbols()["Glob"]
	tKeyword    = lexDef.Symbols()["Keyword"]
	tIdent      = lexDef.Symbols()["Ident"]
	tBadQuote   = lexDef.Symbols()["BadQuote"]
	tBad        = lexDef.Symbols()["Bad"]
)

// validNumber is the strict spelling of a number; the Number token is more generous so
// that "1e" or "2epochs" is one token with one clear error.
var validNumber = regexp.MustCompile(`^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$`)

// scanned is a lexed source: the tokens the parser sees (ending with EOF), the comments,
// and the lexical mistakes.
type scanned struct {
	src      []byte
	toks     []lexer.Token
	comments []*Comment
	errs     token.ErrorList
}

// scan lexes src. It never fails: malformed input becomes tokens plus errors.
func scan(filename string, src []byte) *scanned {
	s := &scanned{src: src}
	lx, err := lexDef.LexString(filename, string(src))
	if err != nil {
		s.toks = []lexer.Token{lexer.EOFToken(lexer.Position{Filename: filename, Line: 1, Column: 1})}
		return s
	}
	for {
		t, err := lx.Next()
		if err != nil {
			s.errs.Add(tokPos(t), "cannot read the recipe: %v", err)
			t = lexer.EOFToken(t.Pos)
		}
		if t.EOF() {
			s.toks = append(s.toks, t)
			return s
		}
		s.add(t)
	}
}

// add files one token: comments aside, whitespace dropped, the rest checked and kept.
func (s *scanned) add(t lexer.Token) {
	switch t.Type {
	case tWhitespace:
		return
	case tComment:
		s.comments = append(s.comments, &Comment{Pos: tokPos(t), Text: strings.TrimRight(t.Value, "\r")})
		return
	case tBadString:
		s.errs.Add(tokPos(t), "unterminated string: a string ends with \" on the same line")
	case tBad:
		s.errs.Add(tokPos(t), "%s", badCharMessage(t.Value))
	case tBadQuote:
		s.errs.Add(tokPos(t), "strings are written in double quotes, as in %s", quote(strings.Trim(t.Value, "'")))
	case tNumber:
		if msg := numberProblem(t.Value); msg != "" {
			s.errs.Add(tokPos(t), "%s", msg)
		}
	case tString:
		if _, off, msg := unquote(t.Value); msg != "" {
			p := tokPos(t)
			p.Offset += off
			p.Col += utf8.RuneCountInString(t.Value[:off])
			s.errs.Add(p, "%s", msg)
		}
	}
	s.toks = append(s.toks, t)
}

// tokPos converts a participle position; it is the one place where that happens.
func tokPos(t lexer.Token) token.Pos { return convPos(t.Pos) }

// convPos converts a participle position to a token.Pos.
func convPos(p lexer.Position) token.Pos {
	return token.Pos{File: p.Filename, Offset: p.Offset, Line: p.Line, Col: p.Column}
}

// badCharMessage explains a character that no token starts with.
func badCharMessage(c string) string {
	switch c {
	case "`":
		return fmt.Sprintf("unexpected character %q: strings are written in double quotes, as in \"train\"", c)
	case ";":
		return `unexpected character ";": statements need no separator, put each on its own line`
	case "\\":
		return `unexpected character "\\" outside a string`
	}
	if r, _ := utf8.DecodeRuneInString(c); r == utf8.RuneError {
		return fmt.Sprintf("invalid UTF-8 byte %q", c)
	}
	return fmt.Sprintf("unexpected character %q", c)
}

// numberProblem says what is wrong with the spelling of a number, or "" if nothing is.
func numberProblem(text string) string {
	if !validNumber.MatchString(text) {
		return badNumberMessage(text)
	}
	if _, err := strconv.ParseFloat(text, 64); err != nil {
		return fmt.Sprintf("number %s is too large", text)
	}
	return ""
}

// leadingNumber matches the longest valid number at the start of a malformed one.
var leadingNumber = regexp.MustCompile(`^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`)

func badNumberMessage(text string) string {
	num := leadingNumber.FindString(text)
	rest := text[len(num):]
	switch {
	case rest != "" && (rest[0] == 'e' || rest[0] == 'E') && strings.TrimLeft(rest[1:], "+-") == "":
		return fmt.Sprintf("invalid number %q: an exponent needs digits, as in 1e-3", text)
	case isName(rest):
		return fmt.Sprintf("invalid number %q: put a space between %s and %s", text, num, rest)
	}
	return fmt.Sprintf("invalid number %q", text)
}

// isName reports whether s is spelled like an identifier.
func isName(s string) bool {
	return s != "" && !(s[0] >= '0' && s[0] <= '9') && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

// unquote resolves the escapes of a double-quoted string token. On a bad escape it
// returns the byte offset of the backslash within quoted and a message.
func unquote(quoted string) (value string, off int, msg string) {
	var b bytes.Buffer
	s := quoted[1 : len(quoted)-1]
	for i := 0; i < len(s); {
		r, multi, tail, err := strconv.UnquoteChar(s[i:], '"')
		if err != nil {
			return "", i + 1, fmt.Sprintf(`unknown escape %s in string: use \" \\ \n or \t`, escapeAt(s[i:]))
		}
		if multi {
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r))
		}
		i = len(s) - len(tail)
	}
	return b.String(), 0, ""
}

// escapeAt returns the escape sequence at the start of s, for messages.
func escapeAt(s string) string {
	if len(s) < 2 {
		return s
	}
	_, n := utf8.DecodeRuneInString(s[1:])
	return s[:1+n]
}
