package secretstore

import (
	"strings"
	"testing"
)

// A long value's parts once lived under "<key>#<i>", so the record of
// profile "x#1" overwrote part 1 of profile "x", which then read back as
// another value without an error.
func TestChunkPartsDoNotCollideWithKeys(t *testing.T) {
	b := &fakeBackend{}
	k := newKeyring("svc", b)
	long := strings.Repeat("profile x's record ", 3*maxEntryBytes/19)
	if err := k.Set("profile/x", long); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("profile/x#1", "profile x#1's record"); err != nil {
		t.Fatal(err)
	}
	if v, found, err := k.Get("profile/x"); err != nil || !found || v != long {
		t.Fatalf("profile x: found %v, err %v, intact %v", found, err, v == long)
	}
	if v, _, err := k.Get("profile/x#1"); err != nil || v != "profile x#1's record" {
		t.Fatalf("profile x#1: %q, %v", v, err)
	}
	if err := k.Delete("profile/x"); err != nil {
		t.Fatal(err)
	}
	if v, _, err := k.Get("profile/x#1"); err != nil || v != "profile x#1's record" {
		t.Fatalf("deleting x took x#1 with it: %q, %v", v, err)
	}
}

// A part replaced behind the store's back (by hand, another program, a
// damaged keyring) makes Get fail; it never returns a spliced value.
func TestChunkReplacedPartIsAnError(t *testing.T) {
	b := &fakeBackend{}
	k := newKeyring("svc", b)
	if err := k.Set("rec", strings.Repeat("x", 2*maxEntryBytes+maxEntryBytes/2)); err != nil {
		t.Fatal(err)
	}
	replaced := 0
	for name, v := range b.entries {
		if name != "svc/rec" && replaced == 0 {
			b.entries[name] = strings.Repeat("y", len(v)) // same size, other content
			replaced++
		}
	}
	v, found, err := k.Get("rec")
	if err == nil || !strings.Contains(err.Error(), "damaged") || strings.Contains(err.Error(), "yyyy") {
		t.Fatalf("got found %v, %d bytes, err %v; want a damaged-entry error", found, len(v), err)
	}
}

// No caller's key names a part: the parts' namespace is refused.
func TestChunkNamespaceIsReserved(t *testing.T) {
	k := newKeyring("svc", &fakeBackend{})
	for _, key := range []string{partKey("profile/x", 1), "chunk/", ""} {
		if err := k.Set(key, "v"); err == nil {
			t.Errorf("Set(%q) was accepted", key)
		}
		if _, _, err := k.Get(key); err == nil {
			t.Errorf("Get(%q) was accepted", key)
		}
		if err := k.Delete(key); err == nil {
			t.Errorf("Delete(%q) was accepted", key)
		}
	}
}
