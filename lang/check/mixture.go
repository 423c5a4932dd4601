package check

import (
	"fmt"
	"slices"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// checkAugment checks "augment NAME = OP + OP ...", a chain of augmentation calls.
func (c *checker) checkAugment(d *syntax.Decl) *Augment {
	a := &Augment{Name: d.Name.Name, Pos: d.Name.NamePos}
	if !c.augmentOps(d.Value, a) {
		return nil
	}
	c.r.Augments = append(c.r.Augments, a)
	return a
}

func (c *checker) augmentOps(e syntax.Expr, a *Augment) bool {
	switch e := e.(type) {
	case *syntax.Binary:
		if e.Op == "+" {
			return c.augmentOps(e.X, a) && c.augmentOps(e.Y, a)
		}
	case *syntax.Call:
		v, _ := c.call(e, nil, &ctx{where: "augment"})
		cl, ok := v.(*Call)
		if ok {
			a.Ops = append(a.Ops, cl)
		}
		return ok
	}
	c.errorf(e.Pos(), "an augmentation is a sum of augmentation calls, like noise(0.2) + shift(2) + cutout(8); the augmentations are %s", joinList(c.kindNames(sig.Augment)))
	return false
}

// augmentUse checks strong(d.x): an augmentation applied to a data set's inputs.
func (c *checker) augmentUse(nd *decl, id *syntax.Ident, args []*syntax.Arg, cx *ctx) (Value, typ) {
	if cx.where != "loss" {
		c.errorf(id.NamePos, "%s is an augmentation; it applies to a data set's inputs in the loss, like %s(train.x)", id.Name, id.Name)
		return nil, bad
	}
	if len(args) != 1 || args[0].Name != nil {
		c.errorf(id.NamePos, "augmentation %s takes one argument, a data set's inputs, like %s(train.x)", id.Name, id.Name)
		return nil, bad
	}
	if !c.resolveNamed(nd, id.NamePos) || nd.aug == nil {
		return nil, bad
	}
	v, t := c.expr(args[0].Value, cx)
	if t.k == tBad {
		return nil, bad
	}
	x, ok := v.(*DataField)
	if !ok || x.Field != "x" {
		c.errorf(args[0].Value.Pos(), "augmentation %s applies to a data set's inputs, like %s(train.x), not to %s", id.Name, id.Name, syntax.FormatExpr(args[0].Value))
		return nil, bad
	}
	for _, op := range nd.aug.Ops {
		if _, err := op.Sig.Shape([]sig.Shape{x.Data.Info.Shape}, op.Const); err != nil {
			c.errorf(args[0].Value.Pos(), "augmentation %s uses %s, which %v", id.Name, op.Sig.Name, err)
			return nil, bad
		}
	}
	cx.draws++
	return &Augmented{At: id.NamePos, Aug: nd.aug, X: x, Draw: cx.draws}, t
}

// checkSamples checks the inputs of a per-sample loss (they must come from one data set,
// whose samples it keeps state for) and of a consistency loss (two different views of the
// same samples).
func (c *checker) checkSamples(call *Call, syn []syntax.Expr) bool {
	var sets []*Data
	for i, p := range call.Sig.Params {
		if p.Type == sig.Tensor || p.Type == sig.Labels {
			sets = appendStreams(sets, call.Args[i])
		}
	}
	if len(sets) != 1 {
		names := make([]string, len(sets))
		for i, d := range sets {
			names[i] = d.Name
		}
		why := "keeps state for every sample of the data set it draws on"
		if !call.Sig.PerSample {
			why = "compares two views of the same samples"
		}
		if len(sets) == 0 {
			c.errorf(call.At, "%s %s, but its inputs draw on no data set", call.Sig.Name, why)
		} else {
			c.errorf(call.At, "%s %s, but its inputs draw on %s", call.Sig.Name, why, joinList(names))
		}
		return false
	}
	call.Stream = sets[0]
	if call.Sig.Views && Text(call.Args[0]) == Text(call.Args[1]) && !hasDraw(call.Args[0]) {
		c.errorf(syn[1].Pos(), "%s compares two views of the same samples, but both are %s; give one an augmentation or another model, like net(strong(%s.x))",
			call.Sig.Name, syntax.FormatExpr(syn[1]), sets[0].Name)
		return false
	}
	return true
}

// appendStreams adds the data sets a value reads to sets, each once.
func appendStreams(sets []*Data, v Value) []*Data {
	Walk(v, func(v Value) bool {
		if f, ok := v.(*DataField); ok && !slices.Contains(sets, f.Data) {
			sets = append(sets, f.Data)
		}
		return false
	})
	return sets
}

// hasDraw reports whether a value contains a random augmentation.
func hasDraw(v Value) bool {
	return Walk(v, func(v Value) bool { _, ok := v.(*Augmented); return ok })
}

// Walk calls visit on v and every value of an expression below it, left to right, and
// stops as soon as visit returns true, which it then returns.
func Walk(v Value, visit func(Value) bool) bool {
	if visit(v) {
		return true
	}
	switch v := v.(type) {
	case *Augmented:
		return Walk(v.X, visit)
	case *ModelCall:
		return Walk(v.Arg, visit)
	case *Call:
		for _, a := range v.Args {
			if Walk(a, visit) {
				return true
			}
		}
	case *Arith:
		return Walk(v.X, visit) || Walk(v.Y, visit)
	case *Neg:
		return Walk(v.X, visit)
	}
	return false
}

// setStreams records the data sets the loss draws on; the epoch is a pass over the one
// that takes the most steps per pass (the unlabeled set in semi-supervised training).
func (c *checker) setStreams(uses []streamUse) {
	best := 0.0
	for _, u := range uses {
		d := u.data
		c.r.Streams = append(c.r.Streams, d)
		if steps := float64(d.Info.Size) / d.Info.Draw(1); c.r.Stream == nil || steps > best {
			c.r.Stream, best = d, steps
		}
	}
}

// evaluated returns the model evaluations report on when the loss is a mixture (nil
// otherwise): the first model the loss applies.
func (c *checker) evaluated(loss Value, cx *ctx) *Model {
	mixed := len(c.r.Streams) > 1 || cx.draws > 0
	var first *Model
	Walk(loss, func(v Value) bool {
		switch v := v.(type) {
		case *ModelCall:
			if first == nil && v.Model.EMA == nil {
				first = v.Model
			}
			mixed = mixed || v.Model.EMA != nil
		case *Call:
			mixed = mixed || v.Sig.PerSample
		}
		return false
	})
	if !mixed {
		return nil
	}
	return first
}

// checkDraws checks, once the batch size is known, that every data set of the loss gives
// a whole number of samples per step and, apart from the one that makes the epochs, at
// least one full batch.
func (c *checker) checkDraws() {
	if c.r.Train == nil || c.r.Loss == nil {
		return
	}
	for _, d := range c.r.Streams {
		n := d.Info.Draw(c.r.Train.Batch)
		switch {
		case n != float64(int(n)) || n < 1:
			c.errorf(d.Pos, "%s draws %g samples per step (ratio %g × batch %d); make it a whole number of at least 1", d.Name, n, d.Info.Ratio, c.r.Train.Batch)
		case d != c.r.Stream && d.Info.Size > 0 && int(n) > d.Info.Size:
			c.errorf(d.Pos, "%s has %d samples, fewer than the %d it draws per step; lower its ratio or the batch size", d.Name, d.Info.Size, int(n))
		}
	}
}

// SamplesPerStep is the number of samples a training step draws from all its data sets.
func (r *Recipe) SamplesPerStep() int {
	n := 0
	for _, d := range r.Streams {
		n += r.DrawSize(d)
	}
	return n
}

// DrawSize is the number of samples a step draws from a data set of the loss.
func (r *Recipe) DrawSize(d *Data) int { return int(d.Info.Draw(r.Train.Batch)) }

// streamsText describes the data sets of the loss and how many samples a step draws.
func streamsText(r *Recipe) string {
	if len(r.Streams) == 1 {
		return r.Stream.Name
	}
	s := ""
	for i, d := range r.Streams {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s (%d per step)", d.Name, r.DrawSize(d))
	}
	return s + "; an epoch is a pass over " + r.Stream.Name
}
