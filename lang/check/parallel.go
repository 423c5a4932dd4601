package check

// checkDataParallel rejects what data_parallel does not support yet. Each replica of
// the model runs its share of the batch in its own program and only the gradients the
// programs compute are summed, so anything else a step keeps or changes would be kept
// or changed once per replica. Masks, regularizers and procedures are supported: they
// act on the summed gradient and the weights, which the replicas share, once per step
// or between phases. Layers that see the whole batch see each replica's share, as in
// distributed training without synchronised layers: a mixture of experts routes each
// replica's rows, with its balance term and capacity over the share, weighted by it;
// a batch norm normalises each share by its own statistics, and replica 0's share moves
// the running statistics (as PyTorch's DistributedDataParallel keeps rank 0's). A loss
// mixture's other streams, per-sample state and mean teachers are not split.
func (c *checker) checkDataParallel() {
	tr := c.r.Train
	if tr == nil || tr.DataParallel <= 1 || c.r.Evaluated == nil {
		return
	}
	c.errorf(tr.DataParallelPos, "data_parallel = %d cannot be combined with a loss mixture (several data sets, augmentations, per-sample state or a mean teacher) yet; remove one of them", tr.DataParallel)
}
