package repl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/roux-ml/roux"
)

// load loads a recipe file and starts a new session over it.
func (r *REPL) load(_ context.Context, args string) error {
	if args == "" {
		return errors.New("load takes a recipe file: load FILE")
	}
	return r.start(args, nil, "loaded")
}

// reload reads the recipe file again, with the settings set so far.
func (r *REPL) reload(_ context.Context, args string) error {
	if err := noArgs("reload", args); err != nil {
		return err
	}
	return r.start(r.file, r.overrides, "reloaded")
}

// start loads a recipe with overrides and replaces the session; on any error the
// current session stays.
func (r *REPL) start(file string, overrides []string, verb string) error {
	rec, err := roux.Load(file, overrides...)
	if err != nil {
		return err
	}
	s, err := roux.NewSession(rec, roux.Options{Log: r.out, CheckpointDir: roux.DefaultCheckpointDir(file)})
	if err != nil {
		return err
	}
	r.file, r.overrides, r.rec, r.sess = file, overrides, rec, s
	c := s.Clock()
	r.printf("%s %q from %s: %d parameters in %d tensors; %d steps (%d per epoch)\n",
		verb, rec.Title, file, paramCount(s), len(s.Params()), c.TotalSteps, c.StepsPerEpoch)
	return nil
}

// paramCount is the number of trainable values.
func paramCount(s *roux.Session) int {
	n := 0
	for _, p := range s.Params() {
		n += p.Value.Size()
	}
	return n
}

// set changes a setting mid-run: the recipe is checked again with the extra override,
// and a new session over it continues from a checkpoint of the current one.
func (r *REPL) set(_ context.Context, args string) error {
	path, value, ok := strings.Cut(args, "=")
	path, value = strings.TrimSpace(path), strings.TrimSpace(value)
	if !ok || path == "" || value == "" {
		return errors.New("set takes PATH = VALUE, like set optimizer.lr = 0.01 or set train.epochs = 6")
	}
	o := path + "=" + value
	overrides := append(append([]string(nil), r.overrides...), o)
	rec, err := roux.Compile(r.file, r.rec.Source, overrides...)
	if err != nil {
		return err
	}
	s, err := r.continued(rec)
	if err != nil {
		return err
	}
	r.overrides, r.rec, r.sess = overrides, rec, s
	c := s.Clock()
	r.printf("set %s; continuing at step %d of %d\n", o, c.Step, c.TotalSteps)
	return nil
}

// continued starts a session over rec from the current session's weights, masks,
// optimizer state, clock and data position, through a temporary checkpoint.
func (r *REPL) continued(rec *roux.Recipe) (*roux.Session, error) {
	s, err := roux.NewSession(rec, roux.Options{Log: r.out, CheckpointDir: roux.DefaultCheckpointDir(r.file)})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "roux-repl-set-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := r.sess.Save(dir); err != nil {
		return nil, err
	}
	if err := s.Continue(dir); err != nil {
		msg := strings.ReplaceAll(err.Error(), dir+": ", "") // the temporary directory means nothing to the user
		return nil, fmt.Errorf("the changed recipe cannot continue this session: %s", msg)
	}
	return s, nil
}

// save writes a checkpoint.
func (r *REPL) save(_ context.Context, args string) error {
	if args == "" || strings.Contains(args, " ") {
		return errors.New("save takes one directory: save DIR")
	}
	if err := r.sess.Save(args); err != nil {
		return err
	}
	r.printf("saved step %d to %s\n", r.sess.Clock().Step, args)
	return nil
}

// restore loads a checkpoint into the session.
func (r *REPL) restore(_ context.Context, args string) error {
	f := strings.Fields(args)
	allow := len(f) == 2 && f[1] == "--allow-recipe-change"
	if len(f) == 0 || len(f) > 2 || len(f) == 2 && !allow {
		return errors.New("restore takes a checkpoint directory: restore DIR [--allow-recipe-change]")
	}
	s, err := roux.NewSession(r.rec, roux.Options{Log: r.out, CheckpointDir: roux.DefaultCheckpointDir(r.file)}) // a failed load leaves the old one intact
	if err != nil {
		return err
	}
	if err := s.Load(f[0], allow); err != nil {
		return err
	}
	r.sess = s
	c := s.Clock()
	r.printf("restored %s: step %d of %d (epoch %s)\n", f[0], c.Step, c.TotalSteps, fmtEpoch(c.Epoch()))
	if allow {
		r.printf("the weights, masks and optimizer state carry over; the clock and the data order start over\n")
	}
	return nil
}

// fmtEpoch prints an epoch number with two decimals.
func fmtEpoch(e float64) string { return fmt.Sprintf("%.2f", e) }
