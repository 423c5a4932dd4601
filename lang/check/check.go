// Package check resolves and checks a parsed recipe against the catalogue's signatures and
// produces a Recipe in which every name is resolved, every argument typed and every shape
// known. Every mistake becomes a positioned error; all of them are reported at once.
package check

import (
	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
)

// Check checks a parsed file. It returns the recipe only when there are no errors.
func Check(f *syntax.File, cat sig.Catalog) (*Recipe, token.ErrorList) {
	c := &checker{cat: cat, file: f, named: map[string]*decl{}, r: &Recipe{File: f.Name, Title: f.Title}}
	c.collect()
	c.resolveAll()
	c.checkTrain()
	c.checkDataParallel()
	c.checkDraws()
	c.checkTimes()
	c.errs.RemoveMultiples()
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return c.r, nil
}

// state of a named declaration during resolution, for cycle detection.
const (
	unresolved = iota
	resolving
	resolved
)

// decl is a named declaration (data, model, schedule) and what it resolved to.
type decl struct {
	d      *syntax.Decl
	state  int
	broken bool // the declaration itself was reported; its uses are not
	data   *Data
	model  *Model
	sched  *Schedule
	aug    *Augment
	mask   *Mask
}

type checker struct {
	cat   sig.Catalog
	file  *syntax.File
	r     *Recipe
	errs  token.ErrorList
	named map[string]*decl
	order []*decl // named declarations in source order
	loss  *syntax.Decl
	opt   *syntax.Decl
	train *syntax.Decl
	proc  *syntax.Decl
	chain []string  // names being resolved, for cycle messages
	times []timeUse // time constants to compare with the length of the run
	spans []*Call   // schedule calls whose from/until must be ordered
}

// timeUse is a time constant and where it was written.
type timeUse struct {
	pos token.Pos
	t   sig.TimeValue
}

func (c *checker) errorf(pos token.Pos, format string, args ...any) *token.Error {
	return c.errs.Add(pos, format, args...)
}

// declForms says which parts each declaration keyword takes.
var declForms = map[string]struct{ named, body bool }{
	"data":       {named: true},
	"model":      {named: true, body: true},
	"schedule":   {named: true},
	"loss":       {},
	"optimizer":  {},
	"train":      {body: true},
	"mask":       {named: true, body: true},
	"procedure":  {body: true},
	"augment":    {named: true},
	"regularize": {named: true},
	"block":      {named: true, body: true},
}

// collect sorts declarations by keyword and reports duplicates and malformed forms.
func (c *checker) collect() {
	for _, d := range c.file.Decls {
		form, ok := declForms[d.Keyword]
		if !ok {
			c.errorf(d.KeywordPos, "unknown declaration %s (a declaration starts with data, augment, block, model, schedule, mask, regularize, loss, optimizer, train or procedure)%s",
				d.Keyword, suggest(d.Keyword, keys(declForms)))
			c.addBroken(d)
			continue
		}
		if !c.checkForm(d, form.named, form.body) {
			continue
		}
		if form.named {
			c.addNamed(d)
			continue
		}
		c.addSingle(d)
	}
	c.requireSingles()
}

// checkForm reports a declaration written in the wrong shape.
func (c *checker) checkForm(d *syntax.Decl, named, body bool) bool {
	switch {
	case named && d.Name == nil:
		c.errorf(d.KeywordPos, "%s needs a name: %s", d.Keyword, formExample(d.Keyword))
	case !named && d.Name != nil:
		c.errorf(d.Name.NamePos, "%s takes no name: %s", d.Keyword, formExample(d.Keyword))
	case d.HasParams && d.Keyword != "block":
		c.errorf(d.Name.NamePos, "%s takes no parameters; only a block does: block res(ch) { ... }", d.Keyword)
	case d.On != nil && d.Keyword != "mask" && d.Keyword != "regularize":
		c.errorf(d.On.Pos(), "%s declarations take no \"on\" selector", d.Keyword)
	case body && !d.HasBody && d.Keyword != "model":
		c.errorf(d.KeywordPos, "%s is written with a body in braces: %s", d.Keyword, formExample(d.Keyword))
	case !body && d.HasBody:
		c.errorf(d.KeywordPos, "%s is written with \"=\": %s", d.Keyword, formExample(d.Keyword))
	default:
		return true
	}
	return false
}

func formExample(keyword string) string {
	return map[string]string{
		"data":       `data train = mnist(split: "train")`,
		"model":      "model net { h = dense(input(784), 100) |> relu ... } or model teacher = ema(net, decay: 0.999)",
		"schedule":   "schedule lr = cosine(0.1 -> 0)",
		"loss":       "loss = cross_entropy(net(train.x), train.y)",
		"optimizer":  "optimizer = sgd(lr: 0.1)",
		"train":      "train { epochs = 10 }",
		"mask":       "mask sparse on net.*.weight { init = random(sparsity: 0.9) }",
		"procedure":  "procedure { train(2 epochs) prune(sparse, to: 0.9) train(2 epochs) }",
		"augment":    "augment strong = noise(0.2) + shift(2) + cutout(8)",
		"regularize": "regularize sparsify on net.*.weight = l1_penalty(1e-4)",
		"block":      "block res(ch) { h = dense(input, ch) |> relu  out = input + dense(h, ch) }",
	}[keyword]
}

// addNamed registers a named declaration. Mask names never appear in expressions, so a
// mask may be named after its technique (mask rigl on ...); data sets are never called,
// so one may be named after a data transform (data unlabeled = ... |> unlabeled()).
func (c *checker) addNamed(d *syntax.Decl) {
	name := d.Name.Name
	if prev, ok := c.named[name]; ok {
		e := c.errorf(d.Name.NamePos, "%s is declared twice", name)
		e.Related = append(e.Related, token.Related{Pos: prev.d.Name.NamePos, Msg: "first declared here"})
		return
	}
	if s, ok := c.cat.Lookup(name); ok && d.Keyword != "mask" && d.Keyword != "regularize" && !(d.Keyword == "data" && s.Transform != nil) {
		c.errorf(d.Name.NamePos, "%s is the name of a built-in; choose another name", name)
		return
	}
	nd := &decl{d: d}
	c.named[name] = nd
	c.order = append(c.order, nd)
}

// addBroken records the name of a declaration that could not be checked, so that uses of
// the name are not reported again as unknown.
func (c *checker) addBroken(d *syntax.Decl) {
	if d.Name == nil || c.named[d.Name.Name] != nil {
		return
	}
	c.named[d.Name.Name] = &decl{d: d, state: resolved, broken: true}
}

func (c *checker) addSingle(d *syntax.Decl) {
	slot := map[string]**syntax.Decl{"loss": &c.loss, "optimizer": &c.opt, "train": &c.train, "procedure": &c.proc}[d.Keyword]
	if *slot != nil {
		e := c.errorf(d.KeywordPos, "a recipe has one %s declaration; this is the second", d.Keyword)
		e.Related = append(e.Related, token.Related{Pos: (*slot).KeywordPos, Msg: "the first is here"})
		return
	}
	*slot = d
}

// requireSingles reports a missing loss, optimizer or train declaration.
func (c *checker) requireSingles() {
	at := c.file.TitlePos
	if !at.IsValid() {
		at = token.Pos{File: c.file.Name, Line: 1, Col: 1}
	}
	for _, k := range []string{"loss", "optimizer", "train"} {
		d := map[string]*syntax.Decl{"loss": c.loss, "optimizer": c.opt, "train": c.train}[k]
		if d == nil {
			c.errorf(at, "the recipe has no %s declaration; add one, for example: %s", k, formExample(k))
		}
	}
}

// resolveAll resolves every declaration; named ones are resolved on first use too.
func (c *checker) resolveAll() {
	for _, nd := range c.order {
		c.resolveNamed(nd, nd.d.Name.NamePos)
	}
	if c.loss != nil {
		c.checkLoss(c.loss)
	}
	if c.opt != nil {
		c.checkOptimizer(c.opt)
	}
	if c.proc != nil {
		c.checkProcedure(c.proc)
	}
	if !c.procFailed() {
		c.checkMasksPrune()
	}
	c.checkMasksUsed()
}

// procFailed reports a procedure that was declared but did not check; what depends on
// it (the length of the run, which masks it prunes) is then not reported again.
func (c *checker) procFailed() bool { return c.proc != nil && c.r.Procedure == nil }

// resolveNamed resolves one named declaration, reporting a cycle at ref if it is reached
// again while it is being resolved.
func (c *checker) resolveNamed(nd *decl, ref token.Pos) bool {
	switch nd.state {
	case resolved:
		return true
	case resolving:
		c.cycle(nd.d.Name.Name, ref)
		return false
	}
	nd.state = resolving
	c.chain = append(c.chain, nd.d.Name.Name)
	switch nd.d.Keyword {
	case "data":
		nd.data = c.checkData(nd.d)
	case "model":
		nd.model = c.checkModel(nd.d)
	case "schedule":
		nd.sched = c.checkSchedule(nd.d)
	case "mask":
		nd.mask = c.checkMask(nd.d)
	case "regularize":
		c.checkRegularizer(nd.d)
	case "block":
		c.checkBlockDecl(nd.d)
	case "augment":
		nd.aug = c.checkAugment(nd.d)
	}
	c.chain = c.chain[:len(c.chain)-1]
	nd.state = resolved
	return true
}

// visible returns the declaration a name means inside an expression; masks are not
// visible there. A declaration already reported as broken yields ok with nd nil, so its
// uses are not reported again.
func (c *checker) visible(name string) (nd *decl, ok bool) {
	nd, ok = c.named[name]
	switch {
	case !ok || nd.d.Keyword == "mask" || nd.d.Keyword == "regularize":
		return nil, false
	case nd.broken:
		return nil, true
	}
	return nd, true
}

// cycle reports a reference back to a name that is still being resolved.
func (c *checker) cycle(name string, pos token.Pos) {
	start := 0
	for i, n := range c.chain {
		if n == name {
			start = i
		}
	}
	path := append(append([]string(nil), c.chain[start:]...), name)
	c.errorf(pos, "%s refers to itself through %s", name, joinArrow(path))
}
