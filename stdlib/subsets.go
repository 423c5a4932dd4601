package stdlib

import (
	"fmt"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/data"
)

// Data transforms for semi-supervised and noisy-label training (PAPERS.md L1, L3, L5),
// written after a data set with |>: mnist(split: "train") |> per_class(10).
func init() {
	input := sig.Param{Name: "data", Type: sig.Dataset, Doc: "the data set to transform"}
	add := func(name, doc string, params []sig.Param, info func(in sig.DataInfo, a sig.Args) (sig.DataInfo, error), derive func(in *data.Dataset, a Args) (*data.Dataset, error)) {
		mustRegister(&Entry{Signature: sig.Signature{Name: name, Kind: sig.Data, Doc: doc, Params: append([]sig.Param{input}, params...), Transform: info}, Derive: derive})
	}
	labelled := func(name string, in sig.DataInfo) error {
		if in.Classes == 0 || in.Unlabeled {
			return &sig.ArgError{Param: "data", Msg: name + " needs a labelled data set"}
		}
		return nil
	}
	add("per_class", "A labelled subset with n samples of each class, chosen by seed.",
		[]sig.Param{intP("n", nil, "samples per class", positive), intP("seed", 1.0, "seed of the choice; the subset does not change with the training seed", nonNegative)},
		func(in sig.DataInfo, a sig.Args) (sig.DataInfo, error) {
			if err := labelled("per_class", in); err != nil {
				return in, err
			}
			n := a.Int("n")
			if in.MinClass > 0 && n > in.MinClass {
				return in, &sig.ArgError{Param: "n", Msg: fmt.Sprintf("asks for %d samples per class, but the smallest class has %d", n, in.MinClass)}
			}
			in.Size, in.MinClass = n*in.Classes, n
			return in, nil
		},
		func(in *data.Dataset, a Args) (*data.Dataset, error) { return data.PerClass(in, a.Int("n"), seed(a)) })
	add("unlabeled", "The data set's inputs without their labels, for consistency losses.", nil,
		func(in sig.DataInfo, _ sig.Args) (sig.DataInfo, error) {
			in.Unlabeled, in.Noisy = true, false
			return in, nil
		},
		func(in *data.Dataset, _ Args) (*data.Dataset, error) { return data.Unlabeled(in), nil })
	add("label_noise", "Corrupts exactly round(rate·N) labels, chosen by seed: symmetric draws another class uniformly, asymmetric maps class k to k+1 (mod classes). The true labels are kept for clean_accuracy and memorized.",
		[]sig.Param{numP("rate", nil, "share of corrupted labels, in [0, 1)", fraction), enumP("kind", "symmetric", "how corrupted labels are drawn", "symmetric", "asymmetric"),
			intP("seed", 1.0, "seed of the corruption; it does not change with the training seed", nonNegative)},
		func(in sig.DataInfo, _ sig.Args) (sig.DataInfo, error) {
			if err := labelled("label_noise", in); err != nil {
				return in, err
			}
			if in.Classes < 2 {
				return in, &sig.ArgError{Param: "data", Msg: "label_noise needs at least 2 classes"}
			}
			if in.Noisy { // a second corruption would replace the first, not add to it
				return in, &sig.ArgError{Msg: "the data set already has label_noise; give one rate for both"}
			}
			in.Noisy = true
			return in, nil
		},
		func(in *data.Dataset, a Args) (*data.Dataset, error) {
			kind := data.Symmetric
			if a.Str("kind") == "asymmetric" {
				kind = data.Asymmetric
			}
			return data.WithLabelNoise(in, a.Float("rate"), kind, seed(a))
		})
	add("ratio", "Draws r samples of this data set per sample of the batch each step (UDA's unlabeled ratio 7).",
		[]sig.Param{numP("r", nil, "samples per step as a multiple of the batch size", positive)},
		func(in sig.DataInfo, a sig.Args) (sig.DataInfo, error) {
			if in.Ratio != 0 {
				return in, &sig.ArgError{Msg: fmt.Sprintf("the data set already has ratio(%g); give one ratio", in.Ratio)}
			}
			in.Ratio = a.Float("r")
			return in, nil
		},
		func(in *data.Dataset, _ Args) (*data.Dataset, error) { return in, nil })
}
