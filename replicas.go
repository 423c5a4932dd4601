package roux

import (
	"fmt"

	"github.com/roux-ml/roux/runtime/tensor"
	"github.com/roux-ml/roux/runtime/train"
)

// replicas holds what data-parallel training (train: data_parallel = N) adds to a
// session: for each replica r ≥ 1 a shadow of every parameter the programs compute
// with (a masked weight's effective weight W̃, else the weight), sharing its values and
// with a gradient of its own, its own layer state, and the replicas' compiled programs.
type replicas struct {
	params  []*tensor.Param                   // what the programs compute with
	shadows []map[*tensor.Param]*tensor.Param // shadows[r], nil for r = 0
	grads   [][]*tensor.Tensor                // grads[r][i]: replica r's gradient of params[i]
	progs   []map[int]*train.Compiled         // progs[r]: replica r's, by rows
	// states[r] is replica r's layer state by path, for r ≥ 1: the running statistics
	// its batch norms update from its rows, which nothing reads. Replica 0 updates the
	// session's own, as PyTorch's DistributedDataParallel keeps rank 0's buffers.
	states []map[string]*tensor.Tensor
}

// newReplicas makes the shadows of params for n replicas.
func newReplicas(params []*tensor.Param, n int) *replicas {
	rs := &replicas{params: params, shadows: make([]map[*tensor.Param]*tensor.Param, n), grads: make([][]*tensor.Tensor, n),
		progs: make([]map[int]*train.Compiled, n), states: make([]map[string]*tensor.Tensor, n)}
	for r := range n {
		rs.progs[r] = map[int]*train.Compiled{}
		rs.states[r] = map[string]*tensor.Tensor{}
	}
	for r := 1; r < n; r++ {
		rs.shadows[r] = map[*tensor.Param]*tensor.Param{}
		for _, p := range params {
			sh := &tensor.Param{Name: p.Name, Value: p.Value, Grad: tensor.New(p.Grad.Shape...)}
			rs.shadows[r][p] = sh
			rs.grads[r] = append(rs.grads[r], sh.Grad)
		}
	}
	return rs
}

// computedParams returns what the programs compute with in place of each weight: a
// masked weight's effective weight, once the masks are built (the zero rule makes it
// share the weight's values), else the weight itself.
func (s *Session) computedParams() []*tensor.Param {
	out := make([]*tensor.Param, len(s.weights.order))
	for i, p := range s.weights.order {
		out[i] = p
		if lay, ok := s.layers[p.Name]; ok {
			out[i] = lay.Effective
		}
	}
	return out
}

// param returns the parameter replica r's program computes with: p itself for replica
// 0, p's shadow for the others.
func (rs *replicas) param(r int, p *tensor.Param) *tensor.Param {
	if r == 0 {
		return p
	}
	sh, ok := rs.shadows[r][p]
	if !ok { // every weight exists once the session's first program is built
		panic(fmt.Sprintf("roux: replica %d has no shadow of %s", r, p.Name))
	}
	return sh
}

// replicaProgram returns replica r's training program for a share of n rows.
func (s *Session) replicaProgram(r, n int) (*train.Compiled, error) {
	return cached(s.replicas.progs[r], n, func() (*train.Compiled, error) { return s.compileReplica(r, n) })
}

// state returns replica r's own layer state at path (r ≥ 1), created like the
// session's: shaped shape, filled with fill.
func (rs *replicas) state(r int, path string, shape []int, fill float32) *tensor.Tensor {
	t, ok := rs.states[r][path]
	if !ok {
		t = filled(shape, fill)
		rs.states[r][path] = t
	}
	return t
}
