package check

// checkDataParallel rejects what data_parallel does not support yet. Each replica of
// the model runs its share of the batch in its own program and only the gradients of
// the trained weights are summed, so anything else a step keeps or changes would be
// kept or changed once per replica: masks and regularizers act on the summed step,
// mean teachers, per-sample state and the other parts of a loss mixture are not split,
// and batch_norm's statistics and moe's balance and loads would cover one share each.
func (c *checker) checkDataParallel() {
	tr := c.r.Train
	if tr == nil || tr.DataParallel <= 1 {
		return
	}
	why := ""
	switch {
	case len(c.r.Masks) > 0:
		why = "masks (mask " + c.r.Masks[0].Name + ")"
	case len(c.r.Regularizers) > 0:
		why = "regularizers (regularize " + c.r.Regularizers[0].Name + ")"
	case c.r.Procedure != nil:
		why = "a procedure"
	case c.r.Evaluated != nil:
		why = "a loss mixture (several data sets, augmentations or per-sample state)"
	}
	for _, m := range c.r.Models {
		if why != "" {
			break
		}
		if m.EMA != nil {
			why = "a mean teacher (model " + m.Name + ")"
			break
		}
		for _, st := range m.Stmts {
			if name := unsplittable(st.Value); name != "" {
				why = name + " (model " + m.Name + ", statement " + st.Name + ")"
				break
			}
		}
	}
	if why != "" {
		c.errorf(tr.DataParallelPos, "data_parallel = %d cannot be combined with %s yet; remove one of them", tr.DataParallel, why)
	}
}

// unsplittable returns the name of a layer in v whose per-step statistics a share of the
// batch would not give: batch_norm's batch statistics, moe's loads and balance term.
func unsplittable(v Value) string {
	switch v := v.(type) {
	case *Call:
		if n := v.Sig.Name; n == "batch_norm" || n == "moe" {
			return n
		}
		for _, a := range v.Args {
			if name := unsplittable(a); name != "" {
				return name
			}
		}
	case *Arith:
		if name := unsplittable(v.X); name != "" {
			return name
		}
		return unsplittable(v.Y)
	case *Neg:
		return unsplittable(v.X)
	}
	return ""
}
