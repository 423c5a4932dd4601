package check

import (
	"fmt"
	"strings"

	"github.com/roux-ml/roux/lang/sig"
)

// Dump prints a checked recipe as stable text: data, models with their weights and
// shapes, schedules, loss, optimizer and train plan. Golden tests and the REPL use it.
func Dump(r *Recipe) string {
	var b strings.Builder
	fmt.Fprintf(&b, "recipe %q\n", r.Title)
	for _, d := range r.Data {
		fmt.Fprintf(&b, "data %s = %s  # samples %s, %d classes, size %d%s\n", d.Name, Text(d.Call), d.Info.Shape, d.Info.Classes, d.Info.Size, infoNotes(d.Info))
	}
	for _, m := range r.Models {
		if m.EMA != nil {
			fmt.Fprintf(&b, "model %s = ema(%s, decay: %g)  # follows %s's weights, passes no gradient\n", m.Name, m.EMA.Name, m.Decay, m.EMA.Name)
			continue
		}
		fmt.Fprintf(&b, "model %s  # input %s, output %s\n", m.Name, m.Input, m.Output.Shape)
		for _, s := range m.Stmts {
			fmt.Fprintf(&b, "    %s = %s  # %s\n", s.Name, Text(s.Value), s.Shape)
		}
		for _, w := range m.Weights {
			fmt.Fprintf(&b, "    weight %s %s\n", w.Path, w.Shape)
		}
	}
	for _, s := range r.Schedules {
		fmt.Fprintf(&b, "schedule %s = %s\n", s.Name, Text(s.Value))
	}
	for _, m := range r.Masks {
		dumpMask(&b, m)
	}
	for _, g := range r.Regularizers {
		fmt.Fprintf(&b, "regularize %s on %s = %s\n", g.Name, Text(g.Selector), Text(g.Penalty))
	}
	for _, a := range r.Augments {
		ops := make([]string, len(a.Ops))
		for i, op := range a.Ops {
			ops[i] = Text(op)
		}
		fmt.Fprintf(&b, "augment %s = %s\n", a.Name, strings.Join(ops, " + "))
	}
	fmt.Fprintf(&b, "loss = %s  # draws on %s\n", Text(r.Loss), streamsText(r))
	if r.Evaluated != nil {
		fmt.Fprintf(&b, "    # the loss is a mixture: eval's loss is the cross-entropy of %s's outputs\n", r.Evaluated.Name)
	}
	fmt.Fprintf(&b, "optimizer = %s\n", Text(r.Optimizer))
	if r.Procedure != nil {
		fmt.Fprintf(&b, "procedure  # %d steps\n", r.TotalSteps())
		dumpSteps(&b, r.Procedure, 1)
	}
	t := r.Train
	epochs := fmt.Sprintf("epochs %d", t.Epochs)
	if r.Procedure != nil {
		epochs = "epochs from the procedure"
	}
	fmt.Fprintf(&b, "train: %s, batch %d, eval_batch %d, seed %d, drop_last %v\n", epochs, t.Batch, t.EvalBatch, t.Seed, t.DropLast)
	if t.Checkpoint.Amount > 0 {
		fmt.Fprintf(&b, "    checkpoint every %s, keep %d\n", t.Checkpoint, t.Keep)
	}
	if t.DataParallel > 1 {
		fmt.Fprintf(&b, "    data_parallel %d\n", t.DataParallel)
	}
	for _, e := range t.Evals {
		names := make([]string, len(e.Data))
		for i, d := range e.Data {
			names[i] = d.Name
		}
		fmt.Fprintf(&b, "    eval %s every %s: %s\n", strings.Join(names, ", "), e.Every, strings.Join(e.Metrics, ", "))
	}
	return b.String()
}

// infoNotes describes what data transforms made of a data set.
func infoNotes(i sig.DataInfo) string {
	s := ""
	if i.Unlabeled {
		s += ", unlabeled"
	}
	if i.Noisy {
		s += ", noisy labels (true labels kept)"
	}
	if i.Ratio != 0 {
		s += fmt.Sprintf(", %g per batch sample", i.Ratio)
	}
	return s
}

// Text prints a checked value with every argument spelled out, defaults included.
func Text(v Value) string {
	switch v := v.(type) {
	case nil:
		return "<none>"
	case *Const:
		return constText(v.V)
	case *Range:
		return Text(v.From) + " -> " + Text(v.To)
	case *List:
		parts := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			parts[i] = Text(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Call:
		return callText(v)
	case *Arith:
		return "(" + Text(v.X) + " " + v.Op + " " + Text(v.Y) + ")"
	case *Neg:
		return "-" + Text(v.X)
	case *Then:
		return Text(v.First) + " then " + Text(v.Second)
	case *ScheduleRef:
		return v.S.Name
	case *DataField:
		return v.Data.Name + "." + v.Field
	case *ModelCall:
		return v.Model.Name + "(" + Text(v.Arg) + ")"
	case *Augmented:
		return v.Aug.Name + "(" + Text(v.X) + ")"
	case *StmtRef:
		return v.Stmt.Name
	case *Input:
		return "input" + v.Shape.String()
	case *Selector:
		return v.Pattern + " {" + strings.Join(v.Matches, ", ") + "}"
	}
	return fmt.Sprintf("%T", v)
}

func constText(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case sig.TimeValue:
		return v.String()
	}
	return fmt.Sprint(v)
}

func callText(c *Call) string {
	var parts []string
	for i, p := range c.Sig.Params {
		if c.Args[i] != nil {
			parts = append(parts, p.Name+": "+Text(c.Args[i]))
		}
	}
	return c.Sig.Name + "(" + strings.Join(parts, ", ") + ")"
}

func dumpMask(b *strings.Builder, m *Mask) {
	fmt.Fprintf(b, "mask %s on %s\n", m.Name, Text(m.Selector))
	for _, part := range []struct {
		name string
		v    Value
	}{{"init", m.Init}, {"sparsity", m.Sparsity}, {"prune", m.Prune}, {"regrow", m.Regrow}, {"pruned", m.Pruned}} {
		if part.v != nil && !isNilCall(part.v) {
			fmt.Fprintf(b, "    %s = %s\n", part.name, Text(part.v))
		}
	}
}

// isNilCall reports a typed nil *Call stored in a Value.
func isNilCall(v Value) bool {
	c, ok := v.(*Call)
	return ok && c == nil
}

func dumpSteps(b *strings.Builder, steps []*Step, depth int) {
	for _, s := range steps {
		ind := strings.Repeat("    ", depth)
		switch s.Op {
		case "train":
			lr := ""
			if s.LR != nil {
				lr = ", lr: " + Text(s.LR)
			}
			fmt.Fprintf(b, "%strain(%s%s)\n", ind, s.Time, lr)
		case "save", "rewind":
			fmt.Fprintf(b, "%s%s(%s)\n", ind, s.Op, s.Name)
		case "prune":
			if s.By > 0 {
				fmt.Fprintf(b, "%sprune(%s, by: %g)\n", ind, s.Mask.Name, s.By)
			} else {
				fmt.Fprintf(b, "%sprune(%s, to: %g)\n", ind, s.Mask.Name, s.To)
			}
		case "unmask", "harden":
			fmt.Fprintf(b, "%s%s(%s)\n", ind, s.Op, s.Mask.Name)
		default:
			fmt.Fprintf(b, "%s%s(%d) {\n", ind, s.Op, s.Count)
			dumpSteps(b, s.Body, depth+1)
			fmt.Fprintf(b, "%s}\n", ind)
		}
	}
}
