package check

import (
	"slices"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// checkRegularizer checks "regularize NAME on SELECTOR = PENALTY(...)" (PAPERS.md 2.4).
func (c *checker) checkRegularizer(d *syntax.Decl) {
	c.resolveModels()
	const form = "regularize sparsify on net.*.weight = l1_penalty(1e-4)"
	if d.On == nil {
		c.errorf(d.Name.NamePos, "regularize %s needs the parameters it penalises: %s", d.Name.Name, form)
		return
	}
	sel, _, ok := c.selectorOf(d.On, true)
	if !ok {
		return
	}
	call, isCall := d.Value.(*syntax.Call)
	if !isCall {
		c.errorf(d.Value.Pos(), "a regularizer is a penalty call, like %s; the penalties are %s", form, joinList(c.kindNames(sig.Regular)))
		return
	}
	v, _ := c.call(call, nil, &ctx{where: "regularize"})
	pen, ok := v.(*Call)
	if !ok {
		return
	}
	r := &Regularizer{Name: d.Name.Name, Pos: d.Name.NamePos, Selector: sel.(*Selector), Penalty: pen}
	r.Params = c.weightsOf(r.Selector.Matches)
	if name, ok := pen.Const["pruned_by"].(string); ok {
		r.PrunedBy = c.named[name].mask
		for _, w := range r.Params {
			if !slices.ContainsFunc(r.PrunedBy.Params, func(m WeightPath) bool { return m.Path == w.Path }) {
				c.errorf(pen.Arg("pruned_by").Pos(), "%s: mask %s does not cover %s, so it marks none of its weights for pruning", pen.Sig.Name, name, w.Path)
				return
			}
		}
	}
	c.r.Regularizers = append(c.r.Regularizers, r)
}

// maskName resolves an argument naming a declared mask.
func (c *checker) maskName(e syntax.Expr) (Value, typ, bool) {
	id, ok := e.(*syntax.Ident)
	nd := c.named[nameOf(e)]
	if !ok || nd == nil || nd.d.Keyword != "mask" {
		c.errorf(e.Pos(), "%s is not a declared mask%s", syntax.FormatExpr(e), suggest(nameOf(e), c.maskNames()))
		return nil, bad, false
	}
	if !c.resolveNamed(nd, id.NamePos) || nd.mask == nil {
		return nil, bad, false
	}
	return &Const{At: id.NamePos, V: id.Name}, typ{k: tString}, true
}
