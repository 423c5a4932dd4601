// Package spell finds the name a misspelled one was probably meant to be, for "did you
// mean …?" hints in the checker and the REPL.
package spell

import "strings"

// Nearest returns the candidate closest to name, ignoring case: within one edit for names
// shorter than six letters, two for longer ones (a swap of neighbouring letters counts
// as one edit). It returns "" when none is that close, or when name is itself a candidate.
func Nearest(name string, candidates []string) string {
	best, bestD := "", 1
	if len(name) >= 6 {
		bestD = 2
	}
	for _, c := range candidates {
		if c == name {
			return ""
		}
		if d := Distance(strings.ToLower(name), strings.ToLower(c)); d <= bestD && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the optimal-string-alignment distance between a and b: insertions,
// deletions, substitutions and swaps of neighbouring letters.
func Distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
