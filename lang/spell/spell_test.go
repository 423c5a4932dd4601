package spell

import "testing"

func TestNearest(t *testing.T) {
	names := []string{"relu", "momentum", "step", "train", "test"}
	for name, want := range map[string]string{
		"rellu": "relu", "momentun": "momentum", "stpe": "step", "tset": "test",
		"MOMENTUM": "momentum", "net": "", "xyz": "", "step": "", "momentmu": "momentum",
	} {
		if got := Nearest(name, names); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", name, got, want)
		}
	}
	if d := Distance("ab", "ba"); d != 1 {
		t.Errorf("a swap is %d edits", d)
	}
}
