package check

import (
	"math"
	"path"
	"strings"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// arg checks one argument against its parameter; e is nil for an omitted optional
// argument, which takes the parameter's default. Constant values are stored in call.Const.
func (c *checker) arg(p *sig.Param, e syntax.Expr, call *Call, cx *ctx) (Value, typ, bool) {
	if e == nil {
		if p.Default == nil {
			return nil, typ{}, true
		}
		call.Const[p.Name] = p.Default
		return &Const{At: call.At, V: p.Default}, typ{}, true
	}
	v, t, ok := c.argValue(p, e, cx)
	if !ok {
		return nil, bad, false
	}
	if k, isConst := v.(*Const); isConst {
		if msg := checkValue(p, k.V); msg != "" {
			c.errorf(e.Pos(), "%s: %s %s", call.Sig.Name, p.Name, msg)
			return nil, bad, false
		}
		call.Const[p.Name] = k.V
	} else if p.Type == sig.Scalar && p.Check != nil && !c.inRange(e, v, call.Sig.Name+": "+p.Name, p.Check, "") {
		return nil, bad, false
	}
	if l, isList := v.(*List); isList {
		call.Const[p.Name] = listConsts(l)
	}
	return v, t, true
}

// checkValue applies a parameter's own check to a constant.
func checkValue(p *sig.Param, v any) string {
	if p.Check == nil {
		return ""
	}
	return p.Check(v)
}

// argValue checks an argument expression against the parameter's type.
func (c *checker) argValue(p *sig.Param, e syntax.Expr, cx *ctx) (Value, typ, bool) {
	switch p.Type {
	case sig.Enum:
		return c.enumArg(p, e)
	case sig.Selector:
		return c.selectorOf(e, false)
	case sig.MaskName:
		return c.maskName(e)
	case sig.Scalar:
		cx = &ctx{where: "schedule"}
	}
	v, t := c.expr(e, cx)
	if t.k == tBad {
		return nil, bad, false
	}
	if ok, hint := fits(p, t, v); !ok {
		c.errorf(e.Pos(), "%s must be %s, but this is a %s%s", p.Name, article(p), t, hint)
		return nil, bad, false
	}
	return v, t, true
}

// fits reports whether a value of type t fits parameter p; when it does not, hint may
// add advice to the message.
func fits(p *sig.Param, t typ, v Value) (ok bool, hint string) {
	switch p.Type {
	case sig.Number:
		return t.k == tNumber, ""
	case sig.Int:
		if t.k == tNumber {
			f := v.(*Const).V.(float64)
			return f == math.Trunc(f), " with a fraction"
		}
	case sig.Scalar:
		return t.k == tNumber || t.k == tScalar, ""
	case sig.Time:
		if t.k == tNumber {
			return false, "; a time needs a unit, like 100 steps, 2 epochs or 25%"
		}
		return t.k == tTime, ""
	case sig.Tensor:
		return t.k == tTensor, ""
	case sig.Labels:
		return t.k == tLabels, ""
	case sig.Dataset:
		cl, ok := v.(*Call)
		return ok && cl.Sig.Kind == sig.Data, ""
	case sig.String, sig.Bool, sig.Range, sig.List:
		want := map[sig.Type]kindT{sig.String: tString, sig.Bool: tBool, sig.Range: tRange, sig.List: tList}[p.Type]
		return t.k == want, ""
	}
	return false, ""
}

// article writes "a number", "a tensor", ...
func article(p *sig.Param) string {
	s := p.Type.String()
	if strings.HasPrefix(s, "true") || strings.HasPrefix(s, "class labels") {
		return s
	}
	return withArticle(s)
}

// withArticle writes "a layer", "an op", ...
func withArticle(s string) string {
	if strings.ContainsAny(s[:1], "aeiou") {
		return "an " + s
	}
	return "a " + s
}

// enumArg checks a bare name against the parameter's allowed names.
func (c *checker) enumArg(p *sig.Param, e syntax.Expr) (Value, typ, bool) {
	name := ""
	switch e := e.(type) {
	case *syntax.Ident:
		name = e.Name
	case *syntax.String:
		name = e.Value
	}
	for _, ok := range p.Enum {
		if name == ok {
			return &Const{At: e.Pos(), V: name}, typ{k: tString}, true
		}
	}
	c.errorf(e.Pos(), "%s must be one of %s, not %s%s", p.Name, joinList(p.Enum), syntax.FormatExpr(e), suggest(name, p.Enum))
	return nil, bad, false
}

// selectorOf resolves a parameter selector such as net.*.weight against every model's
// weights. A selector matches a parameter when it matches all of the parameter's path
// segments, or a prefix of them (net.h1 selects net.h1.weight and net.h1.bias); ** stands
// for any number of segments (net.**.weight). For a
// mask, one-dimensional parameters (biases, normalisation scales) are left out unless
// the selector names them in full, without a glob.
func (c *checker) selectorOf(e syntax.Expr, forMask bool) (Value, typ, bool) {
	pattern, ok := selectorText(e)
	if !ok {
		c.errorf(e.Pos(), "expected a parameter selector like net.*.weight, found %s", syntax.FormatExpr(e))
		return nil, bad, false
	}
	var matches, all, left []string
	for _, m := range c.r.Models {
		for _, w := range m.Weights {
			all = append(all, w.Path)
			switch {
			case !selectorMatches(pattern, w.Path):
			case forMask && len(w.Shape) == 1 && pattern != w.Path:
				left = append(left, w.Path)
			default:
				matches = append(matches, w.Path)
			}
		}
	}
	if len(matches) == 0 && len(left) > 0 {
		c.errorf(e.Pos(), "selector %s matches only one-dimensional parameters (%s), which masks leave out unless named in full, like mask m on %s", pattern, joinList(left), left[0])
		return nil, bad, false
	}
	if len(matches) == 0 {
		c.errorf(e.Pos(), "selector %s matches no parameter; the parameters are %s", pattern, joinList(all))
		return nil, bad, false
	}
	return &Selector{At: e.Pos(), Pattern: pattern, Matches: matches}, typ{k: tString}, true
}

func selectorText(e syntax.Expr) (string, bool) {
	switch e := e.(type) {
	case *syntax.Ident:
		return e.Name, true
	case *syntax.Select:
		x, ok := selectorText(e.X)
		return x + "." + e.Sel.Name, ok
	}
	return "", false
}

func selectorMatches(pattern, p string) bool {
	return segmentsMatch(strings.Split(pattern, "."), strings.Split(p, "."))
}

// segmentsMatch matches selector segments against path segments: a glob per segment,
// ** for any number of segments (net.**.weight reaches into blocks), and a pattern
// that runs out first matches everything below it.
func segmentsMatch(ps, segs []string) bool {
	if len(ps) == 0 {
		return true
	}
	if ps[0] == "**" {
		for k := range len(segs) + 1 {
			if segmentsMatch(ps[1:], segs[k:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	ok, err := path.Match(ps[0], segs[0])
	return err == nil && ok && segmentsMatch(ps[1:], segs[1:])
}

// listConsts returns a list's constant elements.
func listConsts(l *List) []any {
	out := make([]any, len(l.Elems))
	for i, e := range l.Elems {
		if k, ok := e.(*Const); ok {
			out[i] = k.V
		}
	}
	return out
}
