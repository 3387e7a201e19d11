//go:build linux

// Package cluster runs sesame-authd as an operator would on several
// machines: N processes on one PostgreSQL database behind HAProxy, for the
// multi-replica tests and benchmark of this package. Only tests import it.
//
// [Start] builds the binary once (CGO_ENABLED=0), starts the replicas on
// free loopback ports against a fresh schema of $SESAME_TEST_POSTGRES with a
// shared TOTP key, the local outbox, --trusted-proxies 127.0.0.1 (HAProxy's
// side) and no drain at shutdown, writes an haproxy.cfg and runs HAProxy in
// the foreground; all of it stops when the test ends. [Require] skips a
// test without PostgreSQL or HAProxy. [HTTPClient] dials from another
// loopback address, so that each client has an address of its own behind
// the proxy.
package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"sesame/authapi"
	"sesame/internal/testdb"
	"sesame/internal/testserver"
	"sesame/server"
	"sesame/server/store"
)

// ReplicaHeader names, in every answer through HAProxy, the replica that
// served it, or the one that failed it when HAProxy answers itself.
const ReplicaHeader = "X-Sesame-Replica"

// RequestHeader, sent by a test, names a request in HAProxy's log, where
// [Cluster.Routes] finds the replica it went to.
const RequestHeader = "X-Sesame-Test-Request"

// Proxy is the address HAProxy dials the replicas from, the only trusted one.
const Proxy = "127.0.0.1"

// Replicas is how many sesame-authd a cluster runs.
const Replicas = 3

// startWait bounds the start of a process.
const startWait = time.Minute

// Cluster is N replicas on one database behind HAProxy.
type Cluster struct {
	// DB is the replicas' database; Store is the test's own handle on it.
	DB    testdb.DB
	Store store.Admin
	// Replicas are the sesame-authd processes, named r1, r2, ...
	Replicas []*Replica
	// URL reaches every replica through HAProxy, round robin; LB[n-1]
	// reaches the first n only (LB[len-1] is URL).
	URL string
	LB  []string

	bin     string
	haproxy *process
}

// Replica is one sesame-authd process.
type Replica struct {
	Name string
	// URL reaches the replica directly.
	URL string
	*process
}

// process is a child process whose output is kept for the test.
type process struct {
	name string
	cmd  *exec.Cmd
	log  testserver.LogBuffer
	done chan struct{} // closed when it exited
	err  error         // its exit, once done
}

// Options shape a cluster.
type Options struct {
	// Args are more flags of every replica, after the harness's own, which
	// they override (such as --drain-wait 0s).
	Args []string
}

// Require skips the test without $SESAME_TEST_POSTGRES or HAProxy, and
// returns HAProxy's path.
func Require(t testing.TB) string {
	t.Helper()
	if os.Getenv(testdb.EnvPostgres) == "" {
		t.Skipf("no PostgreSQL: %s is unset (run the tests under scripts/postgres-session)", testdb.EnvPostgres)
	}
	p, err := exec.LookPath("haproxy")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/haproxy"); serr != nil {
			t.Skip("no HAProxy: apt-get install haproxy (scripts/test does)")
		}
		p = "/usr/sbin/haproxy"
	}
	return p
}

var build struct {
	once     sync.Once
	dir, bin string
	err      error
}

// binary builds sesame-authd once per test binary, without cgo.
func binary() (string, error) {
	build.once.Do(func() {
		if build.dir, build.err = os.MkdirTemp("", "sesame-cluster-"); build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "sesame-authd")
		cmd := exec.Command("go", "build", "-o", build.bin, "sesame/cmd/sesame-authd")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("building sesame-authd: %w\n%s", err, out)
		}
	})
	return build.bin, build.err
}

// Cleanup removes the built binary; TestMain calls it after the tests.
func Cleanup() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}

// Start starts a cluster for the test, stopped when it ends.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	haproxy := Require(t)
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{DB: testdb.New(t, testdb.Postgres), bin: bin}
	// At once, as an operator's replicas start: the migrations take turns.
	for i := range Replicas {
		r := &Replica{Name: fmt.Sprintf("r%d", i+1)}
		c.Replicas = append(c.Replicas, r)
		args := append([]string{"--listen", "127.0.0.1:0", "--db", c.DB.Source, "--local-mailbox",
			"--trusted-proxies", Proxy, "--log-format", "json", "--drain-wait", "0s", "--shutdown-wait", "5s"}, o.Args...)
		if r.process, err = spawn(t, r.Name, bin, args...); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range c.Replicas {
		addr, err := r.listening()
		if err != nil {
			t.Fatal(err)
		}
		r.URL = "http://" + addr
	}
	c.Store = c.DB.Open(t)
	c.startHAProxy(t, haproxy)
	return c
}

// spawn starts a process that the test's end stops (SIGTERM, then SIGKILL)
// and that dies with the test binary.
func spawn(t testing.TB, name, bin string, args ...string) (*process, error) {
	p := &process{name: name, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), "SESAME_TOTP_KEY="+server.EncodeTOTPKey(testserver.TOTPKey))
	p.cmd.Stdout, p.cmd.Stderr = &p.log, &p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s's output:\n%s", name, p.log.String())
		}
	})
	return p, nil
}

// listening waits for the replica's "listening" log line and returns its
// address.
func (p *process) listening() (string, error) {
	deadline := time.Now().Add(startWait)
	for {
		sc := bufio.NewScanner(strings.NewReader(p.log.String()))
		for sc.Scan() {
			var line struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				return strings.TrimPrefix(line.URL, "http://"), nil
			}
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("%s exited at start: %v\n%s", p.name, p.err, p.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s did not start within %v\n%s", p.name, startWait, p.log.String())
		}
	}
}

// Kill ends the replica with SIGKILL and waits for its end.
func (p *process) Kill() {
	p.cmd.Process.Kill()
	<-p.done
}

// haproxyCfg is HAProxy's configuration: a listener per prefix of the
// replicas, round robin with health checks on /readyz; the client's
// address appended to X-Forwarded-For; a request that found no connection
// retried on another replica, and a GET or HEAD that got no answer too (a
// POST may have been carried out: never sent twice). Every answer names its
// replica (ReplicaHeader), and the requests named by RequestHeader are
// logged with theirs.
var haproxyCfg = template.Must(template.New("haproxy.cfg").Parse(`global
	maxconn 4096
	log stdout format raw local0

defaults
	mode http
	log global
	log-format "` + logTag + ` %[capture.req.hdr(0)] %s %ST %tsc"
	timeout connect 1s
	timeout client 60s
	timeout server 60s
	timeout http-request 10s
	timeout check 5s
	option forwardfor
	retries 3
	option redispatch 1
	retry-on conn-failure empty-response response-timeout
	default-server check inter 250ms fall 2 rise 1
{{range .}}
listen {{.Name}}
	bind 127.0.0.1:{{.Port}}
	balance roundrobin
	option httpchk
	http-check send meth GET uri ` + server.PathReady + ` ver HTTP/1.1 hdr Host localhost
	http-check expect status 200
	http-request capture req.hdr(` + RequestHeader + `) len 64
	http-request set-log-level silent unless { req.hdr(` + RequestHeader + `) -m found }
	acl idempotent method GET HEAD
	http-request disable-l7-retry unless idempotent
	http-after-response set-header ` + ReplicaHeader + ` %s
{{- range .Servers}}
	server {{.Name}} {{.Addr}}{{end}}
{{end}}`))

// logTag starts HAProxy's log line of a named request.
const logTag = "sesame-request"

// Route is how HAProxy ended a named request: the replica it went to last,
// the status it answered (-1 for none) and its termination state.
type Route struct {
	Replica     string
	Status      int
	Termination string
}

// Routes reads HAProxy's log: the route of every request named by
// RequestHeader so far, by name. HAProxy neither answers nor logs a request
// of a client's kept-alive connection whose server connection failed: it
// closes the client's connection, for the client to retry.
func (c *Cluster) Routes() map[string]Route {
	out := map[string]Route{}
	sc := bufio.NewScanner(strings.NewReader(c.haproxy.log.String()))
	for sc.Scan() {
		var id string
		var r Route
		if n, _ := fmt.Sscanf(sc.Text(), logTag+" %s %s %d %s", &id, &r.Replica, &r.Status, &r.Termination); n == 4 {
			out[id] = r
		}
	}
	return out
}

type listener struct {
	Name    string
	Port    int
	Servers []struct{ Name, Addr string }
}

// startHAProxy writes the configuration and runs HAProxy until the test
// ends, once every listener answers.
func (c *Cluster) startHAProxy(t testing.TB, haproxy string) {
	t.Helper()
	var ls []listener
	for n := 1; n <= len(c.Replicas); n++ {
		l := listener{Name: fmt.Sprintf("lb%d", n), Port: freePort(t)}
		for _, r := range c.Replicas[:n] {
			l.Servers = append(l.Servers, struct{ Name, Addr string }{r.Name, strings.TrimPrefix(r.URL, "http://")})
		}
		ls = append(ls, l)
		c.LB = append(c.LB, fmt.Sprintf("http://127.0.0.1:%d", l.Port))
	}
	c.URL = c.LB[len(c.LB)-1]
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	f, err := os.Create(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = haproxyCfg.Execute(f, ls)
	if err = errors.Join(err, f.Close()); err != nil {
		t.Fatal(err)
	}
	if c.haproxy, err = spawn(t, "haproxy", haproxy, "-db", "-f", cfg); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(startWait)
	for _, u := range c.LB {
		for !answers(u) {
			select {
			case <-c.haproxy.done:
				t.Fatalf("haproxy exited: %v\n%s", c.haproxy.err, c.haproxy.log.String())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("haproxy does not answer on %s\n%s", u, c.haproxy.log.String())
			}
		}
	}
}

// answers tells whether GET base/v1/status answers 200.
func answers(base string) bool {
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/status", nil)
	req.Header.Set(authapi.HeaderClientVersion, authapi.DefaultClientVersion)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Maintenance switches maintenance mode of the cluster's database on or off
// as an operator does: sesame-authd maintenance on|off --db URL.
func (c *Cluster) Maintenance(ctx context.Context, on bool, args ...string) error {
	sw := "off"
	if on {
		sw = "on"
	}
	cmd := exec.CommandContext(ctx, c.bin, append([]string{"maintenance", sw, "--db", c.DB.Source}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("sesame-authd maintenance: %w\n%s", err, out)
	}
	return nil
}

// HTTPClient is an HTTP client whose connections come from the loopback
// address from, such as "127.0.0.2".
func HTTPClient(from string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}}
}
