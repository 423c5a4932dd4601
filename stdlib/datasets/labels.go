package datasets

import (
	"slices"
	"strconv"
)

// classIDs turns label cells into class ids: the integers themselves if all are in
// [0, maxIntClass], else the index of each distinct string in sorted order, with names.
func classIDs(cells []string) (ids []int32, classes int, names []string) {
	if ids, classes, ok := intClassIDs(cells); ok {
		return ids, classes, nil
	}
	names = slices.Sorted(slices.Values(cells))
	names = slices.Compact(names)
	ids = make([]int32, len(cells))
	for i, c := range cells {
		k, _ := slices.BinarySearch(names, c)
		ids[i] = int32(k)
	}
	return ids, len(names), names
}

// intClassIDs parses every cell as a class id in [0, maxIntClass].
func intClassIDs(cells []string) (ids []int32, classes int, ok bool) {
	ids = make([]int32, len(cells))
	for i, c := range cells {
		v, err := strconv.Atoi(c)
		if err != nil || v < 0 || v > maxIntClass {
			return nil, 0, false
		}
		ids[i] = int32(v)
		classes = max(classes, v+1)
	}
	return ids, classes, true
}
