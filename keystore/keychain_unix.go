//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keystore

import (
	"errors"
	"os"
	"strconv"
	"strings"

	dbus "github.com/godbus/dbus/v5"
)

// The Secret Service names go-keyring uses.
const (
	secretsName       = "org.freedesktop.secrets"
	secretsPath       = "/org/freedesktop/secrets"
	loginCollection   = "/org/freedesktop/secrets/collection/login"
	serviceInterface  = "org.freedesktop.Secret.Service"
	collectionLocked  = "org.freedesktop.Secret.Collection.Locked"
	serviceCollection = serviceInterface + ".Collections"
)

// errNoBusAddress: DBUS_SESSION_BUS_ADDRESS is unset and no per-user bus
// socket exists.
var errNoBusAddress = errors.New("DBUS_SESSION_BUS_ADDRESS is not set and /run/user/<uid>/bus does not exist")

// sessionBus connects the shared session bus connection go-keyring uses. It
// refuses to go on without a bus address, where godbus would run
// dbus-launch and leave a new bus daemon behind.
func sessionBus() error {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr == "" || addr == "autolaunch:" {
		// The places godbus looks at before falling back to dbus-launch.
		dir := "/run/user/" + strconv.Itoa(os.Getuid())
		if !exists(dir+"/bus") && !exists(dir+"/dbus-session") {
			return errNoBusAddress
		}
	}
	_, err := dbus.SessionBus()
	return err
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// diagnose names the reason of a failed go-keyring call: from the D-Bus
// error name when there is one, otherwise by asking the Secret Service for
// its default collection and whether it is locked.
func diagnose(err error) Reason {
	if r := diagnoseCall(err); r != ReasonOther {
		return r
	}
	return probeCollection()
}

func dbusErrorName(err error) (string, bool) {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name, true
	}
	var p *dbus.Error
	if errors.As(err, &p) && p != nil {
		return p.Name, true
	}
	return "", false
}

// probeCollection asks the Secret Service for the collection go-keyring
// writes to (the "login" collection, else the "default" alias) and whether
// it is locked.
func probeCollection() Reason {
	conn, err := dbus.SessionBus()
	if err != nil {
		return ReasonNoSessionBus
	}
	svc := conn.Object(secretsName, secretsPath)
	v, err := svc.GetProperty(serviceCollection)
	if err != nil {
		return diagnoseCall(err)
	}
	paths, _ := v.Value().([]dbus.ObjectPath)
	collection := dbus.ObjectPath("")
	for _, p := range paths {
		if p == loginCollection {
			collection = p
		}
	}
	if collection == "" {
		var alias dbus.ObjectPath
		if err := svc.Call(serviceInterface+".ReadAlias", 0, "default").Store(&alias); err != nil {
			return diagnoseCall(err)
		}
		if alias == "/" || alias == "" {
			return ReasonNoKeyring
		}
		collection = alias
	}
	locked, err := conn.Object(secretsName, collection).GetProperty(collectionLocked)
	if err != nil {
		return diagnoseCall(err)
	}
	if b, ok := locked.Value().(bool); ok && b {
		return ReasonLocked
	}
	return ReasonOther
}

// diagnoseCall names the reason of a failed D-Bus call from its error
// alone.
func diagnoseCall(err error) Reason {
	name, _ := dbusErrorName(err)
	switch {
	case name == "org.freedesktop.DBus.Error.ServiceUnknown",
		name == "org.freedesktop.DBus.Error.NameHasNoOwner",
		strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn."):
		return ReasonNoProvider
	case name == "org.freedesktop.Secret.Error.IsLocked":
		return ReasonLocked
	case name == "org.freedesktop.DBus.Error.NoReply",
		name == "org.freedesktop.DBus.Error.Timeout":
		return ReasonTimedOut
	case name == "org.freedesktop.DBus.Error.Disconnected", errors.Is(err, dbus.ErrClosed):
		return ReasonNoSessionBus
	}
	return ReasonOther
}
