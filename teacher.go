package roux

import (
	"strings"

	"github.com/roux-ml/roux/lang/check"
	"github.com/roux-ml/roux/runtime/tensor"
)

// shadow is a mean teacher's copy of one weight: after every step it moves towards the
// student's weight, v ← decay·v + (1 − decay)·w. Its values live in the session's layer
// state, so checkpoints keep them.
type shadow struct {
	param *tensor.Param // the teacher's weight, computed with but never trained
	src   *tensor.Param // the student's weight it follows
	decay float32
}

// shadowOf returns teacher's copy of the student weight src, created equal to src.
func (s *Session) shadowOf(teacher *check.Model, src *tensor.Param) *tensor.Param {
	path := teacher.Name + strings.TrimPrefix(src.Name, teacher.EMA.Name)
	if sh, ok := s.shadows[path]; ok {
		return sh.param
	}
	_, existed := s.weights.states[path]
	v := s.weights.state(path, src.Value.Shape, 0)
	if !existed {
		copy(v.Data, src.Value.Data)
	}
	sh := &shadow{param: &tensor.Param{Name: path, Value: v, Grad: tensor.New(v.Shape...)}, src: src, decay: float32(teacher.Decay)}
	s.shadows[path] = sh
	s.shadowOrder = append(s.shadowOrder, sh)
	return sh.param
}

// teacherHook moves every teacher weight after each optimizer step.
type teacherHook struct{ s *Session }

func (teacherHook) AfterBackward() {}

func (h teacherHook) AfterUpdate(int) error {
	for _, sh := range h.s.shadowOrder {
		d := sh.decay
		w := sh.src.Value.Data
		for i, v := range sh.param.Value.Data {
			sh.param.Value.Data[i] = d*v + (1-d)*w[i]
		}
	}
	return nil
}
