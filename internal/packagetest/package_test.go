//go:build linux

package packagetest

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sesame/authapi"
	"sesame/server"
)

// The package's names, as packaging/sesame-authd/ gives them.
const (
	pkg     = "sesame-authd"
	unitDst = "/usr/lib/systemd/system/sesame-authd.service"
	envFile = "/etc/sesame-authd/env"
	keyFile = "/etc/sesame-authd/totp.key"
	state   = "/var/lib/sesame-authd"
)

// files are the package's files: mode and owner as `dpkg-deb -c` lists them.
var files = map[string]string{
	"./usr/bin/sesame-authd":                     "-rwxr-xr-x root/root",
	"." + unitDst:                                "-rw-r--r-- root/root",
	"." + envFile:                                "-rw-r----- root/root",
	"./usr/share/doc/sesame-authd/README.md":     "-rw-r--r-- root/root",
	"./usr/share/doc/sesame-authd/changelog.gz":  "-rw-r--r-- root/root",
	"./usr/share/lintian/overrides/sesame-authd": "-rw-r--r-- root/root",
}

// wants is the link that `systemctl enable` makes.
const wants = "/etc/systemd/system/multi-user.target.wants/sesame-authd.service"

func TestMain(m *testing.M) {
	WrapMain()
	os.Exit(m.Run())
}

// TestDebianPackage builds the .deb, checks it, installs it, runs the
// unit's command line (a sign-up with the local mailbox, a sign-in),
// upgrades it to a newer version (same key, same database, same account),
// removes it (settings, key, data and user stay) and purges it (nothing
// stays).
func TestDebianPackage(t *testing.T) {
	if os.Getenv("SESAME_PACKAGE_TEST") != "1" {
		t.Skip("installs a package on this machine: runs with SESAME_PACKAGE_TEST=1 (scripts/test)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("SESAME_PACKAGE_TEST=1 needs root: the test installs the package with dpkg")
	}
	if installed(t) {
		t.Fatalf("%s is installed on this machine; the test installs and purges it: dpkg --purge %s first", pkg, pkg)
	}
	t.Cleanup(func() {
		if installed(t) {
			out, err := exec.Command("dpkg", "--purge", pkg).CombinedOutput()
			t.Logf("cleanup: dpkg --purge: %v\n%s", err, out)
		}
		os.Remove(wants) // made by the test's systemctl enable
	})

	deb := build(t, "")
	checkDeb(t, deb)

	out := run(t, "dpkg", "-i", deb)
	usr, grp := checkInstalled(t)
	key := read(t, keyFile)
	if strings.Contains(out, strings.TrimSpace(key)) {
		t.Fatal("dpkg -i printed the TOTP key")
	}
	unit := checkUnit(t)
	// An operator enables the service; purge disables it.
	enable := exec.Command("systemctl", "enable", pkg).Run() == nil
	if !enable {
		t.Log("systemctl enable failed: purge's disabling is not checked")
	}
	addr, stop := start(t, unit, key)
	ctx := context.Background()
	c, err := authapi.NewClient("http://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx); err != nil || st.Status != "ok" {
		t.Fatalf("/v1/status: %+v, %v", st, err)
	}
	const email, password = "operator@example.org", "correct horse battery 9"
	signUp(t, c, addr, email, password)
	stop()
	checkOwned(t, filepath.Join(state, "sesame-authd.db"), usr.Uid, 0o600)
	checkOwned(t, state, usr.Uid, 0o700)

	// An upgrade keeps the key, the settings and the account.
	newer := build(t, version(t, deb)+"+upgrade1")
	run(t, "dpkg", "-i", newer)
	if read(t, keyFile) != key {
		t.Fatal("the upgrade changed the TOTP key")
	}
	checkInstalled(t)
	addr, stop = start(t, unit, key)
	if v := run(t, "/usr/bin/sesame-authd", "--version"); v != "sesame-authd "+version(t, newer)+"\n" {
		t.Fatalf("the upgraded binary says %q", v)
	}
	c, _ = authapi.NewClient("http://" + addr)
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "upgrade"}); err != nil {
		t.Fatalf("sign-in after the upgrade: %v", err)
	}
	stop()

	// Remove keeps the settings, the key, the data and the user.
	run(t, "dpkg", "--remove", pkg)
	for _, gone := range []string{"/usr/bin/sesame-authd", unitDst} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("%s stays after dpkg --remove", gone)
		}
	}
	for _, kept := range []string{envFile, keyFile, filepath.Join(state, "sesame-authd.db")} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("dpkg --remove deleted %s: %v", kept, err)
		}
	}
	if read(t, keyFile) != key {
		t.Fatal("dpkg --remove changed the key")
	}

	// Purge leaves nothing.
	run(t, "dpkg", "--purge", pkg)
	for _, gone := range []string{"/etc/sesame-authd", state} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("%s stays after dpkg --purge", gone)
		}
	}
	if _, err := user.Lookup(usr.Username); err == nil {
		t.Error("the user stays after dpkg --purge")
	}
	if _, err := user.LookupGroup(grp.Name); err == nil {
		t.Error("the group stays after dpkg --purge")
	}
	if out, _ := exec.Command("dpkg-statoverride", "--list", envFile).Output(); len(out) > 0 {
		t.Errorf("dpkg-statoverride keeps %s", out)
	}
	if _, err := os.Lstat(wants); enable && err == nil {
		t.Error("the service stays enabled after dpkg --purge")
	}
	if installed(t) {
		t.Error("dpkg still lists the package")
	}
}

// build runs `scripts/package server` (with $SESAME_VERSION when v is not
// empty) and returns the .deb's path.
func build(t *testing.T, v string) string {
	return buildPackage(t, "server", v)
}

// buildPackage runs `scripts/package what` (with $SESAME_VERSION when v
// is not empty), checks the SHA-256 checksum beside each artifact it
// made, and returns the path of the last.
func buildPackage(t *testing.T, what, v string) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts/package"), what)
	cmd.Env = os.Environ()
	if v != "" {
		cmd.Env = append(cmd.Env, "SESAME_VERSION="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/package %s: %v\n%s", what, err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, artifact := range lines {
		sum := exec.Command("sha256sum", "--check", "--strict", filepath.Base(artifact)+".sha256")
		sum.Dir = filepath.Join(root, filepath.Dir(artifact))
		if out, err := sum.CombinedOutput(); err != nil {
			t.Errorf("the checksum of %s: %v\n%s", artifact, err, out)
		}
	}
	return filepath.Join(root, lines[len(lines)-1])
}

// checkDeb checks the .deb without installing it: its control fields, its
// files with their modes and owners, its conffile, its maintainer scripts,
// the binary (static, built with -trimpath and CGO_ENABLED=0, stamped with
// the package's version) and the env file (every setting the binary reads
// explained, none set).
func checkDeb(t *testing.T, deb string) {
	t.Helper()
	v := version(t, deb)
	if want := "build/sesame-authd_" + v + "_amd64.deb"; !strings.HasSuffix(deb, want) {
		t.Errorf("the package is %s, want %s", deb, want)
	}
	for field, want := range map[string]string{"Package": pkg, "Architecture": "amd64", "Depends": "adduser", "Section": "net"} {
		if got := strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, field)); got != want {
			t.Errorf("control field %s: %q, want %q", field, got, want)
		}
	}
	for _, field := range []string{"Maintainer", "Description"} {
		if strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, field)) == "" {
			t.Errorf("control field %s is empty", field)
		}
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(run(t, "dpkg-deb", "-c", deb)), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[0][0] == 'd' {
			continue
		}
		got[f[5]] = f[0] + " " + f[1]
	}
	for path, want := range files {
		if got[path] != want {
			t.Errorf("%s in the package: %q, want %q", path, got[path], want)
		}
	}
	for path := range got {
		if _, ok := files[path]; !ok {
			t.Errorf("%s is in the package", path)
		}
	}

	tree := t.TempDir()
	run(t, "dpkg-deb", "-x", deb, tree)
	changes := run(t, "zcat", filepath.Join(tree, "usr/share/doc/sesame-authd/changelog.gz"))
	if !strings.HasPrefix(changes, pkg+" ("+v+") ") {
		t.Errorf("the changelog's last entry is not the package's version %s: %.60q", v, changes)
	}

	ctrl := t.TempDir()
	run(t, "dpkg-deb", "-e", deb, ctrl)
	if c := read(t, filepath.Join(ctrl, "conffiles")); c != envFile+"\n" {
		t.Errorf("conffiles: %q", c)
	}
	for _, s := range []string{"postinst", "prerm", "postrm"} {
		p := filepath.Join(ctrl, s)
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("maintainer script %s: %v", s, err)
		}
		run(t, "sh", "-n", p)
	}

	bin := filepath.Join(tree, "usr/bin/sesame-authd")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked")
		}
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	// Go leaves out -ldflags under -trimpath: --version shows the stamp.
	if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
		t.Errorf("the binary is built with %v", settings)
	}
	if out := run(t, bin, "--version"); out != "sesame-authd "+v+"\n" {
		t.Errorf("--version: %q, want the package's version %s", out, v)
	}

	env := read(t, filepath.Join(tree, envFile))
	vars := map[string]string{}
	if err := ParseEnv(env, vars); err != nil || len(vars) > 0 {
		t.Errorf("the env file sets %v (%v): every setting should be commented out", vars, err)
	}
	var help bytes.Buffer
	cmd := exec.Command(bin, "--help")
	cmd.Stderr = &help
	cmd.Run()
	names := regexp.MustCompile(`\$(SESAME_[A-Z_]+|PG[A-Z]+)`).FindAllStringSubmatch(help.String(), -1)
	if len(names) < 5 {
		t.Fatalf("--help names only %v", names)
	}
	for _, n := range append(names, []string{"", "SESAME_AUTHD_ARGS"}) {
		if !strings.Contains(env, n[1]+"=") && !(n[1] == "SESAME_TOTP_KEY" && strings.Contains(env, n[1])) {
			t.Errorf("the env file does not explain %s", n[1])
		}
	}
}

// checkInstalled checks the user, the env file's owner and mode, and the
// key: private to the user, and a key.
func checkInstalled(t *testing.T) (*user.User, *user.Group) {
	t.Helper()
	usr, err := user.Lookup(pkg)
	if err != nil {
		t.Fatalf("no user %s: %v", pkg, err)
	}
	grp, err := user.LookupGroup(pkg)
	if err != nil {
		t.Fatalf("no group %s: %v", pkg, err)
	}
	if usr.Gid != grp.Gid || usr.HomeDir != state {
		t.Errorf("user %+v, group %+v", usr, grp)
	}
	if passwd := read(t, "/etc/passwd"); !regexp.MustCompile(`(?m)^` + pkg + `:x:[1-9][0-9]{0,2}:[0-9]+:[^:]*:` + state + `:/usr/sbin/nologin$`).MatchString(passwd) {
		t.Errorf("%s is not a system user without a login shell", pkg)
	}
	fi := stat(t, envFile)
	if fi.Mode().Perm() != 0o640 || fi.Sys().(*syscall.Stat_t).Uid != 0 || itoa(fi.Sys().(*syscall.Stat_t).Gid) != grp.Gid {
		t.Errorf("%s: %v, owner %d:%d, want 0640 root:%s", envFile, fi.Mode(), fi.Sys().(*syscall.Stat_t).Uid, fi.Sys().(*syscall.Stat_t).Gid, pkg)
	}
	checkOwned(t, keyFile, usr.Uid, 0o600)
	if k, err := server.ParseTOTPKey(read(t, keyFile)); err != nil || len(k) != server.TOTPKeySize {
		t.Errorf("%s holds no key: %v", keyFile, err)
	}
	return usr, grp
}

// checkUnit checks the installed unit with systemd-analyze (verify, and a
// security exposure of at most 1.5 of 10) and parses it.
func checkUnit(t *testing.T) Unit {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		run(t, "systemd-analyze", "verify", unitDst)
		run(t, "systemd-analyze", "security", "--offline=yes", "--threshold=15", "--no-pager", unitDst)
	} else {
		t.Log("no systemd-analyze on this machine: the unit is not verified")
	}
	u, err := ParseUnit(read(t, unitDst))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// start writes the test's settings into the installed env file (loopback
// on a free port, the local mailbox), runs the unit's command and waits
// until it listens; stop sends it SIGTERM and waits. The log must not hold
// the key.
func start(t *testing.T, u Unit, key string) (addr string, stop func()) {
	t.Helper()
	env := read(t, envFile)
	const args = "SESAME_AUTHD_ARGS=\"--listen 127.0.0.1:0 --local-mailbox --argon2-memory 19456\"\n"
	if !strings.Contains(env, args) {
		if err := os.WriteFile(envFile, []byte(env+args), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	cmd, err := u.Command()
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	found := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			log.WriteString(sc.Text() + "\n")
			if m := regexp.MustCompile(`msg=listening .*url=http://(\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() { done <- cmd.Wait(); pw.Close() }()
	select {
	case addr = <-found:
	case err := <-done:
		t.Fatalf("the unit's command stopped: %v\n%s", err, log.String())
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("the unit's command does not listen after a minute\n%s", log.String())
	}
	return addr, func() {
		t.Helper()
		cmd.Process.Signal(syscall.SIGTERM)
		if err := <-done; err != nil {
			t.Fatalf("the server did not stop cleanly on SIGTERM: %v\n%s", err, log.String())
		}
		if strings.Contains(log.String(), strings.TrimSpace(key)) {
			t.Fatal("the server logged the TOTP key")
		}
	}
}

// signUp creates and opens an account with the code of the local mailbox,
// and signs in: the database is written by the service's user.
func signUp(t *testing.T, c *authapi.Client, addr, email, password string) {
	t.Helper()
	ctx := context.Background()
	if err := c.CreateAccount(ctx, authapi.CreateAccountRequest{Email: email, Password: password}); err != nil {
		t.Fatal(err)
	}
	mails, err := c.Mailbox(ctx, email)
	if err != nil || len(mails) != 1 {
		t.Fatalf("mailbox: %v, %v", mails, err)
	}
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(mails[0].Text)
	if err := c.VerifyAccount(ctx, authapi.VerifyAccountRequest{Email: email, Code: code, Password: password}); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := c.SignIn(ctx, authapi.CreateSessionRequest{Email: email, Password: password, DeviceName: "package test"}); err != nil {
		t.Fatalf("sign-in: %v", err)
	}
}

func checkOwned(t *testing.T, path, uid string, mode os.FileMode) {
	t.Helper()
	fi := stat(t, path)
	if fi.Mode().Perm() != mode || itoa(fi.Sys().(*syscall.Stat_t).Uid) != uid {
		t.Errorf("%s: %v, owner %d, want %v, owner %s", path, fi.Mode().Perm(), fi.Sys().(*syscall.Stat_t).Uid, mode, uid)
	}
}

// version is the package's version, from its control file.
func version(t *testing.T, deb string) string {
	return strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, "Version"))
}

func installed(t *testing.T) bool { return isInstalled(pkg) }

// isInstalled reports whether dpkg lists name as installed.
func isInstalled(name string) bool {
	out, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", name).Output()
	return bytes.Contains(out, []byte("installed")) && !bytes.Contains(out, []byte("not-installed"))
}

// run runs a command and returns its standard output; a failure stops
// the test with both outputs.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s%s", name, args, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String() + stderr.String()
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func stat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }
