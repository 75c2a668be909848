package secretstore

import (
	"strconv"
	"strings"
	"testing"
)

// writeLegacy stores value the way earlier versions split it: parts of
// room bytes, the header on the first, part i under "<key>#<i>".
func writeLegacy(b *fakeBackend, key, value string, room int) {
	var parts []string
	for len(value) > 0 {
		n := min(room, len(value))
		parts, value = append(parts, value[:n]), value[n:]
	}
	parts[0] = legacyMagic + strconv.Itoa(len(parts)) + "\n" + parts[0]
	for i, p := range parts {
		name := key
		if i > 0 {
			name = legacyPartKey(key, i)
		}
		b.Set("svc", name, p)
	}
}

// Sign-ins split by an earlier version read back, whatever entry size it
// used (Linux's limit was once 2000 bytes), and the next write replaces
// them with the current format and leaves none of the old parts behind.
func TestChunkLegacyValuesReadAndReplaced(t *testing.T) {
	for _, room := range []int{1979, maxEntryBytes - 22} {
		b := &fakeBackend{}
		k := newKeyring("svc", b)
		old := strings.Repeat("an older record ", 3*room/16)
		writeLegacy(b, "profile/x", old, room)
		if v, found, err := k.Get("profile/x"); err != nil || !found || v != old {
			t.Fatalf("room %d: found %v, err %v, intact %v", room, found, err, v == old)
		}
		if err := k.Set("profile/x", "new"); err != nil {
			t.Fatal(err)
		}
		if n := b.count(); n != 1 {
			t.Fatalf("room %d: %d entries after the rewrite, want 1: %v", room, n, b.entries)
		}
	}
}

// Where an earlier version's part was overwritten by another key's value,
// the old value is reported damaged, and removing it spares that key.
func TestChunkLegacyOverwrittenPart(t *testing.T) {
	b := &fakeBackend{}
	k := newKeyring("svc", b)
	writeLegacy(b, "profile/x", strings.Repeat("x", 3*1979), 1979)
	if err := k.Set("profile/x#1", `{"v":1,"other":"profile"}`); err != nil {
		t.Fatal(err)
	}
	_, _, err := k.Get("profile/x")
	if err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("err = %v, want damaged", err)
	}
	if err := k.Delete("profile/x"); err != nil {
		t.Fatal(err)
	}
	if v, _, err := k.Get("profile/x#1"); err != nil || v != `{"v":1,"other":"profile"}` {
		t.Fatalf("profile x#1 after deleting x: %q, %v", v, err)
	}
	if _, ok := b.entries["svc/profile/x#2"]; ok {
		t.Fatal("x's own part 2 survived its Delete")
	}
}
