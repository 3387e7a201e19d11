package authapi

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// answerCases drive TestDecodeAnswer and seed FuzzDecodeAnswer. Each is an
// answer to a sign-in (success 201 with tokens) unless want says otherwise.
var answerCases = []struct {
	name   string
	status int
	ct     string
	header string // a Retry-After value, if any
	body   string
	want   int    // the success status; 0 means 201 with tokens
	kind   string // ok, problem, notapi, insecure
	code   Code
}{
	{"tokens", 201, "application/json", "", `{"access_token":"a","refresh_token":"r","token_type":"Bearer","expires_in":900,"session_id":"s"}`, 0, "ok", ""},
	{"tokens, extra member", 201, "application/json; charset=utf-8", "", `{"access_token":"a","refresh_token":"r","new":1}`, 0, "ok", ""},
	{"tokens missing", 201, "application/json", "", `{"access_token":"a"}`, 0, "notapi", ""},
	{"tokens of the wrong type", 201, "application/json", "", `{"access_token":1,"refresh_token":"r"}`, 0, "notapi", ""},
	{"JSON null", 201, "application/json", "", `null`, 0, "notapi", ""},
	{"JSON array", 201, "application/json", "", `[]`, 0, "notapi", ""},
	{"two values", 201, "application/json", "", `{"access_token":"a","refresh_token":"r"} {}`, 0, "notapi", ""},
	{"tokens as HTML", 201, "text/html", "", `{"access_token":"a","refresh_token":"r"}`, 0, "notapi", ""},
	{"HTML 200", 200, "text/html; charset=utf-8", "", `<html><body>Sign in to the Wi-Fi</body></html>`, 0, "notapi", ""},
	{"HTML 401", 401, "text/html", "", `<html><body>Unauthorized</body></html>`, 0, "notapi", ""},
	{"empty 500", 500, "", "", ``, 0, "notapi", ""},
	{"empty 502", 502, "text/plain", "", `Bad Gateway`, 0, "notapi", ""},
	{"invalid credentials", 401, ProblemContentType, "", `{"title":"Unauthorized","status":401,"detail":"x","code":"invalid_credentials","attempts_left":3}`, 0, "problem", CodeInvalidCredentials},
	{"problem with charset", 423, ProblemContentType + "; charset=utf-8", "", `{"status":423,"code":"account_locked","locked_until":"2030-01-01T00:00:00Z"}`, 0, "problem", CodeAccountLocked},
	{"retry after header only", 503, ProblemContentType, "7", `{"status":503,"code":"overloaded"}`, 0, "problem", CodeOverloaded},
	{"truncated problem", 401, ProblemContentType, "", `{"status":401,"code":"invalid_cre`, 0, "notapi", ""},
	{"problem without code", 401, ProblemContentType, "", `{"status":401,"title":"Unauthorized"}`, 0, "notapi", ""},
	{"problem of the wrong status", 401, ProblemContentType, "", `{"status":400,"code":"invalid_request"}`, 0, "notapi", ""},
	{"problem as JSON", 401, "application/json", "", `{"status":401,"code":"invalid_credentials"}`, 0, "notapi", ""},
	{"problem in a 2xx", 200, ProblemContentType, "", `{"status":200,"code":"internal_error"}`, 0, "notapi", ""},
	{"no content", 204, "", "", ``, http.StatusNoContent, "ok", ""},
	{"no content expected, HTML given", 200, "text/html", "", `<html></html>`, http.StatusNoContent, "notapi", ""},
	{"accepted with a body", 202, "text/html", "", `<html></html>`, http.StatusAccepted, "notapi", ""},
	{"redirect to a portal", 302, "text/html", "", `<a href="http://portal.example/">`, 0, "notapi", ""},
	{"redirect to plain http", 301, "", "", ``, 0, "insecure", ""},
}

// locations of the redirect cases.
var locations = map[string]string{
	"redirect to a portal":   "https://portal.example/login?mac=1",
	"redirect to plain http": "http://auth.sesame.example/v1/sessions",
}

func caseHeader(ct, retryAfter, location string) http.Header {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	if location != "" {
		h.Set("Location", location)
	}
	return h
}

func TestDecodeAnswer(t *testing.T) {
	for _, tc := range answerCases {
		var tok Tokens
		want, out, need := tc.want, any(nil), []string(nil)
		if want == 0 {
			want, out, need = http.StatusCreated, &tok, tokenMembers
		}
		a := answer{status: tc.status, header: caseHeader(tc.ct, tc.header, locations[tc.name]), body: []byte(tc.body)}
		err := decodeAnswer("https", a, want, out, need)
		var (
			p  *Problem
			na *NotAPIError
			ir *InsecureRedirectError
		)
		switch tc.kind {
		case "ok":
			if err != nil || (out != nil && tok.AccessToken != "a") {
				t.Errorf("%s: %v", tc.name, err)
			}
		case "problem":
			if !errors.As(err, &p) || p.Code != tc.code || !errors.Is(err, &Problem{Code: tc.code}) {
				t.Errorf("%s: %v, want problem %s", tc.name, err, tc.code)
			}
		case "notapi":
			if !errors.As(err, &na) || !errors.Is(err, ErrNotAPI) || na.Status != tc.status {
				t.Errorf("%s: %v, want NotAPIError", tc.name, err)
			}
		case "insecure":
			if !errors.As(err, &ir) || ir.Location != "http://auth.sesame.example" {
				t.Errorf("%s: %v, want InsecureRedirectError", tc.name, err)
			}
		}
	}
	// The Retry-After header reaches the problem when its member is missing.
	a := answer{status: 503, header: caseHeader(ProblemContentType, "7", ""), body: []byte(`{"status":503,"code":"overloaded"}`)}
	if d, ok := RetryAfter(decodeAnswer("https", a, 200, nil, nil)); !ok || d != 7*time.Second {
		t.Fatalf("retry after %v, %v", d, ok)
	}
}

// FuzzDecodeAnswer: any answer decodes to success, a *Problem, a
// *NotAPIError or an *InsecureRedirectError, never a panic; ParseProblem
// returns a problem or ErrNotProblem, and the decoder agrees with it.
func FuzzDecodeAnswer(f *testing.F) {
	for _, tc := range answerCases {
		f.Add(tc.status, tc.ct, tc.header, locations[tc.name], []byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, status int, ct, retryAfter, location string, body []byte) {
		if status < 100 || status > 599 {
			return
		}
		p, perr := ParseProblem(status, ct, body)
		if (p == nil) == (perr == nil) || (perr != nil && !errors.Is(perr, ErrNotProblem)) {
			t.Fatalf("ParseProblem = %v, %v", p, perr)
		}
		var tok Tokens
		err := decodeAnswer("https", answer{status: status, header: caseHeader(ct, retryAfter, location), body: body},
			http.StatusCreated, &tok, tokenMembers)
		switch e := err.(type) {
		case nil:
			if status != http.StatusCreated {
				t.Fatalf("success from a %d answer", status)
			}
		case *Problem:
			if p == nil || e.Code != p.Code || status < 400 {
				t.Fatalf("problem %v from a %d answer that ParseProblem reads as %v", e, status, perr)
			}
		case *NotAPIError:
			if p != nil && status >= 400 {
				t.Fatalf("ParseProblem found %s but the decoder says not the API", p.Code)
			}
		case *InsecureRedirectError:
			if status < 300 || status >= 400 {
				t.Fatalf("insecure redirect from a %d answer", status)
			}
		default:
			t.Fatalf("error of type %T", err)
		}
	})
}

// sentinels names the sentinel of every problem code.
var sentinels = map[Code]error{
	CodeInvalidRequest: ErrInvalidRequest, CodeUnsupportedMediaType: ErrUnsupportedMediaType,
	CodeBodyTooLarge: ErrBodyTooLarge, CodeNotFound: ErrNotFound, CodeMethodNotAllowed: ErrMethodNotAllowed,
	CodeMisdirectedRequest:   ErrMisdirectedRequest,
	CodeMissingClientVersion: ErrMissingClientVersion, CodeInvalidEmail: ErrInvalidEmail,
	CodeWeakPassword: ErrWeakPassword, CodeInvalidPhrase: ErrInvalidPhrase, CodeInvalidCode: ErrInvalidCode,
	CodeCodeExpired: ErrCodeExpired, CodeInvalidCredentials: ErrInvalidCredentials,
	CodeAccountLocked: ErrAccountLocked, CodeAccountNotVerified: ErrAccountNotVerified,
	CodeAccountSuspended: ErrAccountSuspended, CodePasswordResetRequired: ErrPasswordResetRequired,
	CodeTwoFactorRequired:    ErrTwoFactorRequired,
	CodeInvalidTwoFactorCode: ErrInvalidTwoFactorCode, CodeChallengeExpired: ErrChallengeExpired,
	CodeInvalidRefreshToken: ErrInvalidRefreshToken, CodeRefreshTokenReused: ErrRefreshTokenReused,
	CodeUnauthorized: ErrUnauthorized, CodeResetTokenExpired: ErrResetTokenExpired,
	CodeTwoFactorAlreadyEnabled: ErrTwoFactorAlreadyEnabled, CodeTwoFactorNotEnabled: ErrTwoFactorNotEnabled,
	CodeTwoFactorNotPending: ErrTwoFactorNotPending, CodeRateLimited: ErrRateLimited,
	CodeSecretInRequest: ErrSecretInRequest, CodeSupportLimit: ErrSupportLimit, CodeSupportTokenExpired: ErrSupportTokenExpired,
	CodePhoneNotServed: ErrPhoneNotServed,
	CodeMaintenance:    ErrMaintenance, CodeOverloaded: ErrOverloaded, CodeClientOutdated: ErrClientOutdated,
	CodeInternal: ErrInternal,
}

func TestEveryCodeHasItsSentinel(t *testing.T) {
	if len(sentinels) != len(Codes) {
		t.Fatalf("%d sentinels for %d codes", len(sentinels), len(Codes))
	}
	for _, c := range Codes {
		s, ok := sentinels[c]
		if !ok {
			t.Fatalf("no sentinel for %s", c)
		}
		var err error = &Problem{Code: c, Status: 400}
		for other, os := range sentinels {
			if errors.Is(err, os) != (other == c) {
				t.Errorf("errors.Is(problem %s, sentinel of %s) = %v", c, other, other != c)
			}
		}
		if !errors.Is(err, s) {
			t.Errorf("problem %s does not match its sentinel", c)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		v        string
		min, max time.Duration
		ok       bool
	}{
		{"3", 3 * time.Second, 3 * time.Second, true},
		{"0", 0, 0, true},
		{date, 85 * time.Second, 90 * time.Second, true},
		{"-1", 0, 0, false},
		{"soon", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tc := range cases {
		d, ok := retryAfterHeader(caseHeader("", tc.v, ""))
		if ok != tc.ok || d < tc.min || d > tc.max {
			t.Errorf("Retry-After %q = %v, %v", tc.v, d, ok)
		}
	}
	// Backoff never waits less than Retry-After, and jitters up to its step.
	if d := backoff(0, caseHeader("", "2", "")); d != 2*time.Second {
		t.Errorf("backoff with Retry-After 2 = %v", d)
	}
	for tries, max := range []time.Duration{250 * time.Millisecond, 500 * time.Millisecond, time.Second} {
		if d := backoff(tries, http.Header{}); d < max/2 || d > max {
			t.Errorf("backoff(%d) = %v, want %v to %v", tries, d, max/2, max)
		}
	}
}
