package check

import "testing"

func TestSelectorMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"net.*.weight", "net.h1.weight", true},
		{"net.*.weight", "net.r1.conv1.weight", false},
		{"net.**.weight", "net.r1.conv1.weight", true},
		{"net.**.weight", "net.h1.weight", true},
		{"net.**.weight", "net.h1.bias", false},
		{"net.**", "net.r.2.h.bias", true},
		{"net.r1", "net.r1.conv1.weight", true},
		{"net.h[12].weight", "net.h2.weight", true},
		{"**.bias", "teacher.h.bias", true},
		{"net.**.conv1.*", "net.stage.2.conv1.bias", true},
		{"net.**.conv1.*", "net.stage.2.conv2.bias", false},
	} {
		if got := selectorMatches(c.pattern, c.path); got != c.want {
			t.Errorf("%s on %s: %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}
