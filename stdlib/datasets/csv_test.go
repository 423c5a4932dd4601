package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile writes content to name in a fresh temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const irisLike = "\uFEFFsepal_length, sepal_width, species\n" +
	"5.1, 3.5, setosa\n" +
	"\n" +
	"7.0, 3.2, versicolor\n" +
	"6.3, 3.3, virginica\n" +
	"4.9, 3.0, setosa\n"

func TestCSVStringLabels(t *testing.T) {
	path := writeFile(t, "iris.csv", irisLike)
	for _, label := range []string{"species", "2", "last"} {
		d, err := CSV(path, CSVOptions{Header: true, Label: label})
		if err != nil {
			t.Fatalf("label %q: %v", label, err)
		}
		if d.Name != "iris" || d.Len() != 4 || !slices.Equal(d.Shape, []int{2}) || d.Classes != 3 {
			t.Fatalf("label %q: %q, %d rows of %v, %d classes", label, d.Name, d.Len(), d.Shape, d.Classes)
		}
		if !slices.Equal(d.Y, []int32{0, 1, 2, 0}) || !slices.Equal(d.ClassNames, []string{"setosa", "versicolor", "virginica"}) {
			t.Fatalf("label %q: Y = %v, names %v", label, d.Y, d.ClassNames)
		}
		if !slices.Equal(d.X, []float32{5.1, 3.5, 7.0, 3.2, 6.3, 3.3, 4.9, 3.0}) {
			t.Fatalf("X = %v", d.X)
		}
	}
}

func TestCSVIntLabels(t *testing.T) {
	path := writeFile(t, "d.csv", "2,1.5,-1\n0,2.5,1e3\n2,0,0\n")
	d, err := CSV(path, CSVOptions{Label: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Classes != 3 || !slices.Equal(d.Y, []int32{2, 0, 2}) || d.ClassNames != nil || !slices.Equal(d.X, []float32{1.5, -1, 2.5, 1000, 0, 0}) {
		t.Fatalf("Classes %d, Y %v, names %v, X %v", d.Classes, d.Y, d.ClassNames, d.X)
	}
}

func TestCSVUnlabelled(t *testing.T) {
	path := writeFile(t, "u.csv", "1;2;3\n4;5;6\n")
	d, err := CSV(path, CSVOptions{Comma: ';'})
	if err != nil {
		t.Fatal(err)
	}
	if d.Y != nil || d.Classes != 0 || d.Len() != 2 || d.Features() != 3 {
		t.Fatalf("Y %v, Classes %d, Len %d, Features %d", d.Y, d.Classes, d.Len(), d.Features())
	}
}

func TestCSVErrors(t *testing.T) {
	for _, c := range []struct {
		name, content string
		opts          CSVOptions
		want          string
	}{
		{"ragged", "a,b,c\n1,2,3\n4,5\n", CSVOptions{Header: true}, "ragged.csv:3:1: row has 2 fields, want 3 like line 1"},
		{"nonnumeric", "a,b,c\n1,2,3\n4,x5,6\n", CSVOptions{Header: true}, `nonnumeric.csv:3:3: column 1 ("b"): "x5" is not a number`},
		{"header", "a,b\n1,2\n", CSVOptions{}, `header.csv:1:1: column 0: "a" is not a number (if the first line is a header, set Header)`},
		{"empty cell", "1,,3\n", CSVOptions{Label: "last"}, "empty cell.csv:1:3: column 1: empty cell"},
		{"nan", "1,NaN\n", CSVOptions{}, `nan.csv:1:3: column 1: "NaN" is not a finite float32`},
		{"overflow", "1,1e39\n", CSVOptions{}, `overflow.csv:1:3: column 1: "1e39" is not a finite float32`},
		{"empty label", "1,2\n3, \n", CSVOptions{Label: "1"}, "empty label.csv:2:4: column 1: empty label"},
		{"no rows", "a,b\n", CSVOptions{Header: true}, "no rows.csv: no data rows"},
		{"no features", "1\n2\n", CSVOptions{Label: "last"}, "no features.csv: no feature columns"},
		{"unknown name", "a,b\n1,2\n", CSVOptions{Header: true, Label: "c"}, `unknown name.csv:1:1: label column "c": no such column; the header names "a", "b"`},
		{"name without header", "1,2\n", CSVOptions{Label: "c"}, `label column "c": a column can be named only when the file has a header`},
		{"index", "1,2\n", CSVOptions{Label: "2"}, "index.csv:1:1: label column index 2: out of range, the file has 2 columns (0 to 1)"},
		{"quote", "1,\"2\n", CSVOptions{}, `quote.csv:1:6: extraneous or missing " in quoted-field`},
	} {
		path := writeFile(t, c.name+".csv", c.content)
		_, err := CSV(path, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestCSVMissingFile(t *testing.T) {
	_, err := CSV(filepath.Join(t.TempDir(), "nope.csv"), CSVOptions{})
	if err == nil || !strings.Contains(err.Error(), "nope.csv") {
		t.Fatalf("error %v", err)
	}
}
