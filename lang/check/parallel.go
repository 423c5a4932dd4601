package check

// checkDataParallel rejects what data_parallel does not support yet. Each replica of
// the model runs its share of the batch in its own program and only the gradients the
// programs compute are summed, so anything else a step keeps or changes would be kept
// or changed once per replica. Masks, regularizers and procedures are supported: they
// act on the summed gradient and the weights, which the replicas share, once per step
// or between phases. A mixture of experts routes each replica's rows on their own, and
// its balance term and capacity are over the replica's share, weighted by the share,
// as distributed MoE training computes them per device. A loss mixture's other
// streams, per-sample state and mean teachers are not split, and batch_norm's
// statistics over a share of the batch are not the whole batch's.
func (c *checker) checkDataParallel() {
	tr := c.r.Train
	if tr == nil || tr.DataParallel <= 1 {
		return
	}
	why := ""
	switch {
	case c.r.Evaluated != nil:
		why = "a loss mixture (several data sets, augmentations, per-sample state or a mean teacher)"
	}
	for _, m := range c.r.Models {
		for _, st := range m.Stmts {
			if why != "" {
				break
			}
			Walk(st.Value, func(v Value) bool {
				if call, ok := v.(*Call); ok && call.Sig.Name == "batch_norm" {
					why = call.Sig.Name + " (model " + m.Name + ", statement " + st.Name + ")"
				}
				return why != ""
			})
		}
	}
	if why != "" {
		c.errorf(tr.DataParallelPos, "data_parallel = %d cannot be combined with %s yet; remove one of them", tr.DataParallel, why)
	}
}
