package check

import (
	"fmt"
	"math"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/lang/syntax"
)

// checkData checks "data NAME = CALL", possibly piped through data transforms such as
// per_class, and asks the entries to describe the data set.
func (c *checker) checkData(d *syntax.Decl) *Data {
	cx := &ctx{where: "data"}
	_, isCall := d.Value.(*syntax.Call)
	if b, ok := d.Value.(*syntax.Binary); !isCall && (!ok || b.Op != "|>") {
		c.errorf(d.Value.Pos(), "a data set is declared with a call, for example mnist(split: \"train\")")
		return nil
	}
	v, _ := c.expr(d.Value, cx)
	cl, ok := v.(*Call)
	if !ok || cl.Sig.Kind != sig.Data {
		return nil
	}
	info, ok := c.describe(cl)
	if !ok {
		return nil
	}
	data := &Data{Name: d.Name.Name, Pos: d.Name.NamePos, Call: cl, Info: info}
	c.r.Data = append(c.r.Data, data)
	return data
}

// describe asks a data entry, or a chain of transforms over one, what it will load.
func (c *checker) describe(cl *Call) (sig.DataInfo, bool) {
	var info sig.DataInfo
	var err error
	if cl.Sig.Transform == nil {
		info, err = cl.Sig.Describe(cl.Const)
	} else {
		in, ok := c.describe(cl.Args[0].(*Call))
		if !ok {
			return info, false
		}
		info, err = cl.Sig.Transform(in, cl.Const)
	}
	if err != nil {
		c.argError(cl, nil, err)
		return info, false
	}
	return info, true
}

// checkSchedule checks "schedule NAME = EXPR", which must be a number or a schedule.
func (c *checker) checkSchedule(d *syntax.Decl) *Schedule {
	v, t := c.expr(d.Value, &ctx{where: "schedule"})
	if t.k == tBad {
		return nil
	}
	if t.k != tNumber && t.k != tScalar {
		c.errorf(d.Value.Pos(), "a schedule must be a number or a schedule such as cosine(0.1 -> 0), not a %s", t)
		return nil
	}
	s := &Schedule{Name: d.Name.Name, Pos: d.Name.NamePos, Value: v}
	c.r.Schedules = append(c.r.Schedules, s)
	return s
}

// checkLoss checks the loss expression: a scalar tensor drawing on exactly one data set.
func (c *checker) checkLoss(d *syntax.Decl) {
	cx := &ctx{where: "loss"}
	v, t := c.expr(d.Value, cx)
	if t.k == tBad {
		return
	}
	if t.k != tTensor || len(t.shape) != 0 {
		per := ""
		if t.k == tTensor && len(t.shape) == 1 && t.shape[0] == sig.Batch {
			per = " (one number per sample)"
		}
		c.errorf(d.Value.Pos(), "the loss must be one number per step, but this expression is a %s%s; reduce it, for example with mean(...)", t, per)
		return
	}
	if len(cx.streams) == 0 {
		c.errorf(d.Value.Pos(), "the loss uses no data set; write it over a data set's fields, for example cross_entropy(net(train.x), train.y)")
		return
	}
	c.r.Loss, c.r.LossPos = v, d.KeywordPos
	c.setStreams(cx.streams)
	c.r.Evaluated = c.evaluated(v, cx)
}

// checkOptimizer checks "optimizer = CALL" against an Optimizer entry.
func (c *checker) checkOptimizer(d *syntax.Decl) {
	call, ok := d.Value.(*syntax.Call)
	if !ok {
		c.errorf(d.Value.Pos(), "the optimizer is a call, for example sgd(lr: 0.1, momentum: 0.9)")
		return
	}
	v, _ := c.call(call, nil, &ctx{where: "optimizer"})
	if cl, ok := v.(*Call); ok {
		c.r.Optimizer = cl
	}
}

// trainKeys are the settings of the train block with their defaults (nil: required).
var trainKeys = map[string]any{"epochs": nil, "batch": 128.0, "eval_batch": 1000.0, "seed": 0.0, "drop_last": false,
	"checkpoint": sig.TimeValue{}, "keep": 3.0, "data_parallel": 1.0}

// checkTrain checks the train block's settings and eval commands.
func (c *checker) checkTrain() {
	d := c.train
	if d == nil {
		return
	}
	tr := &Train{Pos: d.KeywordPos}
	set := map[string]any{}
	written := map[string]bool{}
	for _, st := range d.Body {
		switch st := st.(type) {
		case *syntax.Assign:
			written[st.Name.Name] = true
			if st.Name.Name == "data_parallel" {
				tr.DataParallelPos = st.Name.NamePos
			}
			c.trainSetting(st, set)
		case *syntax.Command:
			if e := c.evalCommand(st); e != nil {
				tr.Evals = append(tr.Evals, e)
			}
		default:
			c.errorf(st.Pos(), "the train block takes settings (name = value) and eval commands; steps like train(...) belong in a procedure { ... }")
		}
	}
	_, hasEpochs := set["epochs"]
	switch {
	case c.proc != nil && written["epochs"]:
		c.errorf(d.KeywordPos, "with a procedure, the length of the run comes from its train(...) steps; remove epochs from the train block")
		return
	case c.proc == nil && !hasEpochs:
		if !written["epochs"] {
			c.errorf(d.KeywordPos, "the train block needs epochs, for example: epochs = 10")
		}
		return
	case c.proc != nil:
		set["epochs"] = 0.0
	}
	tr.Epochs, tr.Batch, tr.EvalBatch = intOf(set, "epochs"), intOf(set, "batch"), intOf(set, "eval_batch")
	tr.Seed, tr.DropLast = uint64(intOf(set, "seed")), boolOf(set, "drop_last")
	tr.Keep = intOf(set, "keep")
	tr.DataParallel = intOf(set, "data_parallel")
	if tr.DataParallel > tr.Batch {
		c.errorf(tr.DataParallelPos, "data_parallel = %d splits each batch of %d rows into more parts than it has rows", tr.DataParallel, tr.Batch)
		return
	}
	if _, ok := set["checkpoint"]; ok && c.proc != nil {
		c.errorf(d.KeywordPos, "checkpoints during a procedure are not supported yet; remove checkpoint from the train block")
		return
	}
	if t, ok := set["checkpoint"].(sig.TimeValue); ok {
		tr.Checkpoint = t
	}
	c.r.Train = tr
}

func intOf(set map[string]any, k string) int {
	if v, ok := set[k]; ok {
		return int(v.(float64))
	}
	return int(trainKeys[k].(float64))
}

func boolOf(set map[string]any, k string) bool {
	if v, ok := set[k]; ok {
		return v.(bool)
	}
	return trainKeys[k].(bool)
}

// trainSetting checks one "key = value" of the train block.
func (c *checker) trainSetting(st *syntax.Assign, set map[string]any) {
	key := st.Name.Name
	def, known := trainKeys[key]
	if !known {
		c.errorf(st.Name.NamePos, "unknown train setting %s (the settings are %s)%s", key, joinList(keys(trainKeys)), suggest(key, keys(trainKeys)))
		return
	}
	if _, dup := set[key]; dup {
		c.errorf(st.Name.NamePos, "%s is set twice in the train block", key)
		return
	}
	if _, isTime := def.(sig.TimeValue); isTime {
		if t, ok := st.Value.(*syntax.Time); ok && (t.Unit == "epochs" || t.Unit == "steps") && t.Amount > 0 && t.Amount == math.Trunc(t.Amount) {
			set[key] = sig.TimeValue{Amount: t.Amount, Unit: t.Unit}
			return
		}
		c.errorf(st.Value.Pos(), "%s is how often to save a checkpoint: a whole number of epochs or steps, like %s = 1 epoch", key, key)
		return
	}
	if _, isBool := def.(bool); isBool {
		if b, ok := st.Value.(*syntax.Bool); ok {
			set[key] = b.Value
			return
		}
		c.errorf(st.Value.Pos(), "%s must be true or false", key)
		return
	}
	v, t := c.expr(st.Value, &ctx{where: "train"})
	if t.k == tBad {
		return
	}
	n, ok := v.(*Const)
	f, isNum := n.V.(float64)
	if !ok || !isNum || f != math.Trunc(f) || f < 0 || (f == 0 && key != "seed") {
		c.errorf(st.Value.Pos(), "%s must be a positive whole number%s", key, map[bool]string{true: " (or 0)", false: ""}[key == "seed"])
		return
	}
	set[key] = f
}

// evalCommand checks "eval DATA, ... [every TIME] [: METRIC, ...]".
func (c *checker) evalCommand(st *syntax.Command) *Eval {
	if st.Name.Name != "eval" {
		c.errorf(st.Name.NamePos, "unknown train command %q%s; the train block takes settings (name = value) and eval commands", st.Name.Name, suggest(st.Name.Name, []string{"eval"}))
		return nil
	}
	e := &Eval{Pos: st.Name.NamePos, Every: sig.TimeValue{Amount: 1, Unit: "epochs"}}
	for _, a := range st.Args {
		if d := c.evalData(a); d != nil {
			e.Data = append(e.Data, d)
		}
	}
	if st.Every != nil {
		e.Every = c.evalEvery(st.Every)
	}
	for _, it := range st.Items {
		if m := c.metric(it); m != "" {
			e.Metrics = append(e.Metrics, m)
		}
	}
	if len(st.Items) == 0 {
		e.Metrics = []string{"accuracy", "loss"}
	}
	for _, m := range e.Metrics {
		for i, d := range e.Data {
			if (m == "clean_accuracy" || m == "memorized") && !d.Info.Noisy {
				c.errorf(st.Args[i].Pos(), "%s is measured against the true labels of a data set with label_noise(...), but %s has none", m, d.Name)
			}
		}
	}
	return e
}

// evalData resolves a data set named in an eval command; it must look like the training stream.
func (c *checker) evalData(a syntax.Expr) *Data {
	id, ok := a.(*syntax.Ident)
	if !ok {
		c.errorf(a.Pos(), "eval takes the names of data sets, for example: eval test every 1 epoch: accuracy, loss")
		return nil
	}
	nd, ok := c.named[id.Name]
	if !ok || nd.d.Keyword != "data" {
		c.errorf(id.NamePos, "eval needs a data set, but %s is %s%s", id.Name, c.describeName(id.Name), suggest(id.Name, c.dataNames()))
		return nil
	}
	c.resolveNamed(nd, id.NamePos)
	d, stream := nd.data, c.r.Stream
	if d == nil || stream == nil {
		return d
	}
	if d.Info.Unlabeled {
		c.errorf(id.NamePos, "cannot evaluate on %s: it is unlabeled()", d.Name)
		return nil
	}
	if !d.Info.Shape.Equal(stream.Info.Shape) || d.Info.Classes != stream.Info.Classes {
		c.errorf(id.NamePos, "cannot evaluate on %s: its samples are %s with %d classes, but the loss is written for %s, whose samples are %s with %d classes",
			d.Name, d.Info.Shape, d.Info.Classes, stream.Name, stream.Info.Shape, stream.Info.Classes)
		return nil
	}
	return d
}

func (c *checker) evalEvery(e syntax.Expr) sig.TimeValue {
	t, ok := e.(*syntax.Time)
	if !ok || (t.Unit != "epochs" && t.Unit != "steps") || t.Amount <= 0 || t.Amount != math.Trunc(t.Amount) {
		c.errorf(e.Pos(), "eval runs every whole number of epochs or steps, for example: every 1 epoch")
		return sig.TimeValue{Amount: 1, Unit: "epochs"}
	}
	return sig.TimeValue{Amount: t.Amount, Unit: t.Unit}
}

// metric resolves a metric name of an eval command.
func (c *checker) metric(e syntax.Expr) string {
	id, ok := e.(*syntax.Ident)
	if ok {
		if s, found := c.cat.Lookup(id.Name); found && s.Kind == sig.Metric {
			return id.Name
		}
	}
	c.errorf(e.Pos(), "unknown metric %s%s; the metrics are %s", syntax.FormatExpr(e), suggest(nameOf(e), c.kindNames(sig.Metric)), joinList(c.kindNames(sig.Metric)))
	return ""
}

// stepsPerEpoch is the number of optimizer steps one pass over the stream takes, 0 if unknown.
func (c *checker) stepsPerEpoch() int { return c.r.StepsPerEpoch() }

// TotalSteps is the number of optimizer steps the run takes: the procedure's train steps,
// or epochs times steps per epoch; 0 when the stream's size is not known before loading.
func (r *Recipe) TotalSteps() int {
	spe := r.StepsPerEpoch()
	if r.Procedure != nil {
		return ProcedureSteps(r.Procedure, spe)
	}
	return spe * r.Train.Epochs
}

// StepsPerEpoch is the number of optimizer steps one pass over the training stream takes,
// or 0 when the stream's size is not known before loading.
func (r *Recipe) StepsPerEpoch() int {
	if r.Stream == nil || r.Train == nil || r.Stream.Info.Size == 0 {
		return 0
	}
	n, b := r.Stream.Info.Size, r.DrawSize(r.Stream)
	if b < 1 { // reported by checkDraws
		return 0
	}
	if r.Train.DropLast {
		return n / b
	}
	return (n + b - 1) / b
}

// checkTimes reports time constants that fall outside the run, and windows that end
// before they start, once the length of the run is known.
func (c *checker) checkTimes() {
	if c.r.Train == nil || c.procFailed() {
		return
	}
	spe := c.stepsPerEpoch()
	for _, u := range c.times {
		if msg := c.outsideRun(u.t, spe); msg != "" {
			c.errorf(u.pos, "%s", msg)
		}
	}
	for _, call := range c.spans {
		c.checkSpan(call, spe)
	}
}

// outsideRun says why a time lies outside [start, end] of the run, or "".
func (c *checker) outsideRun(t sig.TimeValue, spe int) string {
	total := c.r.TotalSteps()
	epochs := float64(c.r.Train.Epochs)
	if spe > 0 {
		epochs = float64(total) / float64(spe)
	}
	switch t.Unit {
	case "%":
		if t.Amount < 0 || t.Amount > 100 {
			return fmt.Sprintf("%s is outside the run: a share of the run is between 0%% and 100%%", t)
		}
	case "epochs":
		if t.Amount < 0 || t.Amount > epochs {
			return fmt.Sprintf("%s is outside the run, which lasts %s", t, sig.TimeValue{Amount: epochs, Unit: "epochs"})
		}
	case "steps":
		if t.Amount < 0 || (spe > 0 && t.Amount > float64(total)) {
			return fmt.Sprintf("%s is outside the run, which lasts %d steps (%s of %d steps)", t, total, sig.TimeValue{Amount: epochs, Unit: "epochs"}, spe)
		}
	}
	return ""
}

// checkSpan reports a schedule whose from comes after its until, or whose list of times
// (piecewise's at) does not increase once every time is counted in steps.
func (c *checker) checkSpan(call *Call, spe int) {
	if at, ok := call.Const["at"].([]any); ok && spe > 0 {
		total := c.r.TotalSteps()
		for i := 1; i < len(at); i++ {
			a, b := at[i-1].(sig.TimeValue), at[i].(sig.TimeValue)
			if Steps(b, spe, total) <= Steps(a, spe, total) {
				c.errorf(call.Arg("at").Pos(), "%s: the times must increase, but %s (step %d) follows %s (step %d)",
					call.Sig.Name, b, Steps(b, spe, total), a, Steps(a, spe, total))
				return
			}
		}
	}
	from, f1 := call.Const["from"].(sig.TimeValue)
	until, f2 := call.Const["until"].(sig.TimeValue)
	if !f1 || !f2 || spe == 0 {
		return
	}
	total := c.r.TotalSteps()
	if Steps(from, spe, total) >= Steps(until, spe, total) {
		c.errorf(call.Arg("until").Pos(), "%s: until (%s) must come after from (%s)", call.Sig.Name, until, from)
	}
}

// Steps converts a time to a step number, given the run's steps per epoch and total steps.
func Steps(t sig.TimeValue, stepsPerEpoch, total int) int {
	switch t.Unit {
	case "epochs":
		return int(math.Round(t.Amount * float64(stepsPerEpoch)))
	case "%":
		return int(math.Round(t.Amount / 100 * float64(total)))
	case "end":
		return total
	}
	return int(t.Amount)
}
