package repl

import (
	"fmt"
	"path"
	"strings"

	"github.com/roux-ml/roux/runtime/tensor"
)

// matchPath reports whether a parameter path matches a selector: each dot-separated
// segment is a path.Match glob, and a selector with fewer segments selects everything
// below it.
func matchPath(sel, p string) (bool, error) {
	ss, ps := strings.Split(sel, "."), strings.Split(p, ".")
	if len(ss) > len(ps) {
		return false, validSelector(sel)
	}
	for i, s := range ss {
		ok, err := path.Match(s, ps[i])
		if err != nil {
			return false, fmt.Errorf("bad selector %s: %w", sel, err)
		}
		if !ok {
			return false, validSelector(sel)
		}
	}
	return true, nil
}

// validSelector reports a malformed glob in any segment of a selector.
func validSelector(sel string) error {
	for _, s := range strings.Split(sel, ".") {
		if _, err := path.Match(s, ""); err != nil {
			return fmt.Errorf("bad selector %s: %w", sel, err)
		}
	}
	return nil
}

// selectParams returns the parameters a selector matches, in creation order; a
// selector that matches none is an error listing the candidates.
func selectParams(sel string, params []*tensor.Param) ([]*tensor.Param, error) {
	if sel == "" || strings.ContainsAny(sel, " \t") {
		return nil, fmt.Errorf("expected one selector, like net.*.weight, not %q", sel)
	}
	var out []*tensor.Param
	for _, p := range params {
		ok, err := matchPath(sel, p.Name)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s matches no parameter%s; the parameters are %s", sel, suggest(sel, names(params)), strings.Join(names(params), ", "))
	}
	return out, nil
}

// names lists the parameters' paths.
func names(params []*tensor.Param) []string {
	out := make([]string, len(params))
	for i, p := range params {
		out[i] = p.Name
	}
	return out
}
