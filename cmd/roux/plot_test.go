package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var keepPlots = flag.Bool("keep-plots", false, "write the pictures TestPlot draws to testdata-plot.png, to look at them")

// metricsFile writes a metrics file of evals evaluations of test and train (every 10
// steps), with the sparsity and a final record when sparse, and returns its path.
func metricsFile(t *testing.T, dir, name string, evals int, sparse bool) string {
	t.Helper()
	var b strings.Builder
	for i := 1; i <= evals; i++ {
		for _, data := range []string{"test", "train"} {
			sp := ""
			if sparse {
				sp = fmt.Sprintf(`,"sparsity":%g`, 0.8*float64(i)/float64(evals))
			}
			fmt.Fprintf(&b, `{"step":%d,"epoch":%d,"data":%q,"lr":%g,"time":0.1,"avg_params":100,"accuracy":%g,"loss":%g%s}`+"\n",
				10*i, i, data, 0.1/float64(i), 1-0.5/float64(i), 2/float64(i), sp)
		}
	}
	if sparse {
		fmt.Fprintf(&b, `{"final":true,"step":%d,"sparsity":0.8,"param_sparsity":{"net.h.weight":0.8},"avg_params":60}`+"\n", 10*evals)
	}
	return writeFile(t, filepath.Join(dir, name), b.String())
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPlot draws a dense and a sparse run: four panels (accuracy, loss, learning rate,
// sparsity) of 768×240 pixels, not blank.
func TestPlot(t *testing.T) {
	dir := t.TempDir()
	dense, sparse := metricsFile(t, dir, "dense.jsonl", 5, false), metricsFile(t, dir, "imp.jsonl", 8, true)
	out := filepath.Join(dir, "curves.png")
	code, stdout, errOut := rouxCmd("plot", dense, sparse, "-o", out)
	if code != exitOK || stdout != "wrote "+out+"\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	img := decodePNG(t, out)
	if got := img.Bounds().Size(); got != image.Pt(768, 4*240) {
		t.Errorf("picture is %v, want 768×960 (four panels)", got)
	}
	if n := colours(img); n < 10 {
		t.Errorf("picture has %d colours; blank?", n)
	}
	if *keepPlots {
		data, _ := os.ReadFile(out)
		os.WriteFile("testdata-plot.png", data, 0o644)
	}
}

// TestPlotWithoutSparsity has no sparsity panel.
func TestPlotWithoutSparsity(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "curves.png")
	if code, _, errOut := rouxCmd("plot", "-o", out, metricsFile(t, dir, "dense.jsonl", 3, false)); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := decodePNG(t, out).Bounds().Size(); got != image.Pt(768, 3*240) {
		t.Errorf("picture is %v, want 768×720 (three panels)", got)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// colours counts the distinct colours of a picture.
func colours(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			seen[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
		}
	}
	return len(seen)
}

// TestPlotErrors checks each mistake's message and exit code.
func TestPlotErrors(t *testing.T) {
	dir := t.TempDir()
	good := metricsFile(t, dir, "good.jsonl", 2, false)
	bad := writeFile(t, filepath.Join(dir, "bad.jsonl"), `{"step":10,"data":"test","loss":1}`+"\n\nloss 0.5\n")
	empty := writeFile(t, filepath.Join(dir, "empty.jsonl"), `{"final":true,"sparsity":0.5}`+"\n")
	other := writeFile(t, filepath.Join(dir, "other.jsonl"), `{"loss":1}`+"\n")
	png := filepath.Join(dir, "out.png")
	cases := []struct {
		args []string
		code int
		want string // the first line of stderr
	}{
		{[]string{"-o", png}, exitRecipe, "roux plot: expected one or more metrics files"},
		{[]string{good}, exitRecipe, "roux plot: -o FILE.png is required"},
		{[]string{good, "-o", "out.gif"}, exitRecipe, "roux plot: cannot tell the picture format of out.gif; end its name in .png, .svg or .pdf"},
		{[]string{filepath.Join(dir, "nope.jsonl"), "-o", png}, exitRecipe, "roux plot: open " + filepath.Join(dir, "nope.jsonl") + ": no such file or directory"},
		{[]string{good, bad, "-o", png}, exitRecipe, "roux plot: " + bad + ":3: not a JSON object: invalid character 'l' looking for beginning of value"},
		{[]string{empty, "-o", png}, exitRecipe, "roux plot: " + empty + " has no evaluations; write them with roux run --metrics FILE and an eval in the recipe's train block"},
		{[]string{other, "-o", png}, exitRecipe, "roux plot: " + other + ":1: not an evaluation: it needs a numeric step and a data set name"},
		{[]string{good, "-o", filepath.Join(dir, "no", "out.png")}, exitRuntime, "roux plot: cannot write " + filepath.Join(dir, "no", "out.png") + ": open " + filepath.Join(dir, "no", "out.png.roux-tmp") + ": no such file or directory"},
	}
	for _, c := range cases {
		code, _, errOut := rouxCmd(append([]string{"plot"}, c.args...)...)
		first, _, _ := strings.Cut(errOut, "\n")
		if code != c.code || first != c.want {
			t.Errorf("roux plot %v: exit %d, stderr %q\nwant exit %d, %q", c.args, code, errOut, c.code, c.want)
		}
	}
}

// TestRunName checks the legend names: file names, whole paths when names collide.
func TestRunName(t *testing.T) {
	files := []string{"a/run.jsonl", "b/run.jsonl", "c/imp.jsonl"}
	for i, want := range []string{"a/run.jsonl", "b/run.jsonl", "imp.jsonl"} {
		if got := runName(files[i], files); got != want {
			t.Errorf("runName(%s) = %s, want %s", files[i], got, want)
		}
	}
}
