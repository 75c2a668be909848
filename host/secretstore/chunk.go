package secretstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxEntryBytes (per OS, see chunk_limit_*.go) is the most one keyring
// entry holds. Larger values are split; the format is the same everywhere.
//
// The first entry, under the key itself, holds a header and the first part:
//
//	wasmlogin-chunks/2:<count>:<SHA-256 of the whole value, hex>\n<part 0>
//
// Parts 1 to count-1 live under partKey(key, i), "chunk/<i>/<key>". Keys
// in that namespace are refused by Get, Set and Delete (checkKey), so no
// key a caller chooses can name, and overwrite, a part of another key's
// value. The digest turns a value that does not reassemble (a part lost,
// or replaced by a write in between) into an error instead of garbage.
//
// A value that fits in one entry is stored as is, unless it starts like a
// header; then it is written as a one-part split value, so reading it back
// is unambiguous. Values split by earlier versions are still read
// (chunk_legacy.go) and their parts removed when the key is next written.
const (
	chunkMagic   = "wasmlogin-chunks/2:"
	headerFamily = "wasmlogin-chunks" // what both formats' headers start with
	partPrefix   = "chunk/"
)

// maxChunks bounds what a damaged header can make Get and Delete do.
const maxChunks = 1000

// errTorn says the parts read do not make up the value the header
// describes.
var errTorn = errors.New("the parts of the value do not fit together")

func partKey(key string, i int) string { return partPrefix + strconv.Itoa(i) + "/" + key }

// checkKey refuses keys in the parts' namespace, and the empty key.
func checkKey(key string) error {
	switch {
	case key == "":
		return errors.New("a secret needs a non-empty key")
	case strings.HasPrefix(key, partPrefix):
		return fmt.Errorf("the secret key %q is reserved: keys starting with %q hold the parts of long values", key, partPrefix)
	}
	return nil
}

func digest(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// splitValue cuts value into entries, each at most maxEntryBytes including
// the header. Cuts fall on UTF-8 boundaries, since some backends treat the
// value as text.
func splitValue(value string) []string {
	if len(value) <= maxEntryBytes && !strings.HasPrefix(value, headerFamily) {
		return []string{value}
	}
	// Every part reserves room for the largest header, so the count never
	// has to be revised.
	room := maxEntryBytes - len(chunkMagic) - len(strconv.Itoa(maxChunks)) - 1 - sha256.Size*2 - 1
	sum := digest(value)
	var parts []string
	for len(value) > 0 {
		n := min(room, len(value))
		for n < len(value) && n > 0 && !utf8.RuneStart(value[n]) {
			n--
		}
		parts = append(parts, value[:n])
		value = value[n:]
	}
	if len(parts) == 0 {
		parts = []string{""}
	}
	parts[0] = chunkMagic + strconv.Itoa(len(parts)) + ":" + sum + "\n" + parts[0]
	return parts
}

// layout is how the current value of a key is stored.
type layout struct {
	count  int    // entries, the first included; 0 when nothing is stored
	legacy bool   // split by an earlier version (chunk_legacy.go)
	sum    string // the whole value's digest (current format only)
	data   string // the first part's data
}

// parseFirst reads the first entry. A plain value has count 1.
func parseFirst(first string) (layout, error) {
	if rest, ok := strings.CutPrefix(first, chunkMagic); ok {
		head, data, ok := strings.Cut(rest, "\n")
		countText, sum, ok2 := strings.Cut(head, ":")
		count, err := strconv.Atoi(countText)
		if !ok || !ok2 || err != nil || count < 1 || count > maxChunks || len(sum) != sha256.Size*2 {
			return layout{}, errors.New("damaged chunk header")
		}
		return layout{count: count, sum: sum, data: data}, nil
	}
	if strings.HasPrefix(first, legacyMagic) {
		return parseLegacy(first)
	}
	return layout{count: 1, data: first}, nil
}

// partNames are the keys of parts from..count-1 of a value laid out as l.
func (l layout) partNames(key string, from int) []string {
	var names []string
	for i := max(from, 1); i < l.count; i++ {
		if l.legacy {
			names = append(names, legacyPartKey(key, i))
		} else {
			names = append(names, partKey(key, i))
		}
	}
	return names
}

func (k *keyringStore) Get(key string) (string, bool, error) {
	if err := checkKey(key); err != nil {
		return "", false, err
	}
	value, found, err := k.assemble(key)
	if errors.Is(err, errTorn) {
		// A Set of the same key between two of the reads replaces parts
		// under them; a second reading sees its finished result.
		value, found, err = k.assemble(key)
	}
	if errors.Is(err, errTorn) {
		return "", false, k.damaged(key, err)
	}
	return value, found, err
}

// assemble reads the first entry and the parts it names.
func (k *keyringStore) assemble(key string) (string, bool, error) {
	first, err := k.get(key)
	if errors.Is(err, errNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	l, err := parseFirst(first)
	if err != nil {
		return "", false, k.damaged(key, err)
	}
	if l.legacy {
		return k.assembleLegacy(key, l)
	}
	var b strings.Builder
	b.WriteString(l.data)
	for i, name := range l.partNames(key, 1) {
		part, err := k.get(name)
		if errors.Is(err, errNotFound) {
			return "", false, fmt.Errorf("%w: part %d of %d is missing", errTorn, i+2, l.count)
		}
		if err != nil {
			return "", false, err
		}
		b.WriteString(part)
	}
	value := b.String()
	if l.sum != "" && digest(value) != l.sum {
		return "", false, fmt.Errorf("%w: the %d parts do not add up to the value that was stored", errTorn, l.count)
	}
	return value, true, nil
}

func (k *keyringStore) damaged(key string, cause error) error {
	return fmt.Errorf("the keyring entry %q of service %q is damaged (%v); log out and log in again to replace it",
		key, k.service, cause)
}

// Set writes the parts before the first entry, so a reader never meets a
// header whose parts are not written yet. Parts the previous value had
// beyond the new one are removed afterwards.
func (k *keyringStore) Set(key, value string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	old, err := k.storedLayout(key)
	if err != nil {
		return err
	}
	entries := splitValue(value)
	for i := len(entries) - 1; i >= 1; i-- {
		if err := k.set(partKey(key, i), entries[i]); err != nil {
			return err
		}
	}
	if err := k.set(key, entries[0]); err != nil {
		return err
	}
	stale := old.partNames(key, len(entries))
	if old.legacy {
		stale = k.ownLegacyParts(key, old)
	}
	return k.delAll(stale)
}

// Delete removes the first entry last, so an interrupted Delete leaves a
// record that still says where its remaining parts are. Deleting what is
// not there takes the one read: each keyring call is a few D-Bus round
// trips, and the plugin deletes its served entry before every write.
func (k *keyringStore) Delete(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	l, err := k.storedLayout(key)
	if err != nil || l.count == 0 {
		return err
	}
	parts := l.partNames(key, 1)
	if l.legacy {
		parts = k.ownLegacyParts(key, l)
	}
	if err := k.delAll(parts); err != nil {
		return err
	}
	if err := k.del(key); err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	return nil
}

func (k *keyringStore) delAll(names []string) error {
	for i := len(names) - 1; i >= 0; i-- {
		if err := k.del(names[i]); err != nil && !errors.Is(err, errNotFound) {
			return err
		}
	}
	return nil
}

// storedLayout is how the current value of key is stored; count 0 if there
// is none. A damaged header counts as one entry, so the caller at least
// replaces or removes the first one; an unreachable keyring is an error,
// reported before any write is attempted.
func (k *keyringStore) storedLayout(key string) (layout, error) {
	first, err := k.get(key)
	if errors.Is(err, errNotFound) {
		return layout{}, nil
	}
	if err != nil {
		return layout{}, err
	}
	l, err := parseFirst(first)
	if err != nil {
		return layout{count: 1}, nil
	}
	return l, nil
}
