// Package testcert makes certificates for tests: a certificate authority,
// leaves it signs, self-signed leaves, and TLS servers and clients that use
// them. Only tests import it.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Common names of the certificates made here.
const (
	CAName   = "Sesame test CA"
	LeafName = "Sesame test leaf"
)

// Loopback is 127.0.0.1, as the IP addresses of a leaf.
var Loopback = []net.IP{net.IPv4(127, 0, 0, 1)}

// CA is a certificate authority of one test.
type CA struct {
	// Cert is the CA's certificate, with its key and parsed Leaf.
	Cert tls.Certificate
}

// NewCA makes a CA valid from an hour ago for a day.
func NewCA(t testing.TB) *CA {
	t.Helper()
	now := time.Now()
	tmpl := template(t, CAName, nil, nil, now.Add(-time.Hour), now.Add(24*time.Hour))
	tmpl.IsCA = true
	tmpl.KeyUsage |= x509.KeyUsageCertSign
	return &CA{Cert: issue(t, tmpl, nil)}
}

// Leaf makes a server certificate for the names in dns and ips, valid from
// notBefore to notAfter, signed by ca.
func (ca *CA) Leaf(t testing.TB, dns []string, ips []net.IP, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	return issue(t, template(t, LeafName, dns, ips, notBefore, notAfter), &ca.Cert)
}

// Pool holds ca's certificate alone.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert.Leaf)
	return pool
}

// Client is an HTTP client that trusts ca and nothing else.
func (ca *CA) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
}

// SelfSigned makes a server certificate for the names in dns and ips,
// valid from notBefore to notAfter, signed by its own key.
func SelfSigned(t testing.TB, dns []string, ips []net.IP, notBefore, notAfter time.Time) tls.Certificate {
	t.Helper()
	return issue(t, template(t, LeafName, dns, ips, notBefore, notAfter), nil)
}

// ServeTLS serves h over TLS with c on loopback until the test ends. The
// server does not log refused handshakes: they are what such tests make.
func ServeTLS(t testing.TB, c tls.Certificate, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.TLS = &tls.Config{Certificates: []tls.Certificate{c}}
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// template is a server certificate's template with a random serial number.
func template(t testing.TB, name string, dns []string, ips []net.IP, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		t.Fatal(err)
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              dns,
		IPAddresses:           ips,
	}
}

// issue signs tmpl with a new P-256 key, by parent (self-signed when nil).
func issue(t testing.TB, tmpl *x509.Certificate, parent *tls.Certificate) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, signKey := tmpl, any(key)
	if parent != nil {
		signer, signKey = parent.Leaf, parent.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
