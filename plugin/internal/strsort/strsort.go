// Package strsort sorts strings, for the two places in the plugin that
// write maps in key order (JSON objects, form and query encoding).
//
// slices.Sort is not used on purpose: its pattern-defeating quicksort,
// instantiated for strings, is about 22 kB of the Wasm plugin. Heapsort is
// a few lines, needs no extra memory and stays O(n log n) on any input, so
// a server cannot make the plugin slow with a crafted map.
package strsort

// Strings sorts s in increasing order, by bytes, as slices.Sort does.
func Strings(s []string) {
	for i := len(s)/2 - 1; i >= 0; i-- {
		siftDown(s, i, len(s))
	}
	for end := len(s) - 1; end > 0; end-- {
		s[0], s[end] = s[end], s[0]
		siftDown(s, 0, end)
	}
}

// siftDown restores the max-heap property of s[:end] below root.
func siftDown(s []string, root, end int) {
	for {
		child := 2*root + 1
		if child >= end {
			return
		}
		if child+1 < end && s[child] < s[child+1] {
			child++
		}
		if s[root] >= s[child] {
			return
		}
		s[root], s[child] = s[child], s[root]
		root = child
	}
}
