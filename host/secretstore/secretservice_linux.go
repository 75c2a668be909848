package secretstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	dbus "github.com/godbus/dbus/v5"
)

// osBackend is the Secret Service, spoken over D-Bus directly
// (secretservice_dbus_linux.go).
func osBackend(timeout time.Duration) keyringBackend { return &secretService{timeout: timeout} }

// secretService keeps one connection, the storage collection (found and
// unlocked once) and one transfer session for the life of the store. A
// sign-in makes five keyring calls; set up per call, each would cost four
// to seven D-Bus round trips instead of one or two.
//
// Entries carry the attributes "service" and "username" and the label
// go-keyring gives them, in the collection go-keyring uses, so entries
// written by earlier versions (which used go-keyring) and by programs that
// use go-keyring directly read back here, and the other way round.
type secretService struct {
	timeout time.Duration

	mu   sync.Mutex // one D-Bus conversation at a time; pooled plugin instances share the store
	kept *secretsState
}

// secretsState is what is set up once and reused.
type secretsState struct {
	client     *secretsClient
	collection dbus.ObjectPath
	session    dbus.ObjectPath
}

// open connects, finds and unlocks the storage collection and opens a
// session. A failure leaves nothing behind.
func open(ctx context.Context) (*secretsState, error) {
	client, err := dialSecrets()
	if err != nil {
		return nil, err
	}
	st := &secretsState{client: client}
	if st.collection, err = client.storageCollection(ctx); err == nil {
		if err = client.unlock(ctx, st.collection); err == nil {
			st.session, err = client.openPlainSession(ctx)
		}
	}
	if err != nil {
		client.close()
		return nil, err
	}
	return st, nil
}

// forget drops the kept state. Closing the session is a courtesy; the
// service closes it anyway when the connection goes.
func (s *secretService) forget() {
	if s.kept == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.kept.client.closeSession(ctx, s.kept.session)
	s.kept.client.close()
	s.kept = nil
}

// do runs op within the timeout on the kept state, setting it up first if
// needed. When op fails on state kept from earlier calls, which may have
// gone stale (the daemon restarted, locked the collection again or dropped
// the session), it starts afresh and tries once more: each op is
// idempotent. Any failure drops the state, so the next call starts afresh.
func (s *secretService) do(op func(context.Context, *secretsState) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	reused := s.kept != nil
	if !reused {
		st, err := open(ctx)
		if err != nil {
			return err
		}
		s.kept = st
	}
	err := op(ctx, s.kept)
	if failed(err) && reused && ctx.Err() == nil {
		s.forget()
		var st *secretsState
		if st, err = open(ctx); err == nil {
			s.kept = st
			err = op(ctx, st)
		}
	}
	if failed(err) {
		s.forget()
	}
	return err
}

func failed(err error) bool { return err != nil && !errors.Is(err, errNotFound) }

func attributes(service, user string) map[string]string {
	return map[string]string{"service": service, "username": user}
}

// first finds the entry for service and user.
func (st *secretsState) first(ctx context.Context, service, user string) (dbus.ObjectPath, error) {
	items, err := st.client.search(ctx, st.collection, attributes(service, user))
	if err != nil {
		return "", err
	}
	if len(items) == 0 {
		return "", errNotFound
	}
	return items[0], nil
}

func (s *secretService) Get(service, user string) (string, error) {
	var value []byte
	err := s.do(func(ctx context.Context, st *secretsState) error {
		item, err := st.first(ctx, service, user)
		if err != nil {
			return err
		}
		value, err = st.client.secret(ctx, item, st.session)
		if isLocked(err) { // some keyrings (KeePassXC) lock single items
			if err = st.client.unlock(ctx, item); err == nil {
				value, err = st.client.secret(ctx, item, st.session)
			}
		}
		return err
	})
	return string(value), err
}

func (s *secretService) Set(service, user, value string) error {
	return s.do(func(ctx context.Context, st *secretsState) error {
		label := fmt.Sprintf("Password for '%s' on '%s'", user, service) // as go-keyring labels it
		return st.client.create(ctx, st.collection, label, attributes(service, user), secretValue{
			Session: st.session, Parameters: []byte{}, Value: []byte(value),
			ContentType: "text/plain; charset=utf-8"})
	})
}

// Delete removes every entry for service and user: a keyring may hold
// duplicates written by other programs, and none may survive a logout.
func (s *secretService) Delete(service, user string) error {
	return s.do(func(ctx context.Context, st *secretsState) error {
		items, err := st.client.search(ctx, st.collection, attributes(service, user))
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return errNotFound
		}
		for _, item := range items {
			if err := st.client.delete(ctx, item); err != nil {
				return err
			}
		}
		return nil
	})
}
