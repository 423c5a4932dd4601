package repl

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/roux-ml/roux"
	"github.com/roux-ml/roux/internal/plots"
)

// pngFlag splits the arguments of mask into the selector and the file of a --png FILE
// flag after it ("" without the flag).
func pngFlag(args string) (sel, file string, err error) {
	sel, file, found := strings.Cut(args, "--png")
	sel, file = strings.TrimSpace(sel), strings.TrimSpace(file)
	if found && (file == "" || strings.ContainsAny(file, " \t")) {
		return "", "", fmt.Errorf("--png takes one file: mask SELECTOR --png FILE.png")
	}
	return sel, file, nil
}

// maskPNG writes the density map of the one masked weight among rows to file.
func (r *REPL) maskPNG(file string, rows []roux.ParamSparsity) error {
	if len(rows) != 1 {
		return fmt.Errorf("--png draws one mask, and the selector matches %d: %s", len(rows), maskedNames(rows))
	}
	p := rows[0]
	n, cols := 1, p.Shape[len(p.Shape)-1]
	for _, d := range p.Shape[:len(p.Shape)-1] {
		n *= d
	}
	var buf bytes.Buffer
	if err := plots.MaskPNG(&buf, r.sess.Mask(p.Path), n, cols, fmt.Sprintf("mask %s of %s", p.Mask, p.Path)); err != nil {
		return err
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return err
	}
	r.printf("wrote %s: mask %s of %s %v (sparsity %.4f)\n", file, p.Mask, p.Path, p.Shape, 1-float64(p.Active)/float64(p.Size))
	return nil
}
