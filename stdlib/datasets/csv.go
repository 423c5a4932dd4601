package datasets

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/roux-ml/roux/runtime/data"
)

// CSVOptions says how to read a CSV file.
type CSVOptions struct {
	// Header says that the first record names the columns.
	Header bool
	// Label picks the label column: a header name, a 0-based column index such as "4",
	// or "last". A header name wins over an index. Empty means the data is unlabelled.
	Label string
	// Comma is the field separator; 0 means ','.
	Comma rune
}

// maxIntClass is the largest integer label CSV takes as a class id.
const maxIntClass = 1<<16 - 1

// CSV reads a CSV file of numeric columns into a dataset with Shape [columns] (the label
// column excluded) named after the file. Blank lines are skipped.
//
// Labels: if every label cell is an integer in [0, 65535], the integers are the class
// ids and Classes is the largest plus one (so labels 1..3 make 4 classes, class 0 empty).
// Otherwise each distinct label string is a class, numbered in sorted (byte-wise) order,
// and the dataset's ClassNames lists them.
//
// Every error about the content names the file, line and column (file:line:col, the
// column counted in bytes) and the CSV column involved.
func CSV(path string, opts CSVOptions) (*data.Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	defer f.Close()
	r := newCSVReader(f, opts.Comma)
	t := &csvTable{path: path}
	if err := t.read(r, opts); err != nil {
		return nil, err
	}
	return t.dataset()
}

// newCSVReader returns a CSV reader over f that skips a UTF-8 byte-order mark.
func newCSVReader(f io.Reader, comma rune) *csv.Reader {
	br := bufio.NewReader(f)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	if comma != 0 {
		r.Comma = comma
	}
	return r
}

// csvTable accumulates the rows of a CSV file.
type csvTable struct {
	path   string
	names  []string // column names, or nil without a header
	width  int      // fields per record
	label  int      // label column, or -1
	x      []float32
	labels []string // label cells
	rows   int
	first  int // line of the first record, whose width the others must match
}

// read reads the whole file.
func (t *csvTable) read(r *csv.Reader, opts CSVOptions) error {
	t.label = -1
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t.parseError(err)
		}
		if first {
			if err := t.start(r, rec, opts); err != nil {
				return err
			}
			if opts.Header {
				continue
			}
		}
		if err := t.addRow(r, rec); err != nil {
			return err
		}
	}
	if t.rows == 0 {
		return fmt.Errorf("csv: %s: no data rows", t.path)
	}
	return nil
}

// start takes the width and column names from the first record and finds the label column.
func (t *csvTable) start(r *csv.Reader, rec []string, opts CSVOptions) error {
	t.width = len(rec)
	t.first, _ = r.FieldPos(0)
	if opts.Header {
		t.names = trimAll(rec)
	}
	if opts.Label == "" {
		return nil
	}
	col, err := t.labelColumn(opts.Label)
	if err != nil {
		line, _ := r.FieldPos(0)
		return fmt.Errorf("%s:%d:1: %v", t.path, line, err)
	}
	t.label = col
	return nil
}

// labelColumn resolves the Label option against the first record.
func (t *csvTable) labelColumn(label string) (int, error) {
	for i, name := range t.names {
		if name == label {
			return i, nil
		}
	}
	if label == "last" {
		return t.width - 1, nil
	}
	i, err := strconv.Atoi(label)
	switch {
	case err != nil && t.names == nil:
		return 0, fmt.Errorf("label column %q: a column can be named only when the file has a header (set Header), else give a 0-based index or \"last\"", label)
	case err != nil:
		return 0, fmt.Errorf("label column %q: no such column; the header names %s", label, strings.Join(quoteAll(t.names), ", "))
	case i < 0 || i >= t.width:
		return 0, fmt.Errorf("label column index %d: out of range, the file has %d columns (0 to %d)", i, t.width, t.width-1)
	}
	return i, nil
}

// addRow parses one data record.
func (t *csvTable) addRow(r *csv.Reader, rec []string) error {
	if len(rec) != t.width {
		line, _ := r.FieldPos(0)
		return fmt.Errorf("%s:%d:1: row has %d fields, want %d like line %d", t.path, line, len(rec), t.width, t.first)
	}
	for i, cell := range rec {
		if err := t.addCell(i, cell); err != nil {
			line, col := r.FieldPos(i)
			return fmt.Errorf("%s:%d:%d: %s: %v%s", t.path, line, col, t.column(i), err, t.headerHint(err))
		}
	}
	t.rows++
	return nil
}

// addCell adds cell i of a row to the features or the labels.
func (t *csvTable) addCell(i int, cell string) error {
	if i != t.label {
		v, err := parseCell(cell)
		t.x = append(t.x, v)
		return err
	}
	s := strings.TrimSpace(cell)
	if s == "" {
		return errors.New("empty label")
	}
	t.labels = append(t.labels, strings.Clone(s)) // not pinning the whole record
	return nil
}

// headerHint suggests the Header option when the first record of a file read without it
// fails to parse.
func (t *csvTable) headerHint(err error) string {
	if t.names == nil && t.rows == 0 && errors.Is(err, errNotNumber) {
		return " (if the first line is a header, set Header)"
	}
	return ""
}

// errNotNumber is the error of a feature cell that is text.
var errNotNumber = errors.New("is not a number")

// parseCell parses a feature cell as a finite number.
func parseCell(cell string) (float32, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return 0, errors.New("empty cell")
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q %w", s, errNotNumber)
	}
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite float32", s)
	}
	return float32(v), nil
}

// column describes column i for messages: its index, and its name if there is a header.
func (t *csvTable) column(i int) string {
	if t.names != nil {
		return fmt.Sprintf("column %d (%q)", i, t.names[i])
	}
	return fmt.Sprintf("column %d", i)
}

// parseError gives a csv.ParseError the file:line:col form.
func (t *csvTable) parseError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", t.path, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("csv: %s: %v", t.path, err)
}

// dataset assembles the table into a dataset.
func (t *csvTable) dataset() (*data.Dataset, error) {
	features := t.width - boolInt(t.label >= 0)
	if features == 0 {
		return nil, fmt.Errorf("csv: %s: no feature columns, only the label", t.path)
	}
	name := strings.TrimSuffix(filepath.Base(t.path), filepath.Ext(t.path))
	d := &data.Dataset{Name: name, X: t.x, Shape: []int{features}}
	if t.label >= 0 {
		d.Y, d.Classes, d.ClassNames = classIDs(t.labels)
	}
	return d, d.Check()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func trimAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strings.TrimSpace(v)
	}
	return out
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = strconv.Quote(v)
	}
	return out
}
