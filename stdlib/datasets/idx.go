package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// IDX magic numbers: two zero bytes, the element type (0x08, unsigned byte) and the
// number of dimensions.
const (
	idxImages = 0x00000803 // 2051: N × rows × cols bytes
	idxLabels = 0x00000801 // 2049: N bytes
)

// readMaybeGzip reads a whole file, decompressing it if it starts with the gzip magic.
func readMaybeGzip(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		return raw, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt gzip data: %v", path, err)
	}
	var out bytes.Buffer
	out.Grow(gzipSizeHint(raw))
	if _, err := io.Copy(&out, zr); err != nil {
		return nil, fmt.Errorf("%s: corrupt or truncated gzip data: %v", path, err)
	}
	return out.Bytes(), nil
}

// gzipSizeHint is the uncompressed size a gzip stream's trailer records (modulo 2³²),
// capped so a corrupt trailer cannot demand a huge allocation.
func gzipSizeHint(raw []byte) int {
	n := int(binary.LittleEndian.Uint32(raw[len(raw)-4:]))
	return min(n, 64*len(raw), 1<<30)
}

// parseIDX checks an unsigned-byte IDX file's magic number against want and its data size
// against the dimensions in its header, and returns the dimensions and the data.
func parseIDX(path string, b []byte, want uint32) (dims []int, body []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("%s: truncated IDX file: %d bytes, too short for a header", path, len(b))
	}
	if magic := binary.BigEndian.Uint32(b); magic != want {
		return nil, nil, fmt.Errorf("%s: not an IDX %s file: magic number %d, want %d", path, idxKind(want), magic, want)
	}
	nd := int(want & 0xff)
	if len(b) < 4+4*nd {
		return nil, nil, fmt.Errorf("%s: truncated IDX header: %d bytes, want %d", path, len(b), 4+4*nd)
	}
	dims = make([]int, nd)
	for i := range dims {
		dims[i] = int(binary.BigEndian.Uint32(b[4+4*i:]))
	}
	body = b[4+4*nd:]
	return dims, body, checkIDXSize(path, dims, len(body))
}

// checkIDXSize checks that the data holds exactly the product of dims bytes, without
// overflowing on a corrupt header.
func checkIDXSize(path string, dims []int, have int) error {
	const limit = 1 << 50
	want := 1
	for _, d := range dims {
		if d != 0 && want > limit/d {
			return fmt.Errorf("%s: corrupt IDX header: dimensions %v, more than 2⁵⁰ bytes", path, dims)
		}
		want *= d
	}
	switch {
	case have < want:
		return fmt.Errorf("%s: truncated IDX file: header says %v (%d bytes) but only %d bytes of data follow", path, dims, want, have)
	case have > want:
		return fmt.Errorf("%s: corrupt IDX file: header says %v (%d bytes) but %d bytes of data follow", path, dims, want, have)
	}
	return nil
}

func idxKind(magic uint32) string {
	if magic == idxImages {
		return "image"
	}
	return "label"
}
