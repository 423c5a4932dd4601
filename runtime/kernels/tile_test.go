package kernels

import (
	"flag"
	"fmt"
	"testing"
	"time"
)

var sweep = flag.Bool("sweep", false, "run TestTileSweep")

// TestTileSweep prints, for each tiling, the minimum over 40 runs of each product of
// a 784-300-100-10 MLP step at batch 128 (the minimum is robust to other load on the
// machine). It only runs with -sweep.
func TestTileSweep(t *testing.T) {
	if testing.Short() || !*sweep {
		t.Skip("run with -sweep")
	}
	defer func(saved [2][3]int) { tiles = saved }(tiles)
	shapes := [][5]int{{128, 300, 784, 0, 1}, {128, 100, 300, 0, 1}, {300, 784, 128, 1, 0}, {100, 300, 128, 1, 0}, {128, 300, 100, 0, 0}}
	cfgs := [][2][3]int{
		{{64, 64, 1024}, {64, 64, 64}},
		{{64, 64, 1024}, {32, 192, 256}},
		{{64, 64, 1024}, {16, 192, 256}},
		{{64, 64, 1024}, {16, 192, 128}},
		{{64, 64, 1024}, {8, 192, 256}},
		{{64, 64, 1024}, {16, 128, 256}},
		{{64, 64, 1024}, {32, 192, 128}},
		{{64, 64, 1024}, {16, 64, 256}},
	}
	for _, cfg := range cfgs {
		tiles = cfg
		var line string
		total := time.Duration(0)
		for _, sz := range shapes {
			m, n, k := sz[0], sz[1], sz[2]
			x, w, c := bufs[0][:m*k], bufs[1][:n*k], bufs[2][:m*n]
			g := &Gemm{TransA: sz[3] == 1, TransB: sz[4] == 1, M: m, N: n, K: k}
			best := time.Hour
			for range 40 {
				t0 := time.Now()
				g.Run(c, x, w, false)
				best = min(best, time.Since(t0))
			}
			total += best
			line += fmt.Sprintf(" %6.2f", best.Seconds()*1e3)
		}
		fmt.Printf("%v:%s  total %.2f ms\n", cfg, line, total.Seconds()*1e3)
	}
}

var bufs = func() [3][]float32 {
	var b [3][]float32
	for i := range b {
		b[i] = make([]float32, 784*300)
		for j := range b[i] {
			b[i][j] = float32(j%7) * 0.1
		}
	}
	return b
}()
