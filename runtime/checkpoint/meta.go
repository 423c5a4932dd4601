package checkpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// FormatVersion is the version of meta.json that Save writes and Load reads.
const FormatVersion = 1

// Meta is the JSON sidecar of a checkpoint: everything but the tensors. Maps may be nil; Load
// returns nil for a map that was saved empty.
type Meta struct {
	Format     int                        // FormatVersion; Save writes it whatever the field holds
	Recipe     string                     // the recipe text
	RecipeHash string                     // a hash of the recipe, chosen by the caller
	Step       int                        // optimizer steps taken; SaveNumbered names the directory after it
	Epoch      int                        // epochs completed
	Seed       uint64                     // the run's seed
	RNG        map[string]string          // named RNG states, encoded by the caller
	Schedules  map[string]float64         // schedule values at Step
	Metrics    map[string]float64         // the last metrics; NaN and ±Inf are kept
	Extra      map[string]json.RawMessage // anything else, as compact JSON (e.g. a batcher position)

	TensorsSize   int64  // the size of tensors.safetensors; set by Load, ignored by Save
	TensorsSHA256 string // the hex SHA-256 of tensors.safetensors; set by Load, ignored by Save
}

// metaJSON is meta.json: Meta, with the tensors file's checksum and floats that may be NaN.
type metaJSON struct {
	Format     int                        `json:"format"`
	Step       int                        `json:"step"`
	Epoch      int                        `json:"epoch"`
	Seed       uint64                     `json:"seed"`
	RecipeHash string                     `json:"recipe_hash,omitempty"`
	Tensors    fileSum                    `json:"tensors"`
	RNG        map[string]string          `json:"rng,omitempty"`
	Schedules  map[string]jsonFloat       `json:"schedules,omitempty"`
	Metrics    map[string]jsonFloat       `json:"metrics,omitempty"`
	Extra      map[string]json.RawMessage `json:"extra,omitempty"`
	Recipe     string                     `json:"recipe,omitempty"`
}

// fileSum identifies the tensors file that goes with a meta.json.
type fileSum struct {
	File   string `json:"file"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// marshalMeta returns the contents of meta.json for m and the tensors file sum.
func marshalMeta(m *Meta, sum fileSum) ([]byte, error) {
	j := metaJSON{
		Format: FormatVersion, Step: m.Step, Epoch: m.Epoch, Seed: m.Seed,
		RecipeHash: m.RecipeHash, Tensors: sum, RNG: m.RNG,
		Schedules: toJSONFloats(m.Schedules), Metrics: toJSONFloats(m.Metrics),
		Extra: m.Extra, Recipe: m.Recipe,
	}
	b, err := json.MarshalIndent(&j, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("checkpoint: meta.json: %w", err)
	}
	return append(b, '\n'), nil
}

// unmarshalMeta parses meta.json, returning the Meta and the sum of its tensors file.
func unmarshalMeta(b []byte) (*Meta, fileSum, error) {
	var j metaJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fileSum{}, err
	}
	if j.Format != FormatVersion {
		return nil, fileSum{}, fmt.Errorf("format %d, want %d", j.Format, FormatVersion)
	}
	m := &Meta{
		Format: j.Format, Recipe: j.Recipe, RecipeHash: j.RecipeHash, Step: j.Step,
		Epoch: j.Epoch, Seed: j.Seed, RNG: j.RNG,
		Schedules: fromJSONFloats(j.Schedules), Metrics: fromJSONFloats(j.Metrics),
		Extra: compact(j.Extra), TensorsSize: j.Tensors.Size, TensorsSHA256: j.Tensors.SHA256,
	}
	return m, j.Tensors, nil
}

// compact removes the indentation meta.json gives the values of extra, so that they come back
// as json.Marshal made them.
func compact(extra map[string]json.RawMessage) map[string]json.RawMessage {
	for k, v := range extra {
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			extra[k] = b.Bytes()
		}
	}
	return extra
}

// jsonFloat is a float64 that JSON carries even when it is NaN or infinite, as the strings
// "NaN", "+Inf" and "-Inf".
type jsonFloat float64

// MarshalJSON writes f as a JSON number, or as a string if it is NaN or infinite.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	switch {
	case math.IsNaN(x):
		return []byte(`"NaN"`), nil
	case math.IsInf(x, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(x, -1):
		return []byte(`"-Inf"`), nil
	}
	return json.Marshal(x)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return json.Unmarshal(b, (*float64)(f))
	}
	switch s {
	case "NaN":
		*f = jsonFloat(math.NaN())
	case "+Inf":
		*f = jsonFloat(math.Inf(1))
	case "-Inf":
		*f = jsonFloat(math.Inf(-1))
	default:
		return fmt.Errorf("%q is not a number", s)
	}
	return nil
}

func toJSONFloats(m map[string]float64) map[string]jsonFloat {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]jsonFloat, len(m))
	for k, v := range m {
		out[k] = jsonFloat(v)
	}
	return out
}

func fromJSONFloats(m map[string]jsonFloat) map[string]float64 {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}
