package app

// The connection check in words: English texts for `sesame doctor`
// ([Step.Text], [Doctor]) and the redacted report behind "Copy report"
// ([Report], [ReportJSON]).

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"sesame/authapi"
	"sesame/keystore"
	"sesame/recovery"
)

// stepNames are the English names of the steps.
var stepNames = map[StepID]string{
	StepNetwork: "Network", StepDNS: "DNS", StepTCP: "Connection", StepTLS: "Certificate",
	StepPortal: "Answer", StepStatus: "Server status", StepVersion: "App version",
	StepClock: "Clock", StepKeychain: "Keychain", StepLatency: "Latency",
}

// Name returns the step's English name.
func (id StepID) Name() string {
	if n, ok := stepNames[id]; ok {
		return n
	}
	return string(id)
}

// okTitles are the English titles of steps that went well.
var okTitles = map[StepID]string{
	StepNetwork:  "The network is up",
	StepDNS:      "The server's name resolves",
	StepTCP:      "The server accepts connections",
	StepTLS:      "The server's certificate is valid",
	StepPortal:   "The answer comes from the Sesame server",
	StepStatus:   "The server works normally",
	StepVersion:  "This app is up to date",
	StepClock:    "This computer's clock is right",
	StepKeychain: `The keychain works: "remember me" is available`,
	StepLatency:  "The server answers quickly",
}

const (
	interception = " This may be interception on the network (a corporate proxy, antivirus software or a hostile Wi-Fi): do not sign in on this network until it is explained."
	rememberOff  = `Signing in works, but "remember me" is off until this is fixed. `
)

// Text returns the step's title and fix in English, for `sesame doctor`.
// The screens translate [Step.Keys] instead.
func (s Step) Text() (title, fix string) {
	d := func(k string) string { return s.Detail[k] }
	if s.Verdict == VerdictSkipped {
		switch s.Cause {
		case CausePlainHTTPLoopback:
			return "Plain HTTP on this computer: no certificate to check", ""
		case CauseClientOutdated:
			return "The server answers only newer versions of the app", "See the app version line."
		case CauseTimeout:
			return "Not checked: the check ran out of time", "Run the check again."
		case CauseCanceled:
			return "Not checked: the check was stopped", ""
		}
		return "Not checked: an earlier step failed", ""
	}
	if s.Cause == "" {
		if s.ID == StepNetwork && s.Figure == "loopback" {
			return "The server is on this computer: no network needed", ""
		}
		return okTitles[s.ID], ""
	}
	switch s.Cause {
	case CauseOffline:
		return "No network connection", "Connect to Wi-Fi or plug in a network cable, then run the check again."
	case CauseNetworkUnknown:
		return "The network interfaces could not be read", "Check that this computer is connected."
	case CauseInvalidServer:
		return "The server address is not valid", "In Settings, enter the server address as https://host (http:// only for a server on this computer)."
	case CausePlainHTTP:
		return "The server address uses plain http", "Use https:// for a server on another computer; plain http is allowed only on this computer."
	case CauseDNSFailed:
		return "The name " + d("host") + " does not resolve", "Check the server address in Settings. If it is right, the network's DNS is failing: reconnect, or try another network."
	case CauseTimeout:
		what := map[StepID]string{
			StepDNS: "The DNS server did not answer", StepTCP: "The connection was not accepted",
			StepTLS: "The secure connection did not complete", StepPortal: "The server accepted the connection but did not answer",
			StepLatency: "The server did not answer",
		}[s.ID]
		if what == "" {
			what = "No answer"
		}
		return what + " in time", "The server or the network is slow, or a firewall drops the traffic. Try again later, or on another network."
	case CauseConnectionRefused:
		return "The server refused the connection (" + d("address") + ")", "Nothing answers on that address: the server is down or the address is wrong. Check it in Settings; if it is right, try again later."
	case CauseUnreachable:
		return "The server's network cannot be reached", "Check your connection; a firewall or a VPN may block the route."
	case CauseConnectFailed:
		return "The connection to the server failed", "Try again; if it keeps failing, try another network."
	case CauseTLSUnknownAuthority:
		return "The certificate is signed by an authority this computer does not trust (" + d("issuer") + ")",
			"If your organisation inspects traffic, ask its IT staff." + interception
	case CauseTLSExpired:
		return "The server's certificate expired (" + s.Figure + ")",
			"If this computer's date is right, the server's certificate has expired: tell the server's operator." + interception
	case CauseTLSNotYetValid:
		return "The server's certificate is not valid yet (" + s.Figure + ")",
			"Check this computer's date and time; if they are right, something is wrong with the certificate." + interception
	case CauseTLSWrongHost:
		return "The certificate is for another name (" + d("names") + ")",
			"Check the server address in Settings." + interception
	case CauseTLSFailed:
		return "The secure connection failed", "The server or something on the network refused it. Try another network; if it keeps failing, tell the server's operator."
	case CauseCaptivePortal:
		return "Something else answers instead of the server (" + s.Figure + ")",
			"This network may want you to sign in first (hotel, airport or café Wi-Fi): open any web page in your browser, accept the network's terms, then run the check again. A proxy or firewall may also answer in the server's place."
	case CauseInsecureRedirect:
		return "The secure connection was redirected to plain http (" + d("location") + ")", "Do not sign in on this network; try another one."
	case CauseNetworkFailed:
		return "The connection broke before the answer came", "Try again; if it keeps failing, try another network."
	case CauseDegraded:
		return "The server works with problems: " + d("message"), "Signing in should work; mailed codes may arrive late."
	case CauseMaintenance:
		t := "The server is in maintenance"
		if u := d("until"); u != "" {
			t += " until " + strings.TrimPrefix(s.Figure, "maintenance until ")
		}
		if m := d("message"); m != "" {
			t += ": " + m
		}
		return t, "Wait for the maintenance to end; the app tries again by itself."
	case CauseRateLimited:
		return "The server asks to wait (" + s.Figure + ")", "Too many attempts came from this network; the app tries again by itself after the wait."
	case CauseOverloaded:
		return "The server is busy (" + s.Figure + ")", "The app tries again by itself after the wait."
	case CauseServerError:
		return "The server answered with an error (" + d("code") + ")", "Try again later; if it persists, tell the server's operator."
	case CauseStatusUnknown:
		return "The server reports an unknown status (" + s.Figure + ")", "Update the app; signing in may still work."
	case CauseClientOutdated:
		return "This app (" + d("version") + ") is too old: the server needs " + d("min_version") + " or newer", download("Install the new version", d("download_url"))
	case CauseUpdateAvailable:
		return "A newer version is available (" + d("latest_version") + ")", download("This version still works; update when you can", d("download_url"))
	case CauseVersionUnknown:
		return "The versions could not be compared (" + s.Figure + ")", ""
	case CauseClockSkew:
		side := "ahead of"
		if !strings.HasPrefix(d("offset"), "-") {
			side = "behind"
		}
		return "This computer's clock is " + strings.TrimLeft(d("offset"), "+-") + " " + side + " the server's",
			"Two-factor codes will fail. Turn on automatic date and time in the system settings (on Linux: timedatectl set-ntp true)."
	case CauseKeychainNoBus:
		return "No D-Bus session: the keychain cannot be reached",
			rememberOff + "Start Sesame from a desktop session (GNOME or KDE), or under dbus-run-session with a keyring daemon."
	case CauseKeychainNoProvider:
		return "No keychain service (Secret Service) is running",
			rememberOff + `On GNOME, install gnome-keyring (and Seahorse, "Passwords and Keys"); on KDE, install KWallet and enable its Secret Service in kwalletmanager (or use KeePassXC's Secret Service integration). Then log out and in again.`
	case CauseKeychainNoKeyring:
		return "The keychain has no default keyring",
			rememberOff + `On GNOME, open "Passwords and Keys" (Seahorse), create a keyring named "Login" and make it the default; on KDE, create a wallet in kwalletmanager.`
	case CauseKeychainLocked:
		return "The keychain is locked",
			rememberOff + `On GNOME, open "Passwords and Keys" (Seahorse) and unlock the "Login" keyring; on KDE, open the wallet in kwalletmanager.`
	case CauseKeychainTimeout:
		return "The keychain did not answer in time",
			rememberOff + `It may be waiting for you: look for an unlock prompt, or unlock the "Login" keyring in "Passwords and Keys" (GNOME) or the wallet in kwalletmanager (KDE).`
	case CauseKeychainFailed:
		return "The keychain answered with an error", rememberOff + "Log out and in again to restart the keyring service."
	case CauseCredentialManagerFailed:
		return "The Windows Credential Manager answered with an error",
			rememberOff + `Open Credential Manager (Control Panel, "User Accounts") and check that "Windows Credentials" opens; if it does not, sign out of Windows and in again.`
	case CauseCredentialManagerNoSession:
		return "This Windows session has no Credential Manager",
			rememberOff + "Start Sesame from your own desktop session: a service, a scheduled task or a remote shell (SSH) runs without your user profile, whose Credential Manager keeps the sign-in."
	case CauseSlow:
		return "The server answers slowly (" + s.Figure + ")", "Signing in works but may take a while; a VPN or a busy network may be the cause."
	}
	return s.Cause, ""
}

func download(say, link string) string {
	if link == "" {
		return say + "."
	}
	return say + ": " + link
}

// verdictSymbols mark a step's verdict in Doctor's text.
var verdictSymbols = map[Verdict]string{VerdictOK: "✓", VerdictWarning: "!", VerdictProblem: "✗", VerdictSkipped: "-"}

// Doctor is `sesame doctor [--server URL] [--json]`: it runs the connection
// check against --server, else $SESAME_SERVER, else defaultServer (the
// built-in local server main runs), and prints each step as a line of text,
// or the whole check as JSON for support tools. It returns the exit status:
// 0 when nothing blocks signing in, 1 when something does, 2 for bad usage.
// It needs no display.
func Doctor(ctx context.Context, args []string, stdout, stderr io.Writer, version, defaultServer string) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if env := os.Getenv("SESAME_SERVER"); env != "" {
		defaultServer = env
	}
	server := fs.String("server", defaultServer, "the auth server's `URL` (default: $SESAME_SERVER, else the built-in local server)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sesame doctor [--server URL] [--json]")
		fmt.Fprintln(stderr, "Checks the connection to the auth server; exits 1 when something blocks signing in.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sesame doctor: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *server == "" {
		fmt.Fprintln(stderr, "sesame doctor: no server: pass --server URL or set SESAME_SERVER")
		return 2
	}
	if _, err := authapi.NewClient(*server); err != nil {
		fmt.Fprintf(stderr, "sesame doctor: --server %s: %v\n", serverHost(*server), err)
		return 2
	}

	cfg := DiagnoseConfig{Server: *server, Version: version}
	var progress func(Step)
	if !*asJSON {
		fmt.Fprintf(stdout, "Sesame %s connection check of %s\n", version, serverHost(*server))
		progress = func(s Step) { writeStep(stdout, s) }
	}
	d := Diagnose(ctx, cfg, progress)
	if *asJSON {
		if err := writeJSON(stdout, doctorJSON(d)); err != nil {
			fmt.Fprintln(stderr, "sesame doctor:", err)
			return 2
		}
	} else if d.Blocking() {
		fmt.Fprintln(stdout, "Signing in is blocked: see the lines marked ✗.")
	} else {
		fmt.Fprintln(stdout, "Nothing blocks signing in.")
	}
	if d.Blocking() {
		return 1
	}
	return 0
}

// writeStep prints one step: its symbol, name, title and figure, then the
// fix indented.
func writeStep(w io.Writer, s Step) {
	title, fix := s.Text()
	line := fmt.Sprintf("%s %-14s %s", verdictSymbols[s.Verdict], s.ID.Name(), title)
	if s.Figure != "" && !strings.Contains(strings.ToLower(title), strings.ToLower(s.Figure)) {
		line += " — " + s.Figure
	}
	fmt.Fprintln(w, line)
	if fix != "" && s.Verdict != VerdictOK {
		fmt.Fprintln(w, "    "+fix)
	}
}

// DoctorStep is one step in Doctor's JSON.
type DoctorStep struct {
	Step
	Title string `json:"title"`
	Fix   string `json:"fix,omitempty"`
}

// DoctorOutput is Doctor's JSON, a stable schema for support tools.
type DoctorOutput struct {
	Server     string       `json:"server"`
	AppVersion string       `json:"app_version"`
	OS         string       `json:"os"`
	Started    time.Time    `json:"started"`
	Blocking   bool         `json:"blocking"`
	Steps      []DoctorStep `json:"steps"`
}

func doctorJSON(d Diagnosis) DoctorOutput {
	out := DoctorOutput{Server: serverHost(d.Server), AppVersion: d.AppVersion, OS: d.OS,
		Started: d.Started.UTC().Truncate(time.Second), Blocking: d.Blocking(), Steps: []DoctorStep{}}
	for _, s := range d.Steps {
		title, fix := s.Text()
		out.Steps = append(out.Steps, DoctorStep{Step: s, Title: title, Fix: fix})
	}
	return out
}

// serverHost returns scheme://host[:port] of a server address: no user
// info, path, query or fragment.
func serverHost(server string) string {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return "(not a URL)"
	}
	return clean(u.Scheme+"://"+u.Host, 300)
}

// The report behind "Copy report" is built only from fields that cannot
// hold a secret: versions, the OS, the server's scheme and host, each
// step's ID, verdict, cause, figure and detail, known error codes and the
// masked email. The free-text fields among them (figures, details, the OS)
// then pass through redact, which drops anything shaped like a secret.

// ReportData is the report in JSON.
type ReportData struct {
	AppVersion string    `json:"app_version"`
	OS         string    `json:"os"`
	Server     string    `json:"server"`
	Started    time.Time `json:"started"`
	Blocking   bool      `json:"blocking"`
	Steps      []Step    `json:"steps"`
	LastErrors []string  `json:"last_errors"`
	Dropped    int       `json:"dropped_errors,omitempty"` // entries of lastErrors that were not known codes
	Account    string    `json:"account,omitempty"`        // masked
}

// maxReportErrors bounds the error codes in a report, newest last.
const maxReportErrors = 20

// reportData builds the report's fields from d, the last error codes (as
// made by ErrorCode; anything else is dropped) and the signed-in or typed
// account (kept only masked, and only when it is an email address).
func reportData(d Diagnosis, lastErrors []string, account string) ReportData {
	// The server's own host name is kept as is, however it looks.
	var host string
	if u, err := url.Parse(strings.TrimSpace(d.Server)); err == nil {
		host = u.Hostname()
	}
	redact := func(s string) string { return redactBut(s, host) }
	r := ReportData{AppVersion: clean(d.AppVersion, 40), OS: redact(d.OS), Server: serverHost(d.Server),
		Started: d.Started.UTC().Truncate(time.Second), Blocking: d.Blocking(), Steps: []Step{}, LastErrors: []string{},
		Account: MaskEmail(account)}
	if _, err := authapi.ParseVersion(r.AppVersion); err != nil {
		r.AppVersion = "(unknown)"
	}
	for _, s := range d.Steps {
		c := Step{ID: s.ID, Verdict: s.Verdict, Cause: s.Cause, Figure: redact(s.Figure)}
		if !knownStep(s.ID) {
			continue
		}
		if !isKnownCode(c.Cause) {
			c.Cause = ""
		}
		for k, v := range s.Detail {
			if !detailKeys[k] {
				continue
			}
			if c.Detail == nil {
				c.Detail = map[string]string{}
			}
			c.Detail[k] = redact(v)
		}
		r.Steps = append(r.Steps, c)
	}
	for _, e := range lastErrors {
		if isKnownCode(e) {
			r.LastErrors = append(r.LastErrors, e)
		} else {
			r.Dropped++
		}
	}
	if n := len(r.LastErrors); n > maxReportErrors {
		r.LastErrors = r.LastErrors[n-maxReportErrors:]
	}
	return r
}

func knownStep(id StepID) bool {
	_, ok := stepNames[id]
	return ok
}

// detailKeys are the Step.Detail keys a report carries.
var detailKeys = map[string]bool{
	"host": true, "address": true, "issuer": true, "names": true, "not_after": true, "not_before": true,
	"status": true, "content_type": true, "location": true, "message": true, "until": true,
	"retry_after": true, "code": true, "version": true, "min_version": true, "latest_version": true,
	"download_url": true, "offset": true, "offset_seconds": true, "server_time_offset": true,
	"limit": true, "median_ms": true,
}

// Report returns the plain-text report of "Copy report": the app version,
// the OS, the server's host, each step's verdict, cause and figure, the
// last error codes and the masked account. It never holds a password, a
// code, a token, a secret or a recovery phrase (see redact).
func Report(d Diagnosis, lastErrors []string, account string) string {
	r := reportData(d, lastErrors, account)
	var b strings.Builder
	fmt.Fprintf(&b, "Sesame connection report\n")
	fmt.Fprintf(&b, "App version: %s\nOS: %s\nServer: %s\nChecked: %s\n", r.AppVersion, r.OS, r.Server, r.Started.Format(time.RFC3339))
	fmt.Fprintf(&b, "Blocks signing in: %s\n", map[bool]string{true: "yes", false: "no"}[r.Blocking])
	for _, s := range r.Steps {
		fmt.Fprintf(&b, "%-8s %-9s %s", s.Verdict, s.ID, s.Cause)
		if s.Figure != "" {
			fmt.Fprintf(&b, " [%s]", s.Figure)
		}
		for _, k := range sortedKeys(s.Detail) {
			fmt.Fprintf(&b, " %s=%q", k, s.Detail[k])
		}
		b.WriteString("\n")
	}
	errs := strings.Join(r.LastErrors, ", ")
	if errs == "" {
		errs = "none"
	}
	if r.Dropped > 0 {
		errs += fmt.Sprintf(" (%d unknown entries left out)", r.Dropped)
	}
	fmt.Fprintf(&b, "Last errors: %s\n", errs)
	account = r.Account
	if account == "" {
		account = "none"
	}
	fmt.Fprintf(&b, "Account: %s\n", account)
	return b.String()
}

// ReportJSON returns the report of Report as JSON, for support tools.
func ReportJSON(d Diagnosis, lastErrors []string, account string) ([]byte, error) {
	var b strings.Builder
	err := writeJSON(&b, reportData(d, lastErrors, account))
	return []byte(b.String()), err
}

// writeJSON writes v indented, with <, > and & as they are.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// MaskEmail returns an email address with all but its first and last
// characters and its top-level domain hidden: "alice@example.org" is
// "a***e@e***.org". Input that is not an email address gives "": it may be
// anything the user typed, a password included.
func MaskEmail(email string) string {
	if authapi.ValidateEmail(email) != nil {
		return ""
	}
	local, domain, _ := strings.Cut(authapi.NormalizeEmail(email), "@")
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	return maskPart(local, true) + "@" + maskPart(domain, false) + "." + tld
}

// maskPart keeps the first rune of s, and its last when keepLast and s
// has more than two.
func maskPart(s string, keepLast bool) string {
	r := []rune(s)
	out := string(r[0]) + "***"
	if keepLast && len(r) > 2 {
		out += string(r[len(r)-1])
	}
	return out
}

// ErrorCode returns the stable code of an error of the flows, for the
// report's last errors: the problem code of an API answer, or the name of
// a transport, keychain, recovery-phrase, wallet or flow failure; "other"
// for anything else. It never returns text from the error's message.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	// The built-in server's failures come first: one for want of the
	// keychain would otherwise read as a keychain problem, whose text says
	// that signing in still works.
	if errors.Is(err, ErrLocalServer) {
		var ue *keystore.UnavailableError
		if errors.As(err, &ue) {
			return codeLocalServerKeychain
		}
		return "local_server_failed"
	}
	if c := localCode(err); c != "" {
		return c
	}
	// A step's own names for a problem come before the problem's code.
	for _, c := range recheckCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	if p, ok := authapi.ProblemOf(err); ok {
		if isKnownCode(string(p.Code)) {
			return string(p.Code)
		}
		return "api_problem"
	}
	var tlsErr *authapi.TLSError
	if errors.As(err, &tlsErr) {
		return tlsCause(tlsErr.Reason)
	}
	var ue *keystore.UnavailableError
	if errors.As(err, &ue) {
		return keychainCause(ue.Reason)
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return "other"
}

// keychainCauses names the keychain's reasons on each system ("" for
// the Secret Service of Linux and the BSDs); Windows' Credential Manager
// has causes of its own, whose fixes speak of it.
var keychainCauses = map[string]map[keystore.Reason]string{
	"": {
		keystore.ReasonOther:        CauseKeychainFailed,
		keystore.ReasonNoSessionBus: CauseKeychainNoBus,
		keystore.ReasonNoProvider:   CauseKeychainNoProvider,
		keystore.ReasonNoKeyring:    CauseKeychainNoKeyring,
		keystore.ReasonLocked:       CauseKeychainLocked,
		keystore.ReasonTimedOut:     CauseKeychainTimeout,
	},
	"windows": {
		keystore.ReasonOther:          CauseCredentialManagerFailed,
		keystore.ReasonNoLogonSession: CauseCredentialManagerNoSession,
	},
}

// keychainCause is the cause of reason r of this system's keychain.
func keychainCause(r keystore.Reason) string { return keychainCauseOn(runtime.GOOS, r) }

// keychainCauseOn is the cause of reason r on the system goos; a reason
// the system's table lacks is its ReasonOther's.
func keychainCauseOn(goos string, r keystore.Reason) string {
	table, ok := keychainCauses[goos]
	if !ok {
		table = keychainCauses[""]
	}
	if c, ok := table[r]; ok {
		return c
	}
	return table[keystore.ReasonOther]
}

// codeLocalServerKeychain: the built-in server could not read the key of
// its two-factor secrets from the keychain.
const codeLocalServerKeychain = "local_server_keychain"

// The codes of a server on this computer that refuses the connection or
// accepts it and never answers: no network is involved, so the advice is
// not about Wi-Fi or cables.
const (
	codeLocalUnreachable = "local_unreachable"
	codeLocalTimeout     = "local_timeout"
)

// localCode is the code of err when it is a refused or unanswered
// connection to a server on this computer, else "".
func localCode(err error) string {
	var oe *authapi.OfflineError
	var te *authapi.TimeoutError
	switch {
	case errors.As(err, &oe) && isLoopback(hostOnly(oe.Host)):
		return codeLocalUnreachable
	case errors.As(err, &te) && isLoopback(hostOnly(te.Host)):
		return codeLocalTimeout
	}
	return ""
}

// hostOnly is host without its port, if it has one.
func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// recheckCodes name a problem in a step's own words: a step that re-checks
// the password or a two-factor code outside the sign-in (see recheck), a
// refused recovery code (see recoveryRefused).
var recheckCodes = []struct {
	err  error
	code string
}{
	{ErrWrongPassword, "wrong_password"},
	{ErrAttemptsLocked, "attempts_locked"},
	{ErrRecoveryCodeRefused, "recovery_code_refused"},
}

// errorCodes names the sentinels of the packages app uses, first match wins.
var errorCodes = []struct {
	err  error
	code string
}{
	{context.Canceled, CauseCanceled},
	{context.DeadlineExceeded, CauseTimeout},
	{authapi.ErrOffline, CauseOffline},
	{authapi.ErrDNS, CauseDNSFailed},
	{authapi.ErrTimeout, CauseTimeout},
	{authapi.ErrNotAPI, "not_api"},
	{authapi.ErrInsecureRedirect, CauseInsecureRedirect},
	{authapi.ErrNetwork, CauseNetworkFailed},
	{authapi.ErrNoSession, "no_session"},
	{authapi.ErrInvalidBaseURL, CauseInvalidServer},
	{authapi.ErrPlainHTTP, CausePlainHTTP},
	{authapi.ErrInvalidEmail, string(authapi.CodeInvalidEmail)},
	{authapi.ErrWeakPassword, string(authapi.CodeWeakPassword)},
	{authapi.ErrInvalidCode, string(authapi.CodeInvalidCode)},
	{authapi.ErrInvalidPhrase, string(authapi.CodeInvalidPhrase)},
	{authapi.ErrInvalidRecoveryCode, "invalid_recovery_code"},
	{keystore.ErrNotFound, "keychain_not_found"},
	{keystore.ErrTooLarge, "keychain_too_large"},
	{keystore.ErrWrongPasswordOrCorrupt, "wallet_wrong_password"},
	{keystore.ErrEmptyPassword, "wallet_password_empty"},
	{recovery.ErrEmpty, "phrase_empty"},
	{recovery.ErrUnknownWord, "phrase_unknown_word"},
	{recovery.ErrWordCount, "phrase_word_count"},
	{recovery.ErrChecksum, "phrase_checksum"},
	{recovery.ErrMixedLanguages, "phrase_mixed_languages"},
	{recovery.ErrQuizWrong, "quiz_wrong"},
	{ErrNotSignedIn, "not_signed_in"},
	{ErrSignedIn, "signed_in"},
	{ErrPasswordsDiffer, "passwords_differ"},
	{ErrLocalServer, "local_server_failed"},
	{ErrChallengeExpired, string(authapi.CodeChallengeExpired)},
	{ErrStepOrder, "step_order"},
	{ErrNoWallet, "no_wallet"},
	{ErrWalletExists, "wallet_exists"},
	{ErrWalletLocked, "wallet_locked"},
	{ErrQuizNotPassed, "quiz_not_passed"},
	{ErrWalletPasswordEmpty, "wallet_password_empty"},
}

// knownCodes are the codes a report may carry: the API's problem codes,
// the check's causes and the codes of ErrorCode.
var knownCodes = func() map[string]bool {
	m := map[string]bool{"other": true, "api_problem": true, codeLocalServerKeychain: true,
		codeLocalUnreachable: true, codeLocalTimeout: true}
	for _, c := range authapi.Codes {
		m[string(c)] = true
	}
	for _, c := range Causes {
		m[c] = true
	}
	for _, c := range append(recheckCodes, errorCodes...) {
		m[c.code] = true
	}
	return m
}()

func isKnownCode(s string) bool { return knownCodes[s] }

// What redact drops from a free-text field, each replaced by "[redacted]":
//   - a run of 6 or more digits (a mailed or authenticator code);
//   - a run of 16 or more of [A-Za-z0-9_-] (a token, a TOTP secret, a key);
//   - a run of 12 or more letters and digits holding a digit or in upper
//     case only (a recovery code without its hyphens);
//   - three groups of four letters or digits joined by hyphens, or by
//     spaces when in upper case (a recovery code as shown);
//   - three or more words in a row that are all in a BIP39 wordlist (a
//     recovery phrase or part of one), also as adjacent CJK characters.
//
// It may drop harmless text (an operator's message made of common words);
// it never lets those shapes through.
var (
	redactDigits    = regexp.MustCompile(`[0-9]{6,}`)
	redactToken     = regexp.MustCompile(`[A-Za-z0-9_\-]{16,}`)
	redactAlnum     = regexp.MustCompile(`[A-Za-z0-9]{12,}`)
	redactGroups    = regexp.MustCompile(`(?i)\b[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\b|\b[0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4}\b`)
	hasDigit        = regexp.MustCompile(`[0-9]`)
	redactedMark    = "[redacted]"
	minPhraseRunLen = 3
)

// redactBut is redact that keeps the occurrences of keep.
func redactBut(s, keep string) string {
	if len(keep) < 4 {
		return redact(s)
	}
	parts := strings.Split(clean(s, 300), keep)
	for i, p := range parts {
		parts[i] = redact(p)
	}
	return strings.Join(parts, keep)
}

// redact cleans s (printable, at most 300 bytes) and drops every part of
// it shaped like a secret.
func redact(s string) string {
	s = clean(s, 300)
	s = redactToken.ReplaceAllString(s, redactedMark)
	s = redactGroups.ReplaceAllString(s, redactedMark)
	s = redactAlnum.ReplaceAllStringFunc(s, func(m string) string {
		if hasDigit.MatchString(m) || strings.ToUpper(m) == m {
			return redactedMark
		}
		return m
	})
	s = redactDigits.ReplaceAllString(s, redactedMark)
	return redactPhrase(s)
}

// redactPhrase drops runs of words from a BIP39 list that hold at least
// minPhraseRunLen words; a CJK token counts one word per character.
func redactPhrase(s string) string {
	type word struct{ start, end, weight int }
	var words []word
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if j > i {
			words = append(words, word{i, j, listedWords(s[i:j])})
		}
		i = j + 1
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(words); {
		if words[i].weight == 0 {
			i++
			continue
		}
		j, n := i, 0
		for ; j < len(words) && words[j].weight > 0; j++ {
			n += words[j].weight
		}
		if n >= minPhraseRunLen {
			b.WriteString(s[last:words[i].start])
			b.WriteString(redactedMark)
			last = words[j-1].end
		}
		i = j
	}
	b.WriteString(s[last:])
	return b.String()
}

// listedWords counts the BIP39 words w is, without surrounding
// punctuation: 1 for a listed word, one per character for a token of CJK
// characters that all are listed, else 0.
func listedWords(w string) int {
	w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if w == "" {
		return 0
	}
	if rs := []rune(w); unicode.Is(unicode.Han, rs[0]) && len(rs) > 1 {
		for _, r := range rs {
			if !inWordlist(string(r)) {
				return 0
			}
		}
		return len(rs)
	}
	if inWordlist(w) {
		return 1
	}
	return 0
}

// inWordlist reports whether w is a word of any BIP39 list, compared as
// the lists compare (lower case, NFKD). It asks recovery.Complete rather
// than recovery.CheckWord, which also works out suggestions for typos.
func inWordlist(w string) bool {
	key := norm.NFKD.String(strings.ToLower(w))
	for _, l := range recovery.Languages() {
		for _, c := range recovery.Complete(l, w, 2048) {
			if norm.NFKD.String(strings.ToLower(c)) == key {
				return true
			}
		}
	}
	return false
}
