package train

import (
	"math"
	"testing"

	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/runtime/graph"
	"github.com/roux-ml/roux/runtime/optim"
	"github.com/roux-ml/roux/runtime/schedule"
	"github.com/roux-ml/roux/runtime/tensor"
)

// linear builds a 2-feature, 2-class linear classifier program for n rows.
func linear(w *tensor.Param, n int, training bool) (*Compiled, error) {
	g := graph.New()
	x, y := g.Input("x", n, 2), g.Input("y", n)
	logits := g.MatMul(x, g.Param(w), false, true)
	loss := g.SoftmaxCrossEntropy(logits, y)
	opts := graph.Options{Outputs: []*graph.Node{loss, logits}}
	if training {
		opts.Loss = loss
	}
	p, err := g.Compile(opts)
	if err != nil {
		return nil, err
	}
	return &Compiled{Prog: p, X: p.Input("x"), Y: p.Input("y"), Loss: loss, Logits: logits}, nil
}

// separable: class 1 when the first feature is positive.
func separable() *data.Dataset {
	d := &data.Dataset{Name: "toy", Shape: []int{2}, Classes: 2}
	for i := range 10 {
		v := float32(i - 5)
		if v >= 0 {
			v++
		}
		d.X = append(d.X, v, 1)
		d.Y = append(d.Y, map[bool]int32{true: 1, false: 0}[v > 0])
	}
	return d
}

func TestCountCorrect(t *testing.T) {
	logits := &tensor.Tensor{Shape: []int{3, 2}, Data: []float32{1, 2, 3, 0, -1, -1}}
	// rows pick class 1, 0, 0 (ties go to the first)
	if got := countCorrect(logits, []float32{1, 1, 0}); got != 2 {
		t.Fatalf("countCorrect = %d, want 2", got)
	}
}

// TestTrainerLearnsAndEvaluates trains a linear classifier on separable data: the
// loss falls, evaluation sees every sample once (10 = 4 + 4 + 2 rows, two programs),
// and accuracy ends at 1.
func TestTrainerLearnsAndEvaluates(t *testing.T) {
	w := tensor.NewParam("w", 2, 2)
	progs := map[int]*Compiled{}
	program := func(training bool) func(n int) (*Compiled, error) {
		return func(n int) (*Compiled, error) {
			key := n * map[bool]int{true: 1, false: -1}[training]
			if c, ok := progs[key]; ok {
				return c, nil
			}
			c, err := linear(w, n, training)
			progs[key] = c
			return c, err
		}
	}
	d := separable()
	tr := &Trainer{Batches: data.NewBatcher(d, 4, true, 1), Program: program(true),
		Update: Update{Groups: []Group{{Opt: &optim.SGD{Momentum: 0.9}, Params: []*tensor.Param{w}}},
			LR: schedule.Constant{Value: 0.5}, ClipNorm: 1, Params: []*tensor.Param{w}}}
	first, err := tr.Step()
	if err != nil {
		t.Fatal(err)
	}
	var last float64
	for range 60 {
		if last, err = tr.Step(); err != nil {
			t.Fatal(err)
		}
	}
	if !(last < first/4) || tr.Clock.Step != 61 {
		t.Fatalf("loss %.4f -> %.4f after %d steps", first, last, tr.Clock.Step)
	}
	m, err := Evaluate(d, 4, tr.Clock.Step, program(false))
	if err != nil {
		t.Fatal(err)
	}
	if m["accuracy"] != 1 || math.IsNaN(m["loss"]) || m["loss"] > last*2+0.1 {
		t.Fatalf("metrics %v", m)
	}
	if _, ok := progs[-2]; !ok {
		t.Fatal("evaluation did not run the 2-row remainder batch")
	}
}

// TestScalarsAreFed checks that a schedule feeding a program input is evaluated at the
// step being run.
func TestScalarsAreFed(t *testing.T) {
	in := tensor.New()
	c, err := linear(tensor.NewParam("w", 2, 2), 1, false)
	if err != nil {
		t.Fatal(err)
	}
	c.Scalars = []Scalar{{Input: in, Schedule: schedule.Linear{From: 0, To: 10, Start: 0, End: 10}}}
	b := data.NewBatcher(separable(), 1, false, 0)
	b.Next()
	feed(c, b, 3)
	if in.Data[0] != 3 {
		t.Fatalf("fed %v at step 3, want 3", in.Data[0])
	}
}
