package secretstore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gofrs/flock"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// File layout: magic | PBKDF2 iterations (uint32, big endian) | salt | GCM
// nonce | ciphertext. The header before the nonce is authenticated as
// additional data, so tampering with the salt or iteration count makes
// decryption fail rather than silently derive another key. The plaintext is
// a JSON object of key -> value.
const (
	fileMagic     = "WLSTORE1"
	kdfIterations = 600_000 // OWASP's 2023 figure for PBKDF2-HMAC-SHA256
	saltSize      = 16
	nonceSize     = 12
	headerSize    = len(fileMagic) + 4 + saltSize

	// Bounds on the stored iteration count, so a damaged file cannot make
	// opening it take hours.
	minIterations = 100_000
	maxIterations = 10_000_000
)

// EncryptedFile returns a Store kept in one file at path, encrypted with
// AES-256-GCM under a key derived from passphrase (PBKDF2-SHA-256, 600000
// iterations, random per-file salt).
//
// This store is opt-in: the user chooses it (--store=file with
// WASMLOGIN_STORE_PASSPHRASE) on machines without an OS keyring. Nothing
// falls back to it automatically. Its protection is only as good as the
// passphrase, and a passphrase kept in an environment variable is visible to
// the user's other processes.
//
// The file is created with mode 0600 on the first Set; a missing parent
// directory is created with mode 0700 (existing directories are left as they
// are). Every write replaces the file atomically. If the file exists, it is
// decrypted right away so a wrong passphrase is reported here.
//
// Writes from two processes at the same moment can lose one of the updates;
// within a process, calls are serialised.
func EncryptedFile(path string, passphrase []byte) (Store, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("the encrypted file store needs a passphrase: set WASMLOGIN_STORE_PASSPHRASE to a non-empty value")
	}
	f := &fileStore{path: filepath.Clean(path), passphrase: bytes.Clone(passphrase)}
	if _, err := f.load(); err != nil {
		return nil, err
	}
	if f.key == nil { // no file yet: prepare the salt and key the first Set will use
		salt := make([]byte, saltSize)
		rand.Read(salt)
		if err := f.derive(salt, kdfIterations); err != nil {
			return nil, err
		}
	}
	return f, nil
}

type fileStore struct {
	path       string
	passphrase []byte

	mu         sync.Mutex
	salt       []byte
	iterations int
	key        []byte
}

func (f *fileStore) Name() string { return "file" }

func (f *fileStore) Get(key string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return "", false, err
	}
	v, ok := m[key]
	return v, ok, nil
}

func (f *fileStore) Set(key, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := f.lockFile()
	if err != nil {
		return err
	}
	defer unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[key] = value
	return f.save(m)
}

func (f *fileStore) Delete(key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := f.lockFile()
	if err != nil {
		return err
	}
	defer unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	if _, ok := m[key]; !ok {
		return nil
	}
	delete(m, key)
	return f.save(m)
}

func (f *fileStore) derive(salt []byte, iterations int) error {
	key, err := pbkdf2.Key(sha256.New, string(f.passphrase), salt, iterations, 32)
	if err != nil {
		return fmt.Errorf("cannot derive the encryption key for %s: %v", f.path, err)
	}
	f.salt, f.iterations, f.key = salt, iterations, key
	return nil
}

// load reads and decrypts the file; a missing file is an empty store. The
// file is read on every call so that values written by another process
// (a concurrent refresh, say) are seen.
func (f *fileStore) load() (map[string]string, error) {
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the secret store file: %v", err)
	}
	if len(data) < headerSize+nonceSize || string(data[:len(fileMagic)]) != fileMagic {
		return nil, fmt.Errorf("%s is not a wasmlogin secret store or is damaged; move it aside and log in again", f.path)
	}
	iterations := int(binary.BigEndian.Uint32(data[len(fileMagic):]))
	salt := data[len(fileMagic)+4 : headerSize]
	if iterations < minIterations || iterations > maxIterations {
		return nil, fmt.Errorf("%s is damaged (implausible key derivation settings); move it aside and log in again", f.path)
	}
	if f.key == nil || f.iterations != iterations || !bytes.Equal(f.salt, salt) {
		if err := f.derive(bytes.Clone(salt), iterations); err != nil {
			return nil, err
		}
	}
	gcm, err := f.aead()
	if err != nil {
		return nil, err
	}
	nonce := data[headerSize : headerSize+nonceSize]
	plain, err := gcm.Open(nil, nonce, data[headerSize+nonceSize:], data[:headerSize])
	if err != nil {
		return nil, fmt.Errorf("cannot decrypt %s: wrong WASMLOGIN_STORE_PASSPHRASE? (if the file was damaged or the passphrase is lost, move the file aside and log in again)", f.path)
	}
	m := map[string]string{}
	if err := json.Unmarshal(plain, &m); err != nil {
		return nil, fmt.Errorf("%s decrypted but its contents are damaged; move it aside and log in again", f.path)
	}
	return m, nil
}

func (f *fileStore) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(f.key)
	if err != nil {
		return nil, fmt.Errorf("cannot set up encryption: %v", err)
	}
	return cipher.NewGCM(block)
}

// save encrypts m under a fresh nonce and replaces the file atomically:
// a crash leaves either the old file or the new one, never a torn write.
func (f *fileStore) save(m map[string]string) error {
	plain, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("cannot encode the secret store: %v", err)
	}
	gcm, err := f.aead()
	if err != nil {
		return err
	}
	header := make([]byte, 0, headerSize+nonceSize)
	header = append(header, fileMagic...)
	header = binary.BigEndian.AppendUint32(header, uint32(f.iterations))
	header = append(header, f.salt...)
	nonce := make([]byte, nonceSize)
	rand.Read(nonce)
	out := gcm.Seal(append(header, nonce...), nonce, plain, header)
	return writeAtomic(f.path, out)
}

func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the directory for the secret store: %v", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write the secret store in %s: %v", dir, err)
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("cannot restrict the permissions of the secret store: %v", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write the secret store: %v", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot write the secret store: %v", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write the secret store: %v", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot replace the secret store %s: %v", path, err)
	}
	committed = true
	return nil
}

// lockFile serialises read-modify-write of the file between processes:
// two logins finishing at once would otherwise each write back the map
// they read, and one sign-in would be lost.
func (f *fileStore) lockFile() (func(), error) {
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return nil, fmt.Errorf("cannot create the secret store's directory: %v", err)
	}
	l := flock.New(f.path+".lock", flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if ok, err := l.TryLockContext(ctx, 10*time.Millisecond); err != nil || !ok {
		if ctx.Err() != nil { // in words, not Go's "context deadline exceeded"
			return nil, fmt.Errorf("another process held the secret store file's lock (%s.lock) for a minute; try again when it has finished", f.path)
		}
		return nil, fmt.Errorf("cannot lock the secret store file: %v", err)
	}
	return func() { l.Unlock() }, nil
}
