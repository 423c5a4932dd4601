package plots

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // png
	_ "gonum.org/v1/plot/vg/vgpdf" // pdf
	_ "gonum.org/v1/plot/vg/vgsvg" // svg
)

// Formats are the file formats the pictures can be written in, by file extension.
var Formats = []string{"png", "svg", "pdf"}

// Sizes of a figure: at 96 dots per inch a PNG panel is 768×240 pixels.
const (
	figureWidth = 8 * vg.Inch
	panelHeight = 2.5 * vg.Inch
)

// FormatOf is the format of a file by its extension, or an error naming the formats.
func FormatOf(file string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(file), "."))
	for _, f := range Formats {
		if ext == f {
			return f, nil
		}
	}
	return "", fmt.Errorf("cannot tell the picture format of %s; end its name in %s", file, formatList())
}

// formatList is ".png, .svg or .pdf".
func formatList() string {
	exts := make([]string, len(Formats))
	for i, f := range Formats {
		exts[i] = "." + f
	}
	return strings.Join(exts[:len(exts)-1], ", ") + " or " + exts[len(exts)-1]
}

// Panel is one plot of a stacked figure.
type Panel struct {
	Title       string // also the y axis label
	Lines       []Line
	LegendBelow bool // put the legend at the bottom right, for curves that rise
}

// Line is one curve of a panel. Lines of the same run share a colour; lines of the same
// data set share a dash pattern.
type Line struct {
	Label    string
	Run, Set int
	X, Y     []float64
}

// Stacked writes panels stacked vertically on a shared x axis, labelled xLabel under the
// bottom panel, in format (one of Formats).
func Stacked(w io.Writer, panels []Panel, xLabel, format string) error {
	if len(panels) == 0 {
		return fmt.Errorf("no panels to draw")
	}
	c, err := draw.NewFormattedCanvas(figureWidth, panelHeight*vg.Length(len(panels)), format)
	if err != nil {
		return err
	}
	lo, hi := xRange(panels)
	rows := make([][]*plot.Plot, len(panels))
	for i, pn := range panels {
		rows[i] = []*plot.Plot{newPanel(pn, lo, hi)}
	}
	rows[len(rows)-1][0].X.Label.Text = xLabel
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Millimeter, PadTop: vg.Millimeter,
		PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: 3 * vg.Millimeter}
	canvases := plot.Align(rows, tiles, draw.New(c))
	for i := range rows {
		rows[i][0].Draw(canvases[i][0])
	}
	_, err = c.WriteTo(w)
	return err
}

// xRange is the smallest and largest x of every line.
func xRange(panels []Panel) (lo, hi float64) {
	lo, hi = 0, 1
	for _, pn := range panels {
		for _, l := range pn.Lines {
			for _, x := range l.X {
				lo, hi = min(lo, x), max(hi, x)
			}
		}
	}
	return lo, hi
}

// newPanel makes the plot of one panel over [lo, hi].
func newPanel(pn Panel, lo, hi float64) *plot.Plot {
	p := plot.New()
	p.Y.Label.Text = pn.Title
	p.X.Min, p.X.Max = lo, hi
	p.Add(plotter.NewGrid())
	p.Legend.Top = !pn.LegendBelow
	for _, l := range pn.Lines {
		addLine(p, l)
	}
	return p
}

// addLine adds a line and its legend entry; a line of one point is drawn as a dot.
func addLine(p *plot.Plot, l Line) {
	xys := make(plotter.XYs, len(l.X))
	for i := range xys {
		xys[i].X, xys[i].Y = l.X[i], l.Y[i]
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil { // NaN or infinite values: draw nothing rather than fail the figure
		return
	}
	line.Color = plotutil.Color(l.Run)
	line.Dashes = plotutil.Dashes(l.Set)
	points.Color, points.Radius = line.Color, vg.Points(1.5)
	p.Add(line, points)
	p.Legend.Add(l.Label, line)
}
