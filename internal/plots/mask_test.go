package plots

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
)

// halfMask is a rows × cols mask whose left half is active.
func halfMask(rows, cols int) []float32 {
	m := make([]float32, rows*cols)
	for i := range rows {
		for j := range cols / 2 {
			m[i*cols+j] = 1
		}
	}
	return m
}

// TestMaskPNG draws a mask whose left half is active and checks that the middle row of the
// picture is black a quarter of the way in and white three quarters of the way in.
func TestMaskPNG(t *testing.T) {
	var buf bytes.Buffer
	if err := MaskPNG(&buf, halfMask(64, 32), 64, 32, "left half"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if *keep {
		os.WriteFile("mask_test.png", buf.Bytes(), 0o644)
	}
	x0, x1, y := dataColumns(t, img)
	w := x1 - x0
	if g := grey(img.At(x0+w/4, y)); g > 10 {
		t.Errorf("left half at (%d, %d) has grey %d, want black", x0+w/4, y, g)
	}
	if g := grey(img.At(x0+3*w/4, y)); g < 245 {
		t.Errorf("right half at (%d, %d) has grey %d, want white", x0+3*w/4, y, g)
	}
}

// dataColumns finds the active area in the middle row of the picture: from the first
// black pixel past the y axis to the last pixel before the right margin.
func dataColumns(t *testing.T, img image.Image) (x0, x1, y int) {
	t.Helper()
	b := img.Bounds()
	y = b.Dy() / 2
	x0 = -1
	for x := b.Min.X + b.Dx()/4; x >= b.Min.X; x-- { // walk left from inside the black half to the axis gap
		if grey(img.At(x, y)) > 128 {
			x0 = x + 1
			break
		}
	}
	if x0 < 0 {
		t.Fatalf("no left edge of the mask in row %d", y)
	}
	return x0, b.Max.X - 20, y
}

func grey(c color.Color) uint8 { return color.GrayModel.Convert(c).(color.Gray).Y }

// TestMaskPNGDownsamples checks that a large mask makes a picture of bounded size.
func TestMaskPNGDownsamples(t *testing.T) {
	var buf bytes.Buffer
	if err := MaskPNG(&buf, halfMask(10, 3000), 10, 3000, "wide"); err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width > 800 || cfg.Height > 800 {
		t.Errorf("picture is %d×%d, want at most 800 a side", cfg.Width, cfg.Height)
	}
}

// TestMaskPNGShape checks the error for a mask that does not fill its shape.
func TestMaskPNGShape(t *testing.T) {
	err := MaskPNG(&bytes.Buffer{}, make([]float32, 5), 2, 3, "x")
	if want := "a 2×3 mask needs 6 entries, not 5"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

// TestFormatOf checks the formats told by extension and the error for others.
func TestFormatOf(t *testing.T) {
	if f, err := FormatOf("a/run.PNG"); f != "png" || err != nil {
		t.Errorf("FormatOf(run.PNG) = %q, %v", f, err)
	}
	_, err := FormatOf("run.gif")
	if want := "cannot tell the picture format of run.gif; end its name in .png, .svg or .pdf"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
