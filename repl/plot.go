package repl

import (
	"fmt"
	"math"
	"strings"
)

// eighths are the block characters that draw a bar's last partial cell.
var eighths = []rune(" ▏▎▍▌▋▊▉█")

// histogram draws bins rows of bars, one per equal-width bin between lo and hi, the
// longest bar width cells wide, each with its range and count.
func histogram(xs []float32, lo, hi float64, bins, width int) string {
	count := make([]int, bins)
	for _, x := range xs {
		count[bin(float64(x), lo, hi, bins)]++
	}
	most := 0
	for _, c := range count {
		most = max(most, c)
	}
	var b strings.Builder
	step := (hi - lo) / float64(bins)
	for i, c := range count {
		fmt.Fprintf(&b, "  %10.4g .. %-10.4g %-*s %d\n", lo+float64(i)*step, lo+float64(i+1)*step, width, bar(c, most, width), c)
	}
	return b.String()
}

// bin is the bin of x among bins equal bins over [lo, hi]; hi falls in the last.
func bin(x, lo, hi float64, bins int) int {
	if hi <= lo {
		return 0
	}
	return min(int((x-lo)/(hi-lo)*float64(bins)), bins-1)
}

// bar draws count/most of width cells in eighths of a cell.
func bar(count, most, width int) string {
	if most == 0 {
		return ""
	}
	n := count * width * 8 / most
	s := strings.Repeat("█", n/8)
	if n%8 > 0 {
		s += string(eighths[n%8])
	}
	return s
}

// shades are the characters of a density map, from none active to all active.
const shades = " .:-=+*#%@"

// densityMap draws a mask of the given shape, downsampled to at most maxRows by
// maxCols cells, each shaded by the share of its entries that are active. A tensor of
// one dimension is drawn as one row; more than two are folded into the rows.
func densityMap(m []float32, shape []int, maxRows, maxCols int) string {
	rows, cols := 1, shape[len(shape)-1]
	for _, d := range shape[:len(shape)-1] {
		rows *= d
	}
	rh, cw := ceilDiv(rows, maxRows), ceilDiv(cols, maxCols)
	var b strings.Builder
	fmt.Fprintf(&b, "  one cell: %d×%d entries; %q from none to all active\n", rh, cw, shades)
	border := "  +" + strings.Repeat("-", ceilDiv(cols, cw)) + "+\n"
	b.WriteString(border)
	for r0 := 0; r0 < rows; r0 += rh {
		b.WriteString("  |")
		for c0 := 0; c0 < cols; c0 += cw {
			b.WriteByte(shade(m, cols, r0, min(r0+rh, rows), c0, min(c0+cw, cols)))
		}
		b.WriteString("|\n")
	}
	b.WriteString(border)
	return b.String()
}

// shade is the character for the share of active entries in a block of a row-major mask.
func shade(m []float32, cols, r0, r1, c0, c1 int) byte {
	active, n := 0.0, 0
	for i := r0; i < r1; i++ {
		for j := c0; j < c1; j++ {
			active += float64(m[i*cols+j])
			n++
		}
	}
	k := int(math.Ceil(active / float64(n) * float64(len(shades)-1)))
	return shades[max(0, min(k, len(shades)-1))]
}

func ceilDiv(a, b int) int { return max(1, (a+b-1)/b) }

// curve is a function of the step to plot over [0, total].
type curve func(step int) float64

// plot draws f over the steps 0..total in a width × height character grid, the point at
// step now drawn as o and marked under the axis.
func plot(f curve, total, now, width, height int) string {
	vals := make([]float64, width)
	lo, hi := math.Inf(1), math.Inf(-1)
	for j := range vals {
		vals[j] = f(column(j, total, width))
		lo, hi = math.Min(lo, vals[j]), math.Max(hi, vals[j])
	}
	grid := make([][]rune, height)
	for i := range grid {
		grid[i] = []rune(strings.Repeat(" ", width))
	}
	nowCol := min(width-1, int(math.Round(float64(now)*float64(width-1)/float64(max(total, 1)))))
	for j, v := range vals {
		row := height - 1 - level(v, lo, hi, height)
		grid[row][j] = '*'
		if j == nowCol {
			grid[row][j] = 'o'
		}
	}
	return drawGrid(grid, lo, hi) + axis(total, nowCol, width)
}

// column is the step plotted in column j of width.
func column(j, total, width int) int {
	return int(math.Round(float64(j) * float64(total) / float64(width-1)))
}

// level is the row (0 at the bottom) of v in [lo, hi].
func level(v, lo, hi float64, height int) int {
	if hi-lo <= 1e-12*math.Max(1, math.Abs(hi)) {
		return height / 2
	}
	return int(math.Round((v - lo) / (hi - lo) * float64(height-1)))
}

// drawGrid writes the grid's rows with the top and bottom values on the left.
func drawGrid(grid [][]rune, lo, hi float64) string {
	var b strings.Builder
	for i, row := range grid {
		label := ""
		switch i {
		case 0:
			label = fmt.Sprintf("%.4g", hi)
		case len(grid) - 1:
			label = fmt.Sprintf("%.4g", lo)
		}
		fmt.Fprintf(&b, "%10s │%s\n", label, strings.TrimRight(string(row), " "))
	}
	return b.String()
}

// axis draws the step axis: 0 on the left, total on the right, ^ under the current step.
func axis(total, nowCol, width int) string {
	marks := []rune(strings.Repeat(" ", width))
	end := []rune(fmt.Sprint(total))
	copy(marks[width-len(end):], end)
	marks[0] = '0'
	marks[nowCol] = '^'
	return fmt.Sprintf("%10s └%s\n%10s  %s\n", "", strings.Repeat("─", width), "step", strings.TrimRight(string(marks), " "))
}
