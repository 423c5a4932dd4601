package checkpoint

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzRead checks that Decode never panics, and that whatever it accepts encodes again to a
// file that decodes to the same thing.
func FuzzRead(f *testing.F) {
	valid := encode(f, sample(), map[string]string{"k": "v"})
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(valid[:8])
	f.Add(valid[:40])
	bigger := bytes.Clone(valid)
	binary.LittleEndian.PutUint64(bigger, uint64(len(valid)))
	f.Add(bigger)
	for _, i := range []int{8, 20, 60, 100, 200} {
		bad := bytes.Clone(valid)
		bad[i] ^= 0x11
		f.Add(bad)
	}
	f.Add(file(`{"x":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"y":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 1, 2))
	f.Add(file(`{"__metadata__":{"a":"b"},"x":{"dtype":"I32","shape":[0,7],"data_offsets":[0,0]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tensors, md, err := Decode(b)
		if err != nil {
			return
		}
		var once, twice bytes.Buffer
		if err := Encode(&once, tensors, md); err != nil {
			t.Fatalf("Decode accepted what Encode rejects: %v", err)
		}
		tensors, md, err = Decode(once.Bytes())
		if err != nil {
			t.Fatalf("Decode rejects what Encode wrote: %v", err)
		}
		if err := Encode(&twice, tensors, md); err != nil || !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
	})
}
