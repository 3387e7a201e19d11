package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"sesame/authapi"
	"sesame/server/store"
)

// PathWasntMe serves the "this wasn't me" page of security notices: GET
// shows what the button does, POST (form field t) does it. It is a page
// for browsers, outside the API.
const PathWasntMe = "/wasnt-me"

// A link's token is LANG.NONCE.MAC: the page's language, 32 random bytes
// and an HMAC of both under the link key, base64url. The MAC turns away
// forged links before the store is asked; the store keeps the token's
// digest, which makes it single-use and expiring.
const (
	nonceLen = 32
	macLen   = 16
)

// Page kinds, one template file each per language.
const (
	pageConfirm = "confirm" // what the button does, and the button
	pageDone    = "done"    // what was done, what to do next
	pageUsed    = "used"    // the link was used already
	pageExpired = "expired" // the link expired
	pageInvalid = "invalid" // the link is not one of ours
)

//go:embed pages
var pageFiles embed.FS

// pages are the templates by language and kind; a language is a folder of
// pages/ with a file per kind, put in pages/layout.html.
var pages = parsePages()

func parsePages() map[string]map[string]*template.Template {
	layout := template.Must(template.ParseFS(pageFiles, "pages/layout.html"))
	dirs, err := fs.ReadDir(pageFiles, "pages")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]*template.Template{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		out[d.Name()] = map[string]*template.Template{}
		for _, kind := range []string{pageConfirm, pageDone, pageUsed, pageExpired, pageInvalid} {
			t := template.Must(layout.Clone())
			out[d.Name()][kind] = template.Must(t.ParseFS(pageFiles, "pages/"+d.Name()+"/"+kind+".html"))
		}
	}
	return out
}

// PageLanguages lists the languages of the pages, sorted.
func PageLanguages() []string { return slices.Sorted(maps.Keys(pages)) }

// pageLang is lang when the pages have it, else English.
func pageLang(lang string) string {
	if _, ok := pages[lang]; ok {
		return lang
	}
	return "en"
}

// WasntMeLink makes a "this wasn't me" link for a security notice to the
// account, whose page speaks lang (English when the pages lack it), valid
// for store.WasntMeTTL and once. Without Config.PublicURL there is no
// address to link to: it returns "" and stores nothing, and the notice
// goes without a link.
func (s *Server) WasntMeLink(ctx context.Context, accountID, lang string) (string, error) {
	if s.cfg.PublicURL == "" {
		return "", nil
	}
	tok := s.signLink(pageLang(lang), randomToken())
	err := s.cfg.Store.PutWasntMeToken(ctx, linkDigest(tok), store.WasntMeToken{
		AccountID: accountID, ExpiresAt: s.cfg.Now().Add(store.WasntMeTTL),
	})
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(s.cfg.PublicURL, "/") + PathWasntMe + "?t=" + url.QueryEscape(tok), nil
}

// signLink makes the token of lang and nonce.
func (s *Server) signLink(lang, nonce string) string {
	return lang + "." + nonce + "." + base64.RawURLEncoding.EncodeToString(s.linkMAC(lang, nonce))
}

func (s *Server) linkMAC(lang, nonce string) []byte {
	m := hmac.New(sha256.New, s.linkKey)
	m.Write([]byte(lang))
	m.Write([]byte{0})
	m.Write([]byte(nonce))
	return m.Sum(nil)[:macLen]
}

// errForged reports a token that the link key did not sign.
var errForged = errors.New("server: a forged link")

// openLink checks tok's signature and returns the language of its page,
// that tok names even when it is forged, so that the page explains in the
// language the link names.
func (s *Server) openLink(tok string) (string, error) {
	lang, rest, _ := strings.Cut(tok, ".")
	nonce, mac, _ := strings.Cut(rest, ".")
	got, err := base64.RawURLEncoding.Strict().DecodeString(mac)
	if err != nil || len(got) != macLen || base64.RawURLEncoding.DecodedLen(len(nonce)) != nonceLen ||
		!hmac.Equal(got, s.linkMAC(lang, nonce)) {
		return pageLang(lang), errForged
	}
	return pageLang(lang), nil
}

// linkPage answers the page of a link's outcome: page when err is nil,
// else the page of a used, expired or forged link; other errors it
// returns.
func linkPage(w http.ResponseWriter, lang string, err error, page, tok string) error {
	switch {
	case err == nil:
		return writePage(w, http.StatusOK, lang, page, tok)
	case errors.Is(err, store.ErrUsed):
		return writePage(w, http.StatusGone, lang, pageUsed, "")
	case errors.Is(err, store.ErrNotFound):
		return writePage(w, http.StatusGone, lang, pageExpired, "")
	case errors.Is(err, errForged):
		return writePage(w, http.StatusBadRequest, lang, pageInvalid, "")
	}
	return err
}

// wasntMePage shows what the button does. It changes nothing, so that a
// mail scanner that opens the link does nothing.
func (s *Server) wasntMePage(w http.ResponseWriter, r *http.Request) error {
	tok := r.URL.Query().Get("t")
	lang, err := s.openLink(tok)
	if err == nil {
		var t store.WasntMeToken
		if t, err = s.cfg.Store.WasntMeToken(r.Context(), linkDigest(tok)); err == nil {
			err = t.Spendable(s.cfg.Now())
		}
	}
	return linkPage(w, lang, err, pageConfirm, tok)
}

// wasntMe spends the token of form field t: it signs out every session,
// ends every device's trust, cancels pending resets, removes the phone
// number and requires a password reset before the next sign-in (see
// store.SecureAccount).
func (s *Server) wasntMe(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	tok := ""
	if err := r.ParseForm(); err == nil {
		tok = r.PostForm.Get("t")
	}
	lang, err := s.openLink(tok)
	if err == nil {
		_, err = s.cfg.Store.SecureAccount(r.Context(), linkDigest(tok), s.cfg.Now(), authapi.ActivityEvent{
			At: s.cfg.Now().UTC(), IP: clientIP(r), Result: authapi.ResultAccountSecured,
		})
	}
	return linkPage(w, lang, err, pageDone, "")
}

// pageData is what a page template reads.
type pageData struct {
	Lang  string
	Token string // the confirm page's form field
}

// writePage answers a page with the headers of a page that holds a token
// in its address: no framing (clickjacking), no script, forms only to
// this origin, no referrer, no caching.
func writePage(w http.ResponseWriter, status int, lang, kind, tok string) error {
	var b bytes.Buffer
	if err := pages[lang][kind].Execute(&b, pageData{Lang: lang, Token: tok}); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err := w.Write(b.Bytes())
	return err
}

// linkDigest is how the store keeps a link's token.
func linkDigest(tok string) []byte { return digest("wasnt-me", tok) }
