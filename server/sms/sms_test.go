package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sesame/server/sms"
	"sesame/server/store/sqlite"
)

func TestComposeEveryLanguage(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hans", "fr"} {
		for _, k := range sms.Kinds() {
			m := sms.Compose(k, "+8613800138000", lang, "042137", 10)
			if m.To != "+8613800138000" || !strings.Contains(m.Text, "042137") || !strings.Contains(m.Text, "10") ||
				strings.Contains(m.Text, "{") || !strings.Contains(m.Text, "Sesame") {
				t.Errorf("%s %s: %+v", lang, k, m)
			}
		}
	}
	if zh := sms.Compose(sms.KindReset, "+8613800138000", "zh-Hans", "042137", 10); !strings.Contains(zh.Text, "您") {
		t.Errorf("the Chinese text is not Chinese: %s", zh.Text)
	}
}

// gateway serves h as an SMS gateway on loopback.
func gateway(t *testing.T, h http.HandlerFunc, timeout time.Duration) *sms.Gateway {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	g, err := sms.NewGateway(hs.URL+"/send?account=7", "gateway-token-31337", timeout)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGatewayPostsJSON(t *testing.T) {
	type got struct {
		path, auth, ctype string
		body              map[string]string
	}
	seen := make(chan got, 1)
	g := gateway(t, func(w http.ResponseWriter, r *http.Request) {
		var b map[string]string
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&b) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		seen <- got{r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b}
		w.WriteHeader(http.StatusAccepted)
	}, 0)
	m := sms.Compose(sms.KindReset, "+8613800138000", "zh-Hans", "042137", 10)
	if err := g.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	r := <-seen
	if r.path != "/send?account=7" || r.auth != "Bearer gateway-token-31337" || r.ctype != "application/json" ||
		len(r.body) != 2 || r.body["to"] != m.To || r.body["text"] != m.Text {
		t.Fatalf("the gateway got %+v", r)
	}
}

// TestGatewayErrorsKeepSecrets: a failed delivery says why, typed, and
// names neither the code, the number, the URL nor the token.
func TestGatewayErrorsKeepSecrets(t *testing.T) {
	m := sms.Compose(sms.KindReset, "+8613800138000", "en", "042137", 10)
	refused := gateway(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no credit for "+m.Text, http.StatusPaymentRequired)
	}, 0)
	redirects := gateway(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/steal", http.StatusTemporaryRedirect)
	}, 0)
	release := make(chan struct{})
	stuck := gateway(t, func(w http.ResponseWriter, r *http.Request) { <-release }, 50*time.Millisecond)
	t.Cleanup(func() { close(release) }) // before the gateway closes
	down, err := sms.NewGateway("http://127.0.0.1:1/send?token=gateway-token-31337", "gateway-token-31337", 0)
	if err != nil {
		t.Fatal(err)
	}
	var re *sms.RefusedError
	for name, c := range map[string]struct {
		g    *sms.Gateway
		want error
	}{"refused": {refused, sms.ErrRefused}, "redirect": {redirects, sms.ErrRefused}, "stuck": {stuck, sms.ErrUnreachable}, "down": {down, sms.ErrUnreachable}} {
		err := c.g.Send(context.Background(), m)
		if !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", name, err, c.want)
		}
		for _, s := range []string{"042137", "8613800138000", "gateway-token", "/send", "account=7"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%s: the error %q names %q", name, err, s)
			}
		}
	}
	if err := refused.Send(context.Background(), m); !errors.As(err, &re) || re.Status != http.StatusPaymentRequired {
		t.Fatalf("refused: %v", err)
	}
}

func TestNewGatewayRefusesURLs(t *testing.T) {
	for raw, want := range map[string]error{
		"http://sms.example/send":          sms.ErrInsecureURL,
		"https://user:pw@sms.example/send": sms.ErrInvalidURL,
		"ftp://sms.example/send":           sms.ErrInvalidURL,
		"https:///send":                    sms.ErrInvalidURL,
		"://":                              sms.ErrInvalidURL,
		"https://sms.example/send?key=x":   nil,
		"http://127.0.0.1:8080/send":       nil,
		"http://localhost/send":            nil,
		"http://[::1]:9/send":              nil,
	} {
		if _, err := sms.NewGateway(raw, "t", 0); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", raw, err, want)
		}
	}
}

// TestOutboxStores: the outbox keeps a message in the store's outbox,
// marked as a text message.
func TestOutboxStores(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sesame.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var _ sms.Sender = sms.NewOutbox(st)
	m := sms.Compose(sms.KindVerifyPhone, "+8613800138000", "en", "042137", 10)
	before := time.Now().Add(-time.Second)
	if err := sms.NewOutbox(st).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got, err := st.Mails(context.Background(), m.To)
	if err != nil || len(got) != 1 || !got[0].SMS || got[0].Text != m.Text || got[0].Subject != "" || got[0].ID == "" || got[0].SentAt.Before(before) {
		t.Fatalf("the outbox holds %+v (%v)", got, err)
	}
}
