package secretstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Earlier versions split long values as "wasmlogin-chunks:<count>\n<part 0>"
// under the key, with part i under "<key>#<i>". Such a part name is an
// ordinary key: profile "x#1" wrote its record over part 1 of profile "x".
// Values in that format are still read, so a sign-in stored before the
// change keeps working until its next write replaces it with the current
// format, but a part must look like one to be used or deleted.
const legacyMagic = "wasmlogin-chunks:"

func legacyPartKey(key string, i int) string { return key + "#" + strconv.Itoa(i) }

func parseLegacy(first string) (layout, error) {
	head, data, ok := strings.Cut(strings.TrimPrefix(first, legacyMagic), "\n")
	count, err := strconv.Atoi(head)
	if !ok || err != nil || count < 1 || count > maxChunks {
		return layout{}, errors.New("damaged chunk header")
	}
	return layout{count: count, legacy: true, data: data}, nil
}

// legacyPartFits says whether part i of a legacy value could be what the
// old splitter wrote there. It cut every part but the last at the same
// length, less up to three bytes to end on a whole UTF-8 character, so
// part 0's length tells the others'. Anything else under that name (a
// value of another key, a header) is not this value's part.
func legacyPartFits(l layout, i int, part string) bool {
	if strings.HasPrefix(part, headerFamily) {
		return false
	}
	size := len(l.data)
	if i < l.count-1 {
		return len(part) >= size-3 && len(part) <= size+3
	}
	return len(part) >= 1 && len(part) <= size+3
}

func (k *keyringStore) assembleLegacy(key string, l layout) (string, bool, error) {
	var b strings.Builder
	b.WriteString(l.data)
	for i := 1; i < l.count; i++ {
		part, err := k.get(legacyPartKey(key, i))
		if errors.Is(err, errNotFound) {
			return "", false, fmt.Errorf("%w: part %d of %d is missing", errTorn, i+1, l.count)
		}
		if err != nil {
			return "", false, err
		}
		if !legacyPartFits(l, i, part) {
			return "", false, fmt.Errorf("%w: part %d of %d was overwritten by another entry", errTorn, i+1, l.count)
		}
		b.WriteString(part)
	}
	return b.String(), true, nil
}

// ownLegacyParts names the legacy parts of key that still look like its
// own, for removal; an entry that does not (another key's value written
// over a part) is left alone. A part that cannot be read is left too: the
// next write of the key tries again.
func (k *keyringStore) ownLegacyParts(key string, l layout) []string {
	var names []string
	for i := 1; i < l.count; i++ {
		name := legacyPartKey(key, i)
		if part, err := k.get(name); err == nil && legacyPartFits(l, i, part) {
			names = append(names, name)
		}
	}
	return names
}
