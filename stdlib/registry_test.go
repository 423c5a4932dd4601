package stdlib

import (
	"strings"
	"testing"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/graph"
)

func TestEveryBuiltinIsComplete(t *testing.T) {
	for _, name := range Default.Names() {
		e, _ := Default.Entry(name)
		if err := validate(e); err != nil {
			t.Error(err)
		}
		if e.Doc == "" {
			t.Errorf("%s has no documentation", name)
		}
		for _, p := range e.Params {
			if p.Doc == "" {
				t.Errorf("%s: parameter %s has no documentation", name, p.Name)
			}
		}
	}
}

func TestRegisterRejects(t *testing.T) {
	r := &Registry{entries: map[string]*Entry{}}
	loss := &Entry{Signature: sig.Signature{Name: "twice", Kind: sig.Loss, Shape: func([]sig.Shape, sig.Args) (sig.Shape, error) { return nil, nil }},
		Build: func(*Builder, []*graph.Node, Args) *graph.Node { return nil }}
	cases := []struct {
		e    *Entry
		want string
	}{
		{&Entry{Signature: sig.Signature{Kind: sig.Op}}, "has no name"},
		{&Entry{Signature: sig.Signature{Name: "x", Kind: "gizmo"}}, `unknown kind "gizmo"`},
		{&Entry{Signature: sig.Signature{Name: "x", Kind: sig.Layer}}, "lacks the functions its kind needs"},
	}
	for _, c := range cases {
		if err := r.Register(c.e); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Register(%+v) = %v, want %q", c.e.Signature, err, c.want)
		}
	}
	if err := r.Register(loss); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(loss); err == nil || !strings.Contains(err.Error(), "registered twice") {
		t.Errorf("second registration: %v", err)
	}
}

// TestScheduleEntries checks each schedule entry's curve at a few steps (times are
// already steps here: the embedding layer converts them).
func TestScheduleEntries(t *testing.T) {
	cases := []struct {
		name string
		args Args
		at   map[int]float64
	}{
		{"constant", Args{"value": 0.5}, map[int]float64{0: 0.5, 99: 0.5}},
		{"linear", Args{"range": [2]float64{1, 0}, "from": 0, "until": 10}, map[int]float64{0: 1, 5: 0.5, 10: 0, 20: 0}},
		{"cosine", Args{"range": [2]float64{1, 0}, "from": 0, "until": 10}, map[int]float64{0: 1, 5: 0.5, 10: 0}},
		{"cubic", Args{"range": [2]float64{0, 0.9}, "from": 0, "until": 10}, map[int]float64{0: 0, 10: 0.9}},
		{"step", Args{"value": 1.0, "factor": 0.1, "every": 10}, map[int]float64{9: 1, 10: 0.1}},
		{"exponential", Args{"value": 1.0, "rate": 0.5, "every": 10, "smooth": false}, map[int]float64{9: 1, 10: 0.5, 20: 0.25}},
		{"piecewise", Args{"values": []float64{3, 2, 1}, "at": []int{5, 10}}, map[int]float64{4: 3, 5: 2, 10: 1}},
		{"warmup", Args{"duration": 10}, map[int]float64{0: 0, 5: 0.5, 10: 1, 50: 1}},
	}
	for _, c := range cases {
		e, _ := Default.Entry(c.name)
		s := e.Schedule(c.args)
		for step, want := range c.at {
			if got := s.At(step); got < want-1e-9 || got > want+1e-9 {
				t.Errorf("%s at step %d = %g, want %g", c.name, step, got, want)
			}
		}
	}
}

// TestShapeErrors checks the argument a shape error points at.
func TestShapeErrors(t *testing.T) {
	dense, _ := Default.Lookup("dense")
	_, err := dense.Shape([]sig.Shape{{sig.Batch, 2, 3}}, sig.Args{"units": 4.0})
	if ae, ok := err.(*sig.ArgError); !ok || ae.Param != "x" {
		t.Errorf("dense on a rank-3 input: %v", err)
	}
	mean, _ := Default.Lookup("mean")
	_, err = mean.Shape([]sig.Shape{{sig.Batch, 2}}, sig.Args{"axis": 2.0})
	if ae, ok := err.(*sig.ArgError); !ok || ae.Param != "axis" || !strings.Contains(ae.Msg, "out of range") {
		t.Errorf("mean over axis 2 of a matrix: %v", err)
	}
	got, err := mean.Shape([]sig.Shape{{sig.Batch, 2}}, sig.Args{"axis": -1.0})
	if err != nil || !got.Equal(sig.Shape{sig.Batch}) {
		t.Errorf("mean over the last axis: %v %v", got, err)
	}
}
