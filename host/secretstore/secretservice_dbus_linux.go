package secretstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	dbus "github.com/godbus/dbus/v5"
)

// This file speaks the freedesktop.org Secret Service API (the
// org.freedesktop.secrets D-Bus service, "Secret Service API Draft" 0.2,
// https://specifications.freedesktop.org/secret-service-spec/). Every
// name below is the specification's; every method takes a context, so a
// keyring that never answers costs the caller its deadline, not a hang.

const (
	secretsBusName  = "org.freedesktop.secrets"
	secretsPath     = dbus.ObjectPath("/org/freedesktop/secrets")
	serviceIface    = "org.freedesktop.Secret.Service"
	collectionIface = "org.freedesktop.Secret.Collection"
	itemIface       = "org.freedesktop.Secret.Item"
	sessionIface    = "org.freedesktop.Secret.Session"
	promptIface     = "org.freedesktop.Secret.Prompt"
	propertiesGet   = "org.freedesktop.DBus.Properties.Get"

	// isLockedError is the spec's error for an object that must be
	// unlocked before use.
	isLockedError = "org.freedesktop.Secret.Error.IsLocked"

	// noObject is "/", which the spec returns for "no prompt needed" and
	// "no collection has this alias".
	noObject = dbus.ObjectPath("/")

	// loginCollection is gnome-keyring's collection for the login keyring.
	// go-keyring files its entries there whenever the service lists it, and
	// under the "default" alias otherwise; this store chooses the same way,
	// so each program finds what the other wrote (see storageCollection).
	loginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
)

// secretValue is the spec's Secret struct, D-Bus signature (oayays): the
// session it was encoded for, the algorithm's parameters (none for
// "plain"), the value and its content type.
type secretValue struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

// errItemLocked stands for a locked item the service left out of a
// GetSecrets answer, which the spec allows instead of an error.
var errItemLocked = errors.New("the keyring item is locked")

func isLocked(err error) bool {
	if errors.Is(err, errItemLocked) {
		return true
	}
	var byValue dbus.Error
	if errors.As(err, &byValue) {
		return byValue.Name == isLockedError
	}
	var byPointer *dbus.Error
	return errors.As(err, &byPointer) && byPointer.Name == isLockedError
}

// secretsClient is one private connection to the session bus and the
// Secret Service on it. The connection is the store's own, never the
// process-wide shared one, so closing it after a failure cannot break
// another user of D-Bus in the same program.
type secretsClient struct {
	conn    *dbus.Conn
	service dbus.BusObject
}

// dialSecrets connects to the session bus without ever starting one:
// godbus would otherwise run dbus-launch where there is no session, and
// leave a stray bus and a locked keyring daemon behind.
func dialSecrets() (*secretsClient, error) {
	if err := sessionBusCheck(); err != nil {
		return nil, err
	}
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, err
	}
	if err = conn.Auth(nil); err == nil {
		err = conn.Hello()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &secretsClient{conn: conn, service: conn.Object(secretsBusName, secretsPath)}, nil
}

func (c *secretsClient) close() { c.conn.Close() }

func (c *secretsClient) object(path dbus.ObjectPath) dbus.BusObject {
	return c.conn.Object(secretsBusName, path)
}

// openPlainSession opens a session with the "plain" algorithm: secrets
// cross the user's own session bus unencrypted, which the spec allows,
// as libsecret does by default; the bus is not reachable by other users.
func (c *secretsClient) openPlainSession(ctx context.Context) (dbus.ObjectPath, error) {
	var output dbus.Variant
	var session dbus.ObjectPath
	err := c.service.CallWithContext(ctx, serviceIface+".OpenSession", 0, "plain", dbus.MakeVariant("")).
		Store(&output, &session)
	return session, err
}

func (c *secretsClient) closeSession(ctx context.Context, session dbus.ObjectPath) error {
	return c.object(session).CallWithContext(ctx, sessionIface+".Close", 0).Err
}

// storageCollection is where entries are read and written: the login
// collection when the service has one, else the collection behind the
// spec's "default" alias.
func (c *secretsClient) storageCollection(ctx context.Context) (dbus.ObjectPath, error) {
	var listed dbus.Variant
	if err := c.service.CallWithContext(ctx, propertiesGet, 0, serviceIface, "Collections").Store(&listed); err != nil {
		return "", err
	}
	if paths, ok := listed.Value().([]dbus.ObjectPath); ok && slices.Contains(paths, loginCollection) {
		return loginCollection, nil
	}
	var def dbus.ObjectPath
	if err := c.service.CallWithContext(ctx, serviceIface+".ReadAlias", 0, "default").Store(&def); err != nil {
		return "", err
	}
	if def == noObject {
		return "", errors.New("the Secret Service has no default collection; create or unlock one in your keyring manager (for example Seahorse)")
	}
	return def, nil
}

// unlock unlocks a collection or an item, showing the keyring's own
// password prompt when it needs one.
func (c *secretsClient) unlock(ctx context.Context, path dbus.ObjectPath) error {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := c.service.CallWithContext(ctx, serviceIface+".Unlock", 0, []dbus.ObjectPath{path}).
		Store(&unlocked, &prompt); err != nil {
		return err
	}
	if slices.Contains(unlocked, path) {
		return nil
	}
	if prompt == noObject {
		return fmt.Errorf("the keyring did not unlock %s and offered no prompt", path)
	}
	result, err := c.prompt(ctx, prompt)
	if err != nil {
		return err
	}
	if paths, ok := result.Value().([]dbus.ObjectPath); !ok || !slices.Contains(paths, path) {
		return fmt.Errorf("the keyring stayed locked after its prompt (%s)", path)
	}
	return nil
}

// prompt runs one of the service's prompts and waits for its Completed
// signal, whose result depends on what asked for it. At the deadline the
// prompt is dismissed, so no password dialog outlives the command.
func (c *secretsClient) prompt(ctx context.Context, path dbus.ObjectPath) (dbus.Variant, error) {
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(promptIface),
		dbus.WithMatchMember("Completed")}
	if err := c.conn.AddMatchSignalContext(ctx, match...); err != nil {
		return dbus.Variant{}, err
	}
	defer c.conn.RemoveMatchSignal(match...)
	signals := make(chan *dbus.Signal, 1)
	c.conn.Signal(signals)
	defer c.conn.RemoveSignal(signals)

	if err := c.object(path).CallWithContext(ctx, promptIface+".Prompt", 0, "").Err; err != nil {
		return dbus.Variant{}, err
	}
	for {
		select {
		case s := <-signals:
			if s.Path != path || s.Name != promptIface+".Completed" {
				continue
			}
			var dismissed bool
			var result dbus.Variant
			if err := dbus.Store(s.Body, &dismissed, &result); err != nil {
				return dbus.Variant{}, err
			}
			if dismissed {
				return dbus.Variant{}, errors.New("the keyring's prompt was dismissed")
			}
			return result, nil
		case <-ctx.Done():
			c.object(path).Call(promptIface+".Dismiss", dbus.FlagNoReplyExpected)
			return dbus.Variant{}, ctx.Err()
		}
	}
}

// search lists the items of a collection whose attributes include all of
// attrs.
func (c *secretsClient) search(ctx context.Context, collection dbus.ObjectPath, attrs map[string]string) ([]dbus.ObjectPath, error) {
	var items []dbus.ObjectPath
	err := c.object(collection).CallWithContext(ctx, collectionIface+".SearchItems", 0, attrs).Store(&items)
	return items, err
}

// secret reads one item's value through GetSecrets, in one round trip.
func (c *secretsClient) secret(ctx context.Context, item, session dbus.ObjectPath) ([]byte, error) {
	var secrets map[dbus.ObjectPath]secretValue
	if err := c.service.CallWithContext(ctx, serviceIface+".GetSecrets", 0, []dbus.ObjectPath{item}, session).
		Store(&secrets); err != nil {
		return nil, err
	}
	s, ok := secrets[item]
	if !ok {
		return nil, errItemLocked
	}
	return s.Value, nil
}

// create stores an item, replacing the one with the same attributes
// (CreateItem's replace flag), so writing a key twice leaves one entry.
func (c *secretsClient) create(ctx context.Context, collection dbus.ObjectPath, label string, attrs map[string]string, s secretValue) error {
	props := map[string]dbus.Variant{
		itemIface + ".Label":      dbus.MakeVariant(label),
		itemIface + ".Attributes": dbus.MakeVariant(attrs),
	}
	var item, prompt dbus.ObjectPath
	if err := c.object(collection).CallWithContext(ctx, collectionIface+".CreateItem", 0, props, s, true).
		Store(&item, &prompt); err != nil {
		return err
	}
	if prompt != noObject {
		_, err := c.prompt(ctx, prompt)
		return err
	}
	return nil
}

func (c *secretsClient) delete(ctx context.Context, item dbus.ObjectPath) error {
	var prompt dbus.ObjectPath
	if err := c.object(item).CallWithContext(ctx, itemIface+".Delete", 0).Store(&prompt); err != nil {
		return err
	}
	if prompt != noObject {
		_, err := c.prompt(ctx, prompt)
		return err
	}
	return nil
}
