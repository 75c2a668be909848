package secretstore

import "sync"

type memoryStore struct {
	mu     sync.Mutex
	values map[string]string
}

// Memory returns a Store that forgets everything when the process exits.
func Memory() Store { return &memoryStore{values: map[string]string{}} }

func (m *memoryStore) Get(key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.values[key]
	return v, ok, nil
}

func (m *memoryStore) Set(key, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.values[key] = value
	return nil
}

func (m *memoryStore) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.values, key)
	return nil
}

func (m *memoryStore) Name() string { return "memory" }
