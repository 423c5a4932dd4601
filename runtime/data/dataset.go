package data

import (
	"fmt"

	"github.com/roux-ml/roux/runtime/tensor"
)

// Dataset is a labelled (or unlabelled) set of samples held in memory.
type Dataset struct {
	Name    string    // identifies the dataset in messages, e.g. "mnist/train"
	X       []float32 // N rows of Features() values each, row-major
	Y       []int32   // N class labels in [0, Classes); nil for unlabelled data
	Shape   []int     // per-sample feature shape, e.g. [784]
	Classes int       // number of classes (0 for regression or unlabelled data)

	// ClassNames optionally names the classes: ClassNames[k] is the name of class k.
	// It is nil when the labels were class ids to begin with.
	ClassNames []string

	// TrueY holds the labels before label noise (see WithLabelNoise), so evaluation can
	// tell a memorised wrong label from learning; nil when Y is uncorrupted.
	TrueY []int32

	// Bytes, when not nil, holds X as the bytes it was scaled from (image pixels):
	// X[i] = float32(Bytes[i]) / 255 for every i. A Batcher gathers from it, a quarter
	// of X's memory traffic; whatever changes X in place drops it.
	Bytes []byte
}

// Len is the number of samples N.
func (d *Dataset) Len() int {
	if d.Y != nil {
		return len(d.Y)
	}
	if f := d.Features(); f > 0 {
		return len(d.X) / f
	}
	return 0
}

// Features is the number of feature values per sample, Numel(Shape).
func (d *Dataset) Features() int { return tensor.Numel(d.Shape) }

// Labelled reports whether the dataset has class labels.
func (d *Dataset) Labelled() bool { return d.Y != nil }

// Row returns the features of sample i, aliasing d.X.
func (d *Dataset) Row(i int) []float32 {
	f := d.Features()
	return d.X[i*f : (i+1)*f : (i+1)*f]
}

// Check reports the first inconsistency between the fields of d: a feature buffer that is
// not a whole number of rows, a label count that does not match the rows, a label or true
// label outside [0, Classes), or true labels that do not pair up with the labels. Loaders
// call it before returning a dataset.
func (d *Dataset) Check() error {
	f := d.Features()
	for _, s := range d.Shape {
		if s <= 0 {
			return fmt.Errorf("dataset %q: bad sample shape %s", d.Name, tensor.ShapeString(d.Shape))
		}
	}
	if len(d.X)%f != 0 {
		return fmt.Errorf("dataset %q: %d feature values are not a whole number of rows of %d", d.Name, len(d.X), f)
	}
	if d.Bytes != nil && len(d.Bytes) != len(d.X) {
		return fmt.Errorf("dataset %q: %d bytes for %d feature values", d.Name, len(d.Bytes), len(d.X))
	}
	if d.Y == nil {
		if d.TrueY != nil {
			return fmt.Errorf("dataset %q: true labels on unlabelled data", d.Name)
		}
		return nil
	}
	if n := len(d.X) / f; len(d.Y) != n {
		return fmt.Errorf("dataset %q: %d labels for %d rows", d.Name, len(d.Y), n)
	}
	return d.checkLabels()
}

func (d *Dataset) checkLabels() error {
	if err := d.checkRange("label", d.Y); err != nil {
		return err
	}
	if d.TrueY != nil && len(d.TrueY) != len(d.Y) {
		return fmt.Errorf("dataset %q: %d true labels for %d labels", d.Name, len(d.TrueY), len(d.Y))
	}
	if err := d.checkRange("true label", d.TrueY); err != nil {
		return err
	}
	if d.ClassNames != nil && len(d.ClassNames) != d.Classes {
		return fmt.Errorf("dataset %q: %d class names for %d classes", d.Name, len(d.ClassNames), d.Classes)
	}
	return nil
}

// checkRange reports the first of ys outside [0, Classes); what names them in the message.
func (d *Dataset) checkRange(what string, ys []int32) error {
	for i, y := range ys {
		if y < 0 || int(y) >= d.Classes {
			return fmt.Errorf("dataset %q: row %d has %s %d, outside [0, %d)", d.Name, i, what, y, d.Classes)
		}
	}
	return nil
}

// Subset returns a new dataset holding copies of rows idx, in that order (an index may
// repeat). It panics if an index is out of range, like a slice index would.
func (d *Dataset) Subset(idx []int) *Dataset {
	f, n := d.Features(), d.Len()
	s := d.emptyLike(len(idx))
	for j, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("data: Subset index %d out of range [0, %d)", i, n))
		}
		copy(s.X[j*f:(j+1)*f], d.X[i*f:(i+1)*f])
		if d.Bytes != nil {
			copy(s.Bytes[j*f:(j+1)*f], d.Bytes[i*f:(i+1)*f])
		}
		if d.Y != nil {
			s.Y[j] = d.Y[i]
		}
		if d.TrueY != nil {
			s.TrueY[j] = d.TrueY[i]
		}
	}
	return s
}

// Clone returns a deep copy of d.
func (d *Dataset) Clone() *Dataset {
	s := d.emptyLike(0)
	s.X = append(s.X, d.X...)
	if d.Bytes != nil {
		s.Bytes = append(s.Bytes, d.Bytes...)
	}
	if d.Y != nil {
		s.Y = append(s.Y, d.Y...)
	}
	if d.TrueY != nil {
		s.TrueY = append(s.TrueY, d.TrueY...)
	}
	return s
}

// emptyLike returns a dataset with d's metadata and zeroed room for n rows.
func (d *Dataset) emptyLike(n int) *Dataset {
	s := &Dataset{
		Name:       d.Name,
		X:          make([]float32, n*d.Features()),
		Shape:      append([]int(nil), d.Shape...),
		Classes:    d.Classes,
		ClassNames: append([]string(nil), d.ClassNames...),
	}
	if d.Y != nil {
		s.Y = make([]int32, n)
	}
	if d.TrueY != nil {
		s.TrueY = make([]int32, n)
	}
	if d.Bytes != nil {
		s.Bytes = make([]byte, n*d.Features())
	}
	return s
}
