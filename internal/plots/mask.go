package plots

import (
	"fmt"
	"image"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// maxSide is the most pixels a side of a mask picture has before it is downsampled.
const maxSide = 600

// MaskPNG writes a density map of a rows × cols row-major 0/1 mask as a PNG: each pixel is
// the share of active entries in its block, from white (all pruned) to black (all
// active), the mask downsampled to at most about 600 pixels a side. Row 0 is at the top.
// The picture's title is title followed by the shape and the sparsity.
func MaskPNG(w io.Writer, mask []float32, rows, cols int, title string) error {
	if rows <= 0 || cols <= 0 || len(mask) != rows*cols {
		return fmt.Errorf("a %d×%d mask needs %d entries, not %d", rows, cols, rows*cols, len(mask))
	}
	img := density(mask, rows, cols, ceilDiv(rows, maxSide), ceilDiv(cols, maxSide))
	img = upsample(img, displaySize(img.Rect.Size()))
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s [%d %d], sparsity %.4f", title, rows, cols, sparsity(mask))
	p.X.Label.Text, p.Y.Label.Text = "column", "row"
	p.Add(plotter.NewImage(img, 0, 0, float64(cols), float64(rows)))
	p.X.Padding, p.Y.Padding = 0, 0
	p.Y.Tick.Marker = rowTicks(rows)
	c := vgimg.New(canvasSize(img.Rect.Size(), p.Title.TextStyle.Width(p.Title.Text)))
	p.Draw(draw.New(c))
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
	return err
}

// density downsamples a mask by averaging rh × cw blocks into grey levels: 255 where no
// entry of the block is active, 0 where all are.
func density(mask []float32, rows, cols, rh, cw int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, ceilDiv(cols, cw), ceilDiv(rows, rh)))
	for y := range img.Rect.Dy() {
		for x := range img.Rect.Dx() {
			share := blockMean(mask, cols, y*rh, min((y+1)*rh, rows), x*cw, min((x+1)*cw, cols))
			img.SetGray(x, y, color.Gray{Y: uint8(255 - share*255 + 0.5)})
		}
	}
	return img
}

// blockMean is the mean of the block [r0, r1) × [c0, c1) of a row-major matrix.
func blockMean(m []float32, cols, r0, r1, c0, c1 int) float64 {
	sum := 0.0
	for i := r0; i < r1; i++ {
		for j := c0; j < c1; j++ {
			sum += float64(m[i*cols+j])
		}
	}
	return min(1, max(0, sum/float64((r1-r0)*(c1-c0))))
}

// sparsity is the share of a mask's entries that are zero.
func sparsity(mask []float32) float64 {
	zeros := 0
	for _, v := range mask {
		if v == 0 {
			zeros++
		}
	}
	return float64(zeros) / float64(len(mask))
}

// displaySize is the size a density image of px pixels is shown at: scaled up to about
// 400 pixels on its longer side, each side at least 160 pixels.
func displaySize(px image.Point) image.Point {
	scale := max(1, 400/max(px.X, px.Y))
	return image.Pt(max(px.X*scale, 160), max(px.Y*scale, 160))
}

// upsample scales img up to size by repeating pixels, so that the blocks keep sharp edges.
func upsample(img *image.Gray, size image.Point) *image.Gray {
	out := image.NewGray(image.Rectangle{Max: size})
	src := img.Rect.Size()
	for y := range size.Y {
		for x := range size.X {
			out.SetGray(x, y, img.GrayAt(x*src.X/size.X, y*src.Y/size.Y))
		}
	}
	return out
}

// canvasSize is the picture's size for an image of px pixels: room for it, the axes and
// a title of the given width.
func canvasSize(px image.Point, title vg.Length) (w, h vg.Length) {
	dots := func(n int) vg.Length { return vg.Length(n) * vg.Inch / vgimg.DefaultDPI }
	return max(dots(px.X+80), title+dots(20)), dots(px.Y + 70)
}

// rowTicks labels the y axis of a picture of rows rows drawn with row 0 at the top.
type rowTicks int

// Ticks are the default ticks of the row numbers, counted from the top, placed on the
// y axis that counts from the bottom.
func (r rowTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(float64(r)-hi, float64(r)-lo)
	for i := range ticks {
		ticks[i].Value = float64(r) - ticks[i].Value
	}
	return ticks
}

func ceilDiv(a, b int) int { return max(1, (a+b-1)/b) }
