package repl

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"os"
	"testing"
)

// TestMaskPNG writes a mask's density map from the REPL and checks that the picture
// decodes and has both active (black) and pruned (white) pixels.
func TestMaskPNG(t *testing.T) {
	var out bytes.Buffer
	r := loaded(t, &out)
	r.Exec(context.Background(), "mask net.h2.weight --png h2.png")
	if want := "wrote h2.png: mask sparse of net.h2.weight [64 64] (sparsity 0.5000)\n"; out.String() != want {
		t.Fatalf("output %q, want %q", out.String(), want)
	}
	data, err := os.ReadFile("h2.png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	black, white := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y {
			case 0:
				black++
			case 255:
				white++
			}
		}
	}
	if black < 1000 || white < 1000 {
		t.Errorf("picture %v has %d black and %d white pixels; want a mask of both", b.Size(), black, white)
	}
}

// TestPNGFlag checks how mask's arguments split into a selector and a file.
func TestPNGFlag(t *testing.T) {
	cases := []struct{ args, sel, file, err string }{
		{"net.h1.weight", "net.h1.weight", "", ""},
		{"net.h1.weight --png a.png", "net.h1.weight", "a.png", ""},
		{"--png a.png", "", "a.png", ""},
		{"net.h1.weight --png", "", "", "--png takes one file: mask SELECTOR --png FILE.png"},
		{"net.h1.weight --png a.png b.png", "", "", "--png takes one file: mask SELECTOR --png FILE.png"},
	}
	for _, c := range cases {
		sel, file, err := pngFlag(c.args)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if sel != c.sel || file != c.file || msg != c.err {
			t.Errorf("pngFlag(%q) = %q, %q, %q; want %q, %q, %q", c.args, sel, file, msg, c.sel, c.file, c.err)
		}
	}
}
