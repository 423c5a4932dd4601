package roux

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
	"github.com/roux-ml/roux/stdlib"
)

// Recipe is a checked recipe, ready to run.
type Recipe struct {
	*check.Recipe
	Source []byte
	Hash   string // sha256 of the source, after overrides
}

// RecipeError is every mistake found in a recipe, with the sources needed to print
// each one with its line and a caret.
type RecipeError struct {
	Errors  token.ErrorList
	Sources map[string][]byte
}

func (e *RecipeError) Error() string { return e.Errors.Error() }

// Print formats every error as file:line:col: message, with the source line and a caret.
func (e *RecipeError) Print() string { return e.Errors.Print(e.Sources) }

// Load reads, parses and checks a recipe file. Each override is "path=value", as in
// `roux run --set train.epochs=1`, and is checked like recipe text.
func Load(filename string, overrides ...string) (*Recipe, error) {
	src, err := os.ReadFile(filename)
	if err != nil {
		return nil, err
	}
	return Compile(filename, src, overrides...)
}

// Compile parses and checks recipe text; the returned error is a *RecipeError when the
// recipe has mistakes.
func Compile(filename string, src []byte, overrides ...string) (*Recipe, error) {
	sources := map[string][]byte{filename: src}
	f, errs := syntax.Parse(filename, src)
	for _, o := range overrides {
		errs = append(errs, applyOverride(f, o, sources)...)
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, &RecipeError{Errors: errs, Sources: sources}
	}
	r, errs := check.Check(f, stdlib.Default)
	if len(errs) > 0 {
		return nil, &RecipeError{Errors: errs, Sources: sources}
	}
	sum := sha256.Sum256(syntax.Format(f))
	return &Recipe{Recipe: r, Source: src, Hash: hex.EncodeToString(sum[:])}, nil
}

// AsRecipeError returns the recipe errors inside err, if any.
func AsRecipeError(err error) (*RecipeError, bool) {
	var re *RecipeError
	ok := errors.As(err, &re)
	return re, ok
}

// applyOverride sets one "path=value" in the parsed file. The path is train.KEY,
// optimizer.ARG, NAME (a data or schedule declaration) or NAME.ARG (an argument of its call).
func applyOverride(f *syntax.File, o string, sources map[string][]byte) token.ErrorList {
	name := "--set " + o
	path, value, ok := strings.Cut(o, "=")
	pos := token.Pos{File: name, Line: 1, Col: 1}
	var errs token.ErrorList
	if !ok {
		errs.Add(pos, "an override is written path=value, like train.epochs=1")
		return errs
	}
	path = strings.TrimSpace(path)
	src := []byte(strings.Repeat(" ", len(path)+1) + value)
	sources[name] = []byte(o)
	e, perrs := syntax.ParseExpr(name, src)
	if len(perrs) > 0 {
		return perrs
	}
	if msg := setPath(f, path, e); msg != "" {
		errs.Add(pos, "%s", msg)
	}
	return errs
}

// setPath puts an expression at a path of the file, or says why it cannot. A path starts
// with train, optimizer or loss, or with the name of a data or schedule declaration,
// optionally after its keyword (data.train.split picks the data set named train).
func setPath(f *syntax.File, path string, e syntax.Expr) string {
	d, arg, hasArg := resolvePath(f, path)
	switch {
	case d == nil:
		return fmt.Sprintf("%s names no declaration; override train.SETTING, optimizer.ARGUMENT, or a data or schedule by name", path)
	case d.HasBody && hasArg:
		setAssign(d, arg, e)
	case !hasArg && !d.HasBody:
		d.Value = e
	case hasArg && !d.HasBody:
		call, ok := d.Value.(*syntax.Call)
		if !ok {
			return fmt.Sprintf("%s is not a call, so it has no argument %s", strings.TrimSuffix(path, "."+arg), arg)
		}
		setArg(call, arg, e)
	default:
		return fmt.Sprintf("%s has a body; override one of its settings, like %s.NAME=VALUE", path, path)
	}
	return ""
}

// resolvePath finds the declaration a path starts with and the argument after it.
func resolvePath(f *syntax.File, path string) (d *syntax.Decl, arg string, hasArg bool) {
	head, rest, more := strings.Cut(path, ".")
	if d := findDecl(f, func(d *syntax.Decl) bool { return d.Name == nil && d.Keyword == head }); d != nil {
		return d, rest, more
	}
	if more {
		name, arg, hasArg := strings.Cut(rest, ".")
		if d := findDecl(f, func(d *syntax.Decl) bool { return d.Keyword == head && d.Name != nil && d.Name.Name == name }); d != nil {
			return d, arg, hasArg
		}
	}
	return findDecl(f, func(d *syntax.Decl) bool { return d.Name != nil && d.Name.Name == head }), rest, more
}

func findDecl(f *syntax.File, match func(*syntax.Decl) bool) *syntax.Decl {
	for _, d := range f.Decls {
		if match(d) {
			return d
		}
	}
	return nil
}

func setAssign(d *syntax.Decl, key string, e syntax.Expr) {
	for _, st := range d.Body {
		if a, ok := st.(*syntax.Assign); ok && a.Name.Name == key {
			a.Value = e
			return
		}
	}
	d.Body = append(d.Body, &syntax.Assign{Name: &syntax.Ident{NamePos: e.Pos(), Name: key}, Value: e})
}

func setArg(call *syntax.Call, name string, e syntax.Expr) {
	for _, a := range call.Args {
		if a.Name != nil && a.Name.Name == name {
			a.Value = e
			return
		}
	}
	call.Args = append(call.Args, &syntax.Arg{Name: &syntax.Ident{NamePos: e.Pos(), Name: name}, Value: e})
}
