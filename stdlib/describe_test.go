package stdlib

import (
	"testing"

	"github.com/roux-ml/roux/lang/sig"
)

// TestDataDescribesItself loads every built-in data set once and compares what its
// Describe promised the checker — shape, classes, size, smallest class — with the data.
func TestDataDescribesItself(t *testing.T) {
	for _, c := range []struct {
		name string
		args sig.Args
	}{
		{"mnist", sig.Args{"split": "train"}},
		{"mnist", sig.Args{"split": "test"}},
		{"moons", sig.Args{"n": 31.0, "noise": 0.1, "seed": 1.0}},
		{"xor", sig.Args{"n": 31.0, "noise": 0.1, "seed": 1.0}},
		{"spirals", sig.Args{"n": 31.0, "noise": 0.1, "seed": 1.0, "classes": 4.0}},
		{"blobs", sig.Args{"n": 31.0, "noise": 0.1, "seed": 1.0, "classes": 3.0, "dim": 5.0}},
	} {
		e, _ := Default.Entry(c.name)
		info, err := e.Describe(c.args)
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.Load(Args(c.args), Env{})
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]int, d.Classes)
		for _, y := range d.Y {
			counts[y]++
		}
		least := counts[0]
		for _, n := range counts {
			least = min(least, n)
		}
		if !info.Shape.Equal(d.Shape) || info.Classes != d.Classes || info.Size != d.Len() || info.MinClass != least {
			t.Errorf("%s %v: described %+v, loaded shape %v, %d classes, %d samples, smallest class %d",
				c.name, c.args, info, d.Shape, d.Classes, d.Len(), least)
		}
	}
}
