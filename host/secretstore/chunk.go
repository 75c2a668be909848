package secretstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxEntryBytes (per OS, see chunk_limit_*.go) is the most one keyring
// entry holds. Larger values are split; the format is the same everywhere.

// chunkMagic starts the first entry of a split value:
// "wasmlogin-chunks:<count>\n<first part>". The remaining parts live under
// "<key>#1" ... "<key>#<count-1>". A value that fits in one entry is stored
// as is, unless it happens to start with chunkMagic; then it is written as a
// one-part chunked value so reading it back is unambiguous.
const chunkMagic = "wasmlogin-chunks:"

// maxChunks bounds what a damaged header can make Get and Delete do.
const maxChunks = 1000

func chunkKey(key string, i int) string { return key + "#" + strconv.Itoa(i) }

// splitValue cuts value into entries, each at most maxEntryBytes including
// the header. Cuts fall on UTF-8 boundaries, since some backends treat the
// value as text.
func splitValue(value string) []string {
	if len(value) <= maxEntryBytes && !strings.HasPrefix(value, chunkMagic) {
		return []string{value}
	}
	// Reserve room for the largest possible header in every part so the
	// count never has to be revised.
	room := maxEntryBytes - len(chunkMagic) - len(strconv.Itoa(maxChunks)) - 1
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
	parts[0] = chunkMagic + strconv.Itoa(len(parts)) + "\n" + parts[0]
	return parts
}

// parseHeader returns the part count and the first part's data. A plain
// value has count 1 and is returned whole.
func parseHeader(first string) (count int, data string, err error) {
	if !strings.HasPrefix(first, chunkMagic) {
		return 1, first, nil
	}
	rest := first[len(chunkMagic):]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return 0, "", errors.New("damaged chunk header")
	}
	count, err = strconv.Atoi(rest[:nl])
	if err != nil || count < 1 || count > maxChunks {
		return 0, "", errors.New("damaged chunk header")
	}
	return count, rest[nl+1:], nil
}

func (k *keyringStore) Get(key string) (string, bool, error) {
	first, err := k.get(key)
	if errors.Is(err, errNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	count, data, err := parseHeader(first)
	if err != nil {
		return "", false, k.damaged(key, err)
	}
	var b strings.Builder
	b.WriteString(data)
	for i := 1; i < count; i++ {
		part, err := k.get(chunkKey(key, i))
		if errors.Is(err, errNotFound) {
			return "", false, k.damaged(key, fmt.Errorf("part %d of %d is missing", i+1, count))
		}
		if err != nil {
			return "", false, err
		}
		b.WriteString(part)
	}
	return b.String(), true, nil
}

func (k *keyringStore) damaged(key string, cause error) error {
	return fmt.Errorf("the keyring entry %q of service %q is damaged (%v); log out and log in again to replace it",
		key, k.service, cause)
}

// Set writes the extra parts before the first entry, so a concurrent reader
// sees either the old header or a new header whose parts already exist.
// Parts left over from a longer previous value are removed afterwards.
func (k *keyringStore) Set(key, value string) error {
	oldCount, err := k.storedCount(key)
	if err != nil {
		return err
	}
	parts := splitValue(value)
	for i := len(parts) - 1; i >= 0; i-- {
		name := key
		if i > 0 {
			name = chunkKey(key, i)
		}
		if err := k.set(name, parts[i]); err != nil {
			return err
		}
	}
	for i := len(parts); i < oldCount; i++ {
		if err := k.del(chunkKey(key, i)); err != nil && !errors.Is(err, errNotFound) {
			return err
		}
	}
	return nil
}

// Delete removes the first entry last, so an interrupted Delete leaves a
// record that still says where its remaining parts are. Deleting what is
// not there takes the one read: each keyring call is a few D-Bus round
// trips, and the plugin deletes its served entry before every write.
func (k *keyringStore) Delete(key string) error {
	count, err := k.storedCount(key)
	if err != nil || count == 0 {
		return err
	}
	for i := count - 1; i >= 1; i-- {
		if err := k.del(chunkKey(key, i)); err != nil && !errors.Is(err, errNotFound) {
			return err
		}
	}
	if err := k.del(key); err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	return nil
}

// storedCount is how many entries the current value of key occupies, 0 if
// there is none. A damaged header counts as one entry, so the caller at
// least replaces or removes the first one; an unreachable keyring is an
// error, reported before any write is attempted.
func (k *keyringStore) storedCount(key string) (int, error) {
	first, err := k.get(key)
	if errors.Is(err, errNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	count, _, err := parseHeader(first)
	if err != nil {
		return 1, nil
	}
	return count, nil
}
