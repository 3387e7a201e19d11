package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/internal/testcert"
)

// TestTLSIsModernAndStrict serves HTTPS from certificate files and checks
// that TLS 1.1 and the TLS 1.2 CBC suites are refused, and that answers
// carry HSTS.
func TestTLSIsModernAndStrict(t *testing.T) {
	dir := t.TempDir()
	ca := testcert.NewCA(t)
	now := time.Now()
	leaf := ca.Leaf(t, []string{"localhost"}, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour))
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	der, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, certFile, "CERTIFICATE", leaf.Certificate[0])
	writePEM(t, keyFile, "PRIVATE KEY", der)
	keyArg := filepath.Join(dir, "totp.key")
	if err := run(context.Background(), []string{"genkey", "--out", keyArg}, io.Discard, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	addr := serveUntilCleanup(t, io.Discard, "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "authd.db"), "--totp-key-file", keyArg,
		"--local-mailbox", "--tls-cert", certFile, "--tls-key", keyFile)
	get := func(c *tls.Config) (*http.Response, error) {
		c.RootCAs = ca.Pool()
		cl := &http.Client{Transport: &http.Transport{TLSClientConfig: c}}
		req, _ := http.NewRequest("GET", "https://"+addr+"/v1/status", nil)
		req.Header.Set(authapi.HeaderClientVersion, "1.0.0")
		resp, err := cl.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	if _, err := get(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("a TLS 1.1 client was served")
	}
	cbc := &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	}}
	if _, err := get(cbc); err == nil {
		t.Error("a TLS 1.2 client offering only CBC suites was served")
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		resp, err := get(&tls.Config{MinVersion: v, MaxVersion: v})
		if err != nil {
			t.Fatalf("TLS %x: %v", v, err)
		}
		if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
			t.Errorf("TLS %x: status %d, HSTS %q", v, resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
		}
	}
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
