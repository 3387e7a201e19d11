package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"sesame/authapi"
)

// origin is where a request comes from once the trusted proxies are
// believed: the client's address and the host it asked for.
type origin struct {
	ip   string
	host string
}

type originKey struct{}

// withOrigin resolves r's origin once and keeps it in r's context.
func (s *Server) withOrigin(r *http.Request) *http.Request {
	ip, host := resolveOrigin(s.cfg.TrustedProxies, s.cfg.ForwardedHeader, r.RemoteAddr, r.Host, r.Header)
	return r.WithContext(context.WithValue(r.Context(), originKey{}, origin{ip: ip, host: host}))
}

// clientIP is the request's client address, after the trusted proxies.
func clientIP(r *http.Request) string {
	if o, ok := r.Context().Value(originKey{}).(origin); ok {
		return o.ip
	}
	return peerAddr(r.RemoteAddr).String()
}

// addrKey is the key of a client address (as clientIP gives it) for the
// per-address limit and the hashing queue: an IPv4 address (IPv4-mapped
// too) is its own key, an IPv6 address its /64, the least one subscriber
// is given, so that the 2^64 addresses of one client share a key.
func addrKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	if a = a.Unmap().WithZone(""); a.Is6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + a.String()
}

// peerAddr is the address of a TCP peer "host:port"; invalid when it is none.
func peerAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// The forwarding headers Config.ForwardedHeader may name.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded"
)

// resolveOrigin walks the forwarding header from the right, starting at the
// TCP peer: while the current hop is a trusted proxy, the next address to
// its left is believed. The first untrusted hop is the client; a malformed,
// obfuscated or unknown entry ends the walk at the last good hop. Only the
// header the proxies write is read (field: Forwarded, RFC 7239, or
// X-Forwarded-For); the header lines of one field are one list. The host is
// the Host header, or what a trusted peer forwarded: host= of the last
// Forwarded element read, or the rightmost X-Forwarded-Host.
func resolveOrigin(trusted []netip.Prefix, field, remote, host string, h http.Header) (ip, reqHost string) {
	cur := peerAddr(remote)
	if !cur.IsValid() || !isTrusted(trusted, cur) {
		if !cur.IsValid() {
			return remote, host
		}
		return cur.String(), host
	}
	if field == HeaderForwarded {
		elems := forwardedElements(h.Values(HeaderForwarded))
		for i := len(elems) - 1; i >= 0 && isTrusted(trusted, cur); i-- {
			a, err := parseNode(elems[i]["for"], true)
			if err != nil {
				break
			}
			cur = a
			if v, has := elems[i]["host"]; has {
				host = v
			}
		}
		return cur.String(), host
	}
	if xfh := listValues(h.Values("X-Forwarded-Host")); len(xfh) > 0 {
		host = xfh[len(xfh)-1]
	}
	hops := listValues(h.Values(HeaderXForwardedFor))
	for i := len(hops) - 1; i >= 0 && isTrusted(trusted, cur); i-- {
		a, err := parseNode(hops[i], false)
		if err != nil {
			break
		}
		cur = a
	}
	return cur.String(), host
}

func isTrusted(trusted []netip.Prefix, a netip.Addr) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// listValues splits comma-separated header lines into one list of trimmed
// entries, empty ones included (they are malformed hops).
func listValues(lines []string) []string {
	if len(lines) == 0 {
		return nil
	}
	parts := strings.Split(strings.Join(lines, ","), ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts
}

// errBadNode is a forwarded hop that is not an IP address: obfuscated,
// "unknown", or garbled.
var errBadNode = errors.New("not an IP address")

// parseNode reads one hop: an IP address, with or without a port; IPv6 in
// brackets when it has a port, and always in Forwarded (bracketed says so).
func parseNode(s string, bracketed bool) (netip.Addr, error) {
	var a netip.Addr
	var err error
	switch {
	case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
		a, err = netip.ParseAddr(s[1 : len(s)-1])
		if err == nil && !a.Is6() {
			err = errBadNode
		}
	case strings.Count(s, ":") == 1 || strings.HasPrefix(s, "["):
		var ap netip.AddrPort
		ap, err = netip.ParseAddrPort(s)
		a = ap.Addr()
	default:
		a, err = netip.ParseAddr(s)
		if err == nil && bracketed && a.Is6() {
			err = errBadNode
		}
	}
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errBadNode
	}
	return a.Unmap(), nil
}

// forwardedElements splits Forwarded header lines into their elements, in
// order: a map of lower-cased parameter names to unquoted values, or nil
// for an element that is not well formed. A quoted string never spans
// lines, so a line's garbage stays in that line's last element.
func forwardedElements(lines []string) []map[string]string {
	var out []map[string]string
	for _, line := range lines {
		start, quoted := 0, false
		for i := 0; i <= len(line); i++ {
			switch {
			case i == len(line) || (!quoted && line[i] == ','):
				if e := strings.TrimSpace(line[start:i]); e != "" {
					out = append(out, parseElement(e))
				}
				start = i + 1
			case line[i] == '"':
				quoted = !quoted
			case quoted && line[i] == '\\':
				i++
			}
		}
	}
	return out
}

// parseElement reads one forwarded-element: pairs token=value joined by
// ";", each name at most once; nil when it is not that.
func parseElement(e string) map[string]string {
	m := map[string]string{}
	for len(e) > 0 {
		e = strings.TrimLeft(e, " \t")
		if e == "" {
			break
		}
		if e[0] == ';' {
			e = e[1:]
			continue
		}
		j := 0
		for j < len(e) && isTokenChar(e[j]) {
			j++
		}
		if j == 0 || j == len(e) || e[j] != '=' {
			return nil
		}
		name := strings.ToLower(e[:j])
		val, n, ok := readValue(e[j+1:])
		if _, dup := m[name]; !ok || dup {
			return nil
		}
		m[name] = val
		e = strings.TrimLeft(e[j+1+n:], " \t")
		if e != "" && e[0] != ';' {
			return nil
		}
	}
	return m
}

// readValue reads a token or a quoted string at the start of v.
func readValue(v string) (val string, n int, ok bool) {
	if !strings.HasPrefix(v, `"`) {
		for n < len(v) && isTokenChar(v[n]) {
			n++
		}
		return v[:n], n, n > 0
	}
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			return b.String(), i + 1, true
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case c < ' ' && c != '\t', c == 0x7f:
			return "", 0, false
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

func isTokenChar(c byte) bool {
	return c < 0x7f && c > ' ' && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(c))
}

// publicHost is the host (with its port, when the URL names one other
// than the scheme's default) that requests must ask for.
type publicHost struct{ host, defaultPort string }

// parsePublicURL checks Config.PublicURL: an absolute http or https URL.
func parsePublicURL(s string) (publicHost, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return publicHost{}, errors.New("server: the public URL must be an absolute http or https URL such as https://auth.example.org")
	}
	def := "443"
	if u.Scheme == "http" {
		def = "80"
	}
	p := publicHost{defaultPort: def}
	p.host = p.canonical(u.Host)
	return p, nil
}

// canonical lower-cases host and drops the scheme's default port.
func (p publicHost) canonical(host string) string {
	host = strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil && port == p.defaultPort {
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return host
}

// matches tells whether a request's host is the public one.
func (p publicHost) matches(host string) bool { return p.canonical(host) == p.host }

// checkHost refuses a request for another host than the public URL's, as
// a DNS rebinding sends: 421.
func (s *Server) checkHost(r *http.Request) error {
	if s.public.host == "" {
		return nil
	}
	host := r.Host
	if o, ok := r.Context().Value(originKey{}).(origin); ok {
		host = o.host
	}
	if s.public.matches(host) {
		return nil
	}
	return problem(http.StatusMisdirectedRequest, authapi.CodeMisdirectedRequest, "This server does not serve that host.")
}

// forwarded tells whether a proxy had a hand in a request: Forwarded,
// X-Forwarded-* or X-Real-IP.
func forwarded(h http.Header) bool {
	for k := range h {
		if k == "Forwarded" || k == "X-Real-Ip" || strings.HasPrefix(k, "X-Forwarded-") {
			return true
		}
	}
	return false
}

// localOnly tells whether r came straight from this machine: a loopback
// peer, to a loopback address, through no proxy.
func localOnly(r *http.Request) bool {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	la, err := netip.ParseAddrPort(addrString(local))
	return peerAddr(r.RemoteAddr).IsLoopback() && err == nil && la.Addr().Unmap().IsLoopback() && !forwarded(r.Header)
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
