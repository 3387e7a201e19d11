package testcert_test

import (
	"crypto/x509"
	"errors"
	"net"
	"testing"
	"time"

	"sesame/internal/testcert"
)

func TestCertificates(t *testing.T) {
	now := time.Now()
	ca := testcert.NewCA(t)
	valid := ca.Leaf(t, []string{"localhost"}, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour))
	expired := ca.Leaf(t, nil, testcert.Loopback, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	self := testcert.SelfSigned(t, nil, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour))
	verify := func(c *x509.Certificate, name string) error {
		_, err := c.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name})
		return err
	}
	for _, name := range []string{"localhost", "127.0.0.1"} {
		if err := verify(valid.Leaf, name); err != nil {
			t.Errorf("leaf for %s: %v", name, err)
		}
	}
	var host x509.HostnameError
	if err := verify(valid.Leaf, "other.example"); !errors.As(err, &host) {
		t.Errorf("leaf for another name: %v", err)
	}
	var invalid x509.CertificateInvalidError
	if err := verify(expired.Leaf, "127.0.0.1"); !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
		t.Errorf("expired leaf: %v", err)
	}
	var unknown x509.UnknownAuthorityError
	if err := verify(self.Leaf, "127.0.0.1"); !errors.As(err, &unknown) {
		t.Errorf("self-signed leaf: %v", err)
	}
	if valid.Leaf.Issuer.CommonName != testcert.CAName || self.Leaf.Issuer.CommonName != testcert.LeafName ||
		!self.Leaf.IPAddresses[0].Equal(net.IPv4(127, 0, 0, 1)) || valid.Leaf.SerialNumber.Cmp(expired.Leaf.SerialNumber) == 0 {
		t.Errorf("issuers %q %q, IPs %v, serials %v %v", valid.Leaf.Issuer.CommonName, self.Leaf.Issuer.CommonName,
			self.Leaf.IPAddresses, valid.Leaf.SerialNumber, expired.Leaf.SerialNumber)
	}
}

func TestServeTLS(t *testing.T) {
	ca, now := testcert.NewCA(t), time.Now()
	s := testcert.ServeTLS(t, ca.Leaf(t, nil, testcert.Loopback, now.Add(-time.Hour), now.Add(time.Hour)), nil)
	resp, err := ca.Client().Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].Issuer.CommonName != testcert.CAName {
		t.Fatalf("TLS state %+v", resp.TLS)
	}
	if _, err := testcert.NewCA(t).Client().Get(s.URL); err == nil {
		t.Fatal("a client trusting another CA reached the server")
	}
}
