package check

import (
	"fmt"
	"strings"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
)

// maskKeys are the settings of a mask body: the kind of entry each takes, or a value
// type for the settings that are not calls.
var maskKeys = map[string]sig.Kind{
	"init":     sig.MaskInit,
	"prune":    sig.Criterion,
	"regrow":   sig.Regrow,
	"pruned":   sig.Pruned,
	"sparsity": "",
}

// maskDefaults are the calls a mask uses for settings it leaves out.
var maskDefaults = map[string]string{"prune": "magnitude", "pruned": "zero"}

// checkMask checks "mask NAME on SELECTOR { ... }" (PAPERS.md 2.1, 2.2 S1, 2.5 RP1).
func (c *checker) checkMask(d *syntax.Decl) *Mask {
	c.resolveModels()
	m := &Mask{Name: d.Name.Name, Pos: d.Name.NamePos}
	if d.On == nil {
		c.errorf(d.Name.NamePos, "mask %s needs the parameters it prunes: mask %s on net.*.weight { ... }", m.Name, m.Name)
		return nil
	}
	sel, _, ok := c.selectorOf(d.On, true)
	if !ok {
		return nil
	}
	m.Selector = sel.(*Selector)
	m.Params = c.weightsOf(m.Selector.Matches)
	seen := map[string]token.Pos{}
	for _, st := range d.Body {
		if !c.maskSetting(m, st, seen) {
			return nil
		}
	}
	if !c.maskDefaultsAndRules(m, d) {
		return nil
	}
	c.r.Masks = append(c.r.Masks, m)
	return m
}

// resolveModels resolves every model first, so selectors see all parameters.
func (c *checker) resolveModels() {
	for _, nd := range c.order {
		if nd.d.Keyword == "model" {
			c.resolveNamed(nd, nd.d.Name.NamePos)
		}
	}
}

// weightsOf returns the weights with the given paths.
func (c *checker) weightsOf(paths []string) []WeightPath {
	var out []WeightPath
	for _, m := range c.r.Models {
		for _, w := range m.Weights {
			for _, p := range paths {
				if p == w.Path {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// maskSetting checks one "key = value" of a mask body.
func (c *checker) maskSetting(m *Mask, st syntax.Stmt, seen map[string]token.Pos) bool {
	a, ok := st.(*syntax.Assign)
	if !ok {
		c.errorf(st.Pos(), "a mask body holds settings like init = random(sparsity: 0.9)")
		return false
	}
	key := a.Name.Name
	kind, known := maskKeys[key]
	if !known {
		c.errorf(a.Name.NamePos, "unknown mask setting %s (the settings are %s)%s", key, joinList(keys(maskKeys)), suggest(key, keys(maskKeys)))
		return false
	}
	if prev, dup := seen[key]; dup {
		e := c.errorf(a.Name.NamePos, "%s is set twice in mask %s", key, m.Name)
		e.Related = append(e.Related, token.Related{Pos: prev, Msg: "first set here"})
		return false
	}
	seen[key] = a.Name.NamePos
	if key == "sparsity" {
		return c.maskSparsity(m, a.Value)
	}
	call := c.maskCall(a.Value, kind)
	*map[string]**Call{"init": &m.Init, "prune": &m.Prune, "regrow": &m.Regrow, "pruned": &m.Pruned}[key] = call
	return call != nil
}

// maskCall checks a call (or a bare name, as a call without arguments) of an entry of
// the given kind.
func (c *checker) maskCall(e syntax.Expr, kind sig.Kind) *Call {
	if id, ok := e.(*syntax.Ident); ok {
		e = &syntax.Call{Fun: id, Lparen: id.NamePos, Rparen: id.NamePos}
	}
	call, ok := e.(*syntax.Call)
	if !ok {
		c.errorf(e.Pos(), "expected a %s such as %s", kind, joinList(c.kindNames(kind)))
		return nil
	}
	if id, ok := call.Fun.(*syntax.Ident); ok {
		s, found := c.cat.Lookup(id.Name)
		switch {
		case !found:
			c.errorf(id.NamePos, "unknown %s %s (the choices are %s)%s", kind, id.Name, joinList(c.kindNames(kind)), suggest(id.Name, c.kindNames(kind)))
			return nil
		case s.Kind != kind:
			c.errorf(id.NamePos, "%s is a %s, but this setting takes a %s: %s", id.Name, s.Kind, kind, joinList(c.kindNames(kind)))
			return nil
		}
	}
	v, _ := c.call(call, nil, &ctx{where: string(kind)})
	cl, _ := v.(*Call)
	return cl
}

// maskSparsity checks the target sparsity over time: a number or schedule whose
// values all lie in [0, 1).
func (c *checker) maskSparsity(m *Mask, e syntax.Expr) bool {
	v, t := c.expr(e, &ctx{where: "schedule"})
	if t.k == tBad {
		return false
	}
	if t.k != tNumber && t.k != tScalar {
		c.errorf(e.Pos(), "sparsity must be a number or a schedule such as cubic(0 -> 0.9), not a %s", t)
		return false
	}
	if !c.inRange(e, v, "sparsity", belowOne, ": a sparsity of 1 would prune every weight") {
		return false
	}
	m.Sparsity = v
	return true
}

// belowOne accepts a sparsity: [0, 1).
func belowOne(v any) string {
	if f, ok := v.(float64); ok && (f < 0 || f >= 1) {
		return fmt.Sprintf("must be at least 0 and less than 1, got %s", constText(f))
	}
	return ""
}

// maskDefaultsAndRules fills defaults and reports settings that contradict each other.
func (c *checker) maskDefaultsAndRules(m *Mask, d *syntax.Decl) bool {
	for key, name := range maskDefaults {
		slot := map[string]**Call{"prune": &m.Prune, "pruned": &m.Pruned}[key]
		if *slot == nil {
			id := &syntax.Ident{NamePos: d.Name.NamePos, Name: name}
			if *slot = c.maskCall(id, maskKeys[key]); *slot == nil {
				return false
			}
		}
	}
	switch {
	case m.Init != nil && m.Init.Sig.Name == "nm" && m.Sparsity != nil:
		c.errorf(m.Sparsity.Pos(), "an N:M mask keeps n of every m weights, so it takes no sparsity schedule")
	case m.Regrow != nil && m.Sparsity != nil:
		c.errorf(m.Regrow.At, "regrow keeps the number of weights constant, so it cannot follow a sparsity schedule; start sparse with init instead")
	case m.Regrow != nil && m.Init == nil:
		c.errorf(m.Regrow.At, "regrow needs a sparse start: add init = random(sparsity: ...)")
	default:
		return c.initFits(m) && c.maskOverlaps(m)
	}
	return false
}

// initFits reports an init whose groups do not fit a selected weight: N:M groups along
// an input dimension that is not a multiple of M, or b×b blocks over a weight that is
// not a matrix.
func (c *checker) initFits(m *Mask) bool {
	if m.Init == nil {
		return true
	}
	for _, w := range m.Params {
		shape := groupShape(w)
		switch m.Init.Sig.Name {
		case "nm":
			groups, in := m.Init.Const.Int("m"), 0
			if len(shape) > 1 {
				in = shape[1]
			}
			if in%groups != 0 {
				c.errorf(m.Init.At, "nm: groups of %d run along the input dimension, but %s %s has %d inputs, not a multiple of %d",
					groups, w.Path, w.Shape, in, groups)
				return false
			}
		case "block":
			if len(shape) != 2 {
				c.errorf(m.Init.At, "block: blocks tile a matrix [out in], but %s %s is not one; select dense or mixture-of-experts weights",
					w.Path, w.Shape)
				return false
			}
		}
	}
	return true
}

// groupShape is the shape N:M and block masks group a weight by: its own, or for a
// stack of layers [E out in ...] one layer with the stacked outputs one after another,
// [E·out in ...] (runtime/sparse.GroupShape, which the runtime uses).
func groupShape(w WeightPath) sig.Shape {
	if w.Stack <= 1 || len(w.Shape) < 3 {
		return w.Shape
	}
	return append(sig.Shape{w.Shape[0] * w.Shape[1]}, w.Shape[2:]...)
}

// maskOverlaps reports a parameter claimed by two masks.
func (c *checker) maskOverlaps(m *Mask) bool {
	for _, other := range c.r.Masks {
		for _, p := range m.Selector.Matches {
			for _, q := range other.Selector.Matches {
				if p == q {
					e := c.errorf(m.Selector.At, "mask %s and mask %s both select %s; a parameter has at most one mask", m.Name, other.Name, p)
					e.Related = append(e.Related, token.Related{Pos: other.Selector.At, Msg: fmt.Sprintf("mask %s selects it here", other.Name)})
					return false
				}
			}
		}
	}
	return true
}

// checkMasksPrune reports masks that nothing prunes: no init, no sparsity, and no
// procedure step that prunes them.
func (c *checker) checkMasksPrune() {
	for _, m := range c.r.Masks {
		if m.Init == nil && m.Sparsity == nil && !prunes(c.r.Procedure, m) {
			c.errorf(m.Pos, "mask %s prunes nothing: give it an init (like init = random(sparsity: 0.9)), a sparsity schedule, or a procedure step prune(%s, ...)", m.Name, m.Name)
		}
	}
}

func prunes(steps []*Step, m *Mask) bool {
	for _, s := range steps {
		if (s.Op == "prune" && s.Mask == m) || prunes(s.Body, m) {
			return true
		}
	}
	return false
}

// changesWhileTraining reports whether a mask changes during training steps: it regrows,
// follows a changing sparsity, shrinks, or recomputes N:M groups from dense weights.
func changesWhileTraining(m *Mask) bool {
	_, constSparsity := m.Sparsity.(*Const)
	nmFollows := m.Init != nil && m.Init.Sig.Name == "nm" && m.Pruned.Sig.Name != "zero"
	return m.Regrow != nil || (m.Sparsity != nil && !constSparsity) || m.Pruned.Sig.Name == "shrink" || nmFollows
}

// checkMasksUsed reports a mask over the weights of a model the loss never applies: those
// weights are never trained, so the mask could only mislead.
func (c *checker) checkMasksUsed() {
	if c.r.Loss == nil {
		return
	}
	used := map[string]bool{}
	modelsIn(c.r.Loss, used)
	for _, m := range c.r.Masks {
		for _, w := range m.Params {
			model, _, _ := strings.Cut(w.Path, ".")
			if !used[model] {
				c.errorf(m.Selector.At, "mask %s selects %s, but the loss never applies model %s, so its weights are not trained", m.Name, w.Path, model)
				break
			}
		}
	}
}

// modelsIn collects the names of the models an expression applies.
func modelsIn(v Value, used map[string]bool) {
	Walk(v, func(v Value) bool {
		if m, ok := v.(*ModelCall); ok {
			used[m.Model.Name] = true
		}
		return false
	})
}
