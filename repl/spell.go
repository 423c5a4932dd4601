package repl

// suggest returns " (did you mean x?)" for the closest candidate within two edits (one
// for names shorter than five letters), or "" when none is that close.
func suggest(name string, candidates []string) string {
	best, bestD := "", 1
	if len(name) >= 5 {
		bestD = 2
	}
	for _, c := range candidates {
		if d := editDistance(name, c); d <= bestD && c != name {
			best, bestD = c, d-1 // a later candidate must be strictly closer
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the optimal-string-alignment distance between a and b: insertions,
// deletions, substitutions and swaps of neighbouring letters.
func editDistance(a, b string) int {
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
