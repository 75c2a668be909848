package secretstore

import (
	"errors"
	"fmt"
	"sync"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
	ss "github.com/zalando/go-keyring/secret_service"
)

// osBackend is the Secret Service, reached through go-keyring's
// secret_service package.
func osBackend() keyringBackend { return &secretService{} }

// secretService does what go-keyring's Get, Set and Delete do, with the
// same labels and attributes (so either reads what the other wrote), but it
// keeps what go-keyring sets up on every call: the collection lookup, its
// unlock and the transfer session. A sign-in makes five keyring calls; each
// went through four to seven D-Bus round trips, now one or two.
type secretService struct {
	mu         sync.Mutex // one D-Bus conversation at a time; pooled plugin instances share the store
	svc        *ss.SecretService
	collection dbus.BusObject
	session    dbus.BusObject
}

// open connects, finds and unlocks the login collection and opens a
// session, once. A failure leaves nothing behind, so the next call retries.
func (s *secretService) open() error {
	if s.session != nil {
		return nil
	}
	if err := sessionBusCheck(); err != nil {
		return err
	}
	svc, err := ss.NewSecretService()
	if err != nil {
		return err
	}
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return err
	}
	session, err := svc.OpenSession()
	if err != nil {
		return err
	}
	s.svc, s.collection, s.session = svc, collection, session
	return nil
}

// do runs op on an open service. When op fails on kept state, which may
// have gone stale (the keyring restarted, locked again, or dropped the
// session), it starts afresh and tries once more: each op is idempotent.
func (s *secretService) do(op func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.session != nil
	if err := s.open(); err != nil {
		return err
	}
	err := op()
	if failed(err) && (kept || isLocked(err)) {
		s.drop()
		if err = s.open(); err == nil {
			err = op()
		}
	}
	if failed(err) {
		s.drop()
	}
	return err
}

func failed(err error) bool { return err != nil && !errors.Is(err, keyring.ErrNotFound) }

// drop forgets the kept state; closing the session is a courtesy.
func (s *secretService) drop() {
	if s.session != nil {
		s.svc.Close(s.session)
	}
	s.svc, s.collection, s.session = nil, nil, nil
}

func (s *secretService) find(service, user string) (dbus.ObjectPath, error) {
	items, err := s.svc.SearchItems(s.collection, map[string]string{"username": user, "service": service})
	if err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", keyring.ErrNotFound
	}
	return items[0], nil
}

func (s *secretService) Get(service, user string) (string, error) {
	var value string
	err := s.do(func() error {
		item, err := s.find(service, user)
		if err != nil {
			return err
		}
		secret, err := s.svc.GetSecret(item, s.session.Path())
		if isLocked(err) { // some keyrings (KeePassXC) lock items on their own
			if err = s.svc.Unlock(item); err == nil {
				secret, err = s.svc.GetSecret(item, s.session.Path())
			}
		}
		if err != nil {
			return err
		}
		value = string(secret.Value)
		return nil
	})
	return value, err
}

func (s *secretService) Set(service, user, value string) error {
	return s.do(func() error {
		return s.svc.CreateItem(s.collection, fmt.Sprintf("Password for '%s' on '%s'", user, service),
			map[string]string{"username": user, "service": service}, ss.NewSecret(s.session.Path(), value))
	})
}

func (s *secretService) Delete(service, user string) error {
	return s.do(func() error {
		item, err := s.find(service, user)
		if err != nil {
			return err
		}
		return s.svc.Delete(item)
	})
}

func isLocked(err error) bool {
	var de dbus.Error
	if errors.As(err, &de) {
		return de.Name == "org.freedesktop.Secret.Error.IsLocked"
	}
	var dp *dbus.Error
	return errors.As(err, &dp) && dp.Name == "org.freedesktop.Secret.Error.IsLocked"
}
