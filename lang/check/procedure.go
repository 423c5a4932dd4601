package check

import (
	"math"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
	"github.com/roux-ml/roux/lang/token"
)

// Step is one step of a procedure (PAPERS.md 2.8 P1–P3, M5): train for a while, save or
// rewind the weights, prune, lift or harden a mask, repeat a block, or train a soup of
// copies and average them.
type Step struct {
	Pos   token.Pos
	Op    string        // train, save, rewind, prune, unmask, harden, repeat, soup
	Time  sig.TimeValue // train: how long
	LR    Value         // train: a learning-rate schedule for this phase only, or nil
	Name  string        // save, rewind: the snapshot
	Mask  *Mask         // prune, unmask, harden
	To    float64       // prune: target sparsity (when By is 0)
	By    float64       // prune: share of the remaining weights to remove
	Count int           // repeat, soup
	Body  []*Step       // repeat, soup
}

// procSteps are the steps a procedure may take, with an example for messages.
var procSteps = map[string]string{
	"train": "train(5 epochs)", "save": "save(start)", "rewind": "rewind(start)",
	"prune": "prune(imp, by: 0.2) or prune(imp, to: 0.9)", "unmask": "unmask(sparse)", "harden": "harden(soft)",
	"repeat": "repeat(3) { ... }", "soup": "soup(3) { train(2 epochs) }",
}

// checkProcedure checks "procedure { STEP... }".
func (c *checker) checkProcedure(d *syntax.Decl) {
	c.resolveMasks()
	saved := map[string]bool{}
	steps := c.procBody(d.Body, saved, "")
	if steps == nil {
		return
	}
	if !hasTrain(steps) {
		c.errorf(d.KeywordPos, "the procedure never trains; add a step like train(5 epochs)")
		return
	}
	if soup := findOp(steps, "soup"); soup != nil {
		for _, m := range c.r.Masks {
			if changesWhileTraining(m) {
				e := c.errorf(soup.Pos, "a soup averages copies that share one mask, but mask %s changes while it trains (it regrows, follows a sparsity schedule, shrinks or recomputes N:M groups)", m.Name)
				e.Related = append(e.Related, token.Related{Pos: m.Pos, Msg: "mask " + m.Name})
				return
			}
		}
	}
	c.r.Procedure = steps
}

func findOp(steps []*Step, op string) *Step {
	for _, s := range steps {
		if s.Op == op {
			return s
		}
		if f := findOp(s.Body, op); f != nil {
			return f
		}
	}
	return nil
}

// resolveMasks resolves every mask first, so steps can name them.
func (c *checker) resolveMasks() {
	for _, nd := range c.order {
		if nd.d.Keyword == "mask" || nd.d.Keyword == "model" {
			c.resolveNamed(nd, nd.d.Name.NamePos)
		}
	}
}

func hasTrain(steps []*Step) bool {
	for _, s := range steps {
		if s.Op == "train" || hasTrain(s.Body) {
			return true
		}
	}
	return false
}

// procBody checks a list of steps; inside names the enclosing block ("soup" restricts
// what may happen inside). It returns nil after an error.
func (c *checker) procBody(body []syntax.Stmt, saved map[string]bool, inside string) []*Step {
	var out []*Step
	ok := true
	for _, st := range body {
		cs, isCall := st.(*syntax.CallStmt)
		if !isCall {
			c.errorf(st.Pos(), "a procedure is a list of steps like train(5 epochs), prune(imp, by: 0.2) or repeat(3) { ... }")
			ok = false
			continue
		}
		s := c.procStep(cs, saved, inside)
		ok = ok && s != nil
		out = append(out, s)
	}
	if !ok {
		return nil
	}
	return out
}

// procStep checks one step.
func (c *checker) procStep(cs *syntax.CallStmt, saved map[string]bool, inside string) *Step {
	id, _ := cs.Call.Fun.(*syntax.Ident)
	if id == nil {
		c.errorf(cs.Pos(), "a procedure step starts with its name, like train(5 epochs)")
		return nil
	}
	if _, known := procSteps[id.Name]; !known {
		c.errorf(id.NamePos, "unknown procedure step %s (the steps are %s)%s", id.Name, joinList(keys(procSteps)), suggest(id.Name, keys(procSteps)))
		return nil
	}
	if inside == "soup" && id.Name != "train" {
		c.errorf(id.NamePos, "a soup trains copies that share one mask and then averages them, so inside soup(...) only train(...) may appear")
		return nil
	}
	wantsBody := id.Name == "repeat" || id.Name == "soup"
	if cs.HasBody != wantsBody {
		c.errorf(id.NamePos, "%s is written %s", id.Name, procSteps[id.Name])
		return nil
	}
	args, ok := c.procArgs(cs.Call, id.Name)
	if !ok {
		return nil
	}
	s := &Step{Pos: id.NamePos, Op: id.Name}
	if !c.procFill(s, args, saved) {
		return nil
	}
	if wantsBody {
		if s.Body = c.procBody(cs.Body, saved, id.Name); s.Body == nil {
			return nil
		}
	}
	return s
}

// procArgs splits a step's arguments into positional and named ones, checking names.
func (c *checker) procArgs(call *syntax.Call, op string) (map[string]syntax.Expr, bool) {
	allowed := map[string][]string{"train": {"", "lr"}, "prune": {"", "to", "by"}}[op]
	if allowed == nil {
		allowed = []string{""}
	}
	args := map[string]syntax.Expr{}
	for i, a := range call.Args {
		name := ""
		if a.Name != nil {
			name = a.Name.Name
		}
		if !contains(allowed, name) || (name == "" && i > 0) {
			c.errorf(a.Value.Pos(), "%s is written %s", op, procSteps[op])
			return nil, false
		}
		args[name] = a.Value
	}
	if args[""] == nil {
		c.errorf(call.Rparen, "%s is written %s", op, procSteps[op])
		return nil, false
	}
	return args, true
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// procFill checks a step's arguments against what its operation takes.
func (c *checker) procFill(s *Step, args map[string]syntax.Expr, saved map[string]bool) bool {
	first := args[""]
	switch s.Op {
	case "train":
		return c.procTrain(s, first, args["lr"])
	case "save", "rewind":
		return c.procSnapshot(s, first, saved)
	case "prune", "unmask", "harden":
		return c.procMask(s, first, args)
	}
	return c.procCount(s, first)
}

func (c *checker) procTrain(s *Step, e, lr syntax.Expr) bool {
	t, ok := e.(*syntax.Time)
	if !ok || (t.Unit != "epochs" && t.Unit != "steps") || !(t.Amount > 0) {
		c.errorf(e.Pos(), "train takes how long to train, in epochs or steps, like train(5 epochs)")
		return false
	}
	s.Time = sig.TimeValue{Amount: t.Amount, Unit: t.Unit}
	if lr != nil {
		v, ty := c.expr(lr, &ctx{where: "schedule"})
		if ty.k != tNumber && ty.k != tScalar {
			if ty.k != tBad {
				c.errorf(lr.Pos(), "lr must be a number or schedule, but this is a %s", ty)
			}
			return false
		}
		s.LR = v
	}
	return true
}

func (c *checker) procSnapshot(s *Step, e syntax.Expr, saved map[string]bool) bool {
	id, ok := e.(*syntax.Ident)
	if !ok {
		c.errorf(e.Pos(), "%s takes the name of a snapshot, like %s", s.Op, procSteps[s.Op])
		return false
	}
	s.Name = id.Name
	if s.Op == "save" {
		saved[id.Name] = true
		return true
	}
	if !saved[id.Name] {
		c.errorf(id.NamePos, "rewind(%s) comes before any save(%s)", id.Name, id.Name)
		return false
	}
	return true
}

// procMask checks prune, unmask and harden: the mask they act on and prune's amount.
func (c *checker) procMask(s *Step, e syntax.Expr, args map[string]syntax.Expr) bool {
	id, ok := e.(*syntax.Ident)
	var m *Mask
	if ok {
		for _, x := range c.r.Masks {
			if x.Name == id.Name {
				m = x
			}
		}
	}
	if m == nil {
		c.errorf(e.Pos(), "%s needs a declared mask, like %s%s", s.Op, procSteps[s.Op], suggest(nameOf(e), c.maskNames()))
		return false
	}
	s.Mask = m
	switch {
	case s.Op == "harden" && m.Pruned.Sig.Name != "shrink":
		c.errorf(e.Pos(), "harden ends ISS-P's soft phase, but mask %s does not shrink (pruned = shrink(...))", m.Name)
		return false
	case s.Op == "prune":
		return c.procAmount(s, args)
	}
	return true
}

func (c *checker) maskNames() []string {
	var out []string
	for _, m := range c.r.Masks {
		out = append(out, m.Name)
	}
	return out
}

// procAmount checks prune's to: (a sparsity) or by: (a share of what remains).
func (c *checker) procAmount(s *Step, args map[string]syntax.Expr) bool {
	to, by := args["to"], args["by"]
	if (to == nil) == (by == nil) {
		c.errorf(s.Pos, "prune takes either to: (the sparsity to reach) or by: (the share of the remaining weights to remove)")
		return false
	}
	e, dst := to, &s.To
	if by != nil {
		e, dst = by, &s.By
	}
	v, t := c.expr(e, &ctx{where: "schedule"})
	f, isNum := 0.0, t.k == tNumber
	if isNum {
		f = v.(*Const).V.(float64)
	}
	if !isNum || f < 0 || f >= 1 || (by != nil && f == 0) {
		if t.k != tBad {
			c.errorf(e.Pos(), "prune's amount is a number in [0, 1), like 0.2")
		}
		return false
	}
	*dst = f
	return true
}

func (c *checker) procCount(s *Step, e syntax.Expr) bool {
	n, ok := e.(*syntax.Number)
	least := map[string]float64{"repeat": 1, "soup": 2}[s.Op]
	if !ok || n.Value != math.Trunc(n.Value) || n.Value < least {
		c.errorf(e.Pos(), "%s takes a whole number of at least %g, like %s", s.Op, least, procSteps[s.Op])
		return false
	}
	s.Count = int(n.Value)
	return true
}

// ProcedureSteps is the number of optimizer steps a procedure runs, counting a soup's
// body once (its copies train side by side over the same stretch of the run).
func ProcedureSteps(steps []*Step, stepsPerEpoch int) int {
	total := 0
	for _, s := range steps {
		switch s.Op {
		case "train":
			total += Steps(s.Time, stepsPerEpoch, 0)
		case "repeat":
			total += s.Count * ProcedureSteps(s.Body, stepsPerEpoch)
		case "soup":
			total += ProcedureSteps(s.Body, stepsPerEpoch)
		}
	}
	return total
}
