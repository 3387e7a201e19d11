package main

import (
	"context"
	"io"
	"net"
	"testing"

	"sesame/internal/localserver"
	"sesame/keystore"
)

// noKeychain is a session without a keychain: the built-in server keeps
// its key in its data folder, and the tests leave the user's keychain be.
type noKeychain struct{}

var errNoKeychain = &keystore.UnavailableError{Reason: keystore.ReasonNoSessionBus, Op: "test"}

func (noKeychain) SaveSecret(context.Context, string, string) error { return errNoKeychain }
func (noKeychain) Secret(context.Context, string) (string, error)   { return "", errNoKeychain }

// TestSwitchToBuiltinAbandoned: the built-in server started for a switch
// back to it that is abandoned (it did not answer, or the user stopped)
// is stopped, so its port is free again.
func TestSwitchToBuiltinAbandoned(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	d := &desktop{ctx: context.Background(), o: options{data: t.TempDir(), localAddr: addr},
		localOpts: localserver.Options{Keychain: noKeychain{}, Stderr: io.Discard}}
	c, err := d.switchServer("")
	if err != nil || c.StartupError != nil || !c.Local {
		t.Fatalf("switch: %+v %v", c, err)
	}
	if c.Abandon == nil {
		t.Fatal("nothing stops the built-in server of an abandoned switch")
	}
	c.Abandon()
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the built-in server runs on: %v", err)
	}
	ln.Close()
}
