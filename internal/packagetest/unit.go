//go:build linux

package packagetest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// Unit is the [Service] section of a systemd unit: each directive's
// values, in order.
type Unit map[string][]string

// ParseUnit reads the [Service] section of a unit file.
func ParseUnit(text string) (Unit, error) {
	u := Unit{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case strings.HasSuffix(line, `\`):
			return nil, fmt.Errorf("unit: continued line %q is not read here", line)
		case line[0] == '[':
			section = line
		case section == "[Service]":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("unit: %q is no directive", line)
			}
			u[strings.TrimSpace(k)] = append(u[strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	return u, sc.Err()
}

// One is the single value of a directive, or def when it is absent.
func (u Unit) One(key, def string) (string, error) {
	switch v := u[key]; len(v) {
	case 0:
		return def, nil
	case 1:
		return v[0], nil
	}
	return "", fmt.Errorf("unit: %s is given %d times", key, len(u[key]))
}

// Emulated lists the directives of [Service] that Command applies, and
// Checked those that systemd-analyze checks but only systemd can apply (the
// kernel's sandbox: seccomp, namespaces, capabilities, restarts). A
// directive in neither stops the test: the emulation would miss it.
var (
	Emulated = []string{"Type", "User", "Group", "Environment", "EnvironmentFile", "ExecStart",
		"StateDirectory", "StateDirectoryMode", "UMask", "ProtectSystem", "ProtectHome", "PrivateTmp",
		"PrivateDevices", "NoNewPrivileges", "CapabilityBoundingSet", "MemoryDenyWriteExecute"}
	Checked = []string{"Restart", "RestartSec", "TimeoutStopSec", "PrivateUsers",
		"RestrictAddressFamilies", "SystemCallFilter", "SystemCallErrorNumber", "SystemCallArchitectures",
		"LockPersonality", "ProtectKernelTunables", "ProtectKernelModules",
		"ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname", "ProtectProc",
		"ProcSubset", "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "RemoveIPC", "PrivateMounts"}
)

// Unknown names the directives of u in neither Emulated nor Checked.
func (u Unit) Unknown() []string {
	var out []string
	for k := range u {
		if !contains(Emulated, k) && !contains(Checked, k) {
			out = append(out, k)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// envLine is one KEY=value line of an environment file.
var envLine = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=(.*)$`)

// ParseEnv reads an environment file as systemd does (comments, and values
// in single or double quotes without escapes), into vars.
func ParseEnv(text string, vars map[string]string) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		m := envLine.FindStringSubmatch(line)
		if m == nil {
			return fmt.Errorf("environment file: %q is no KEY=value line", line)
		}
		v := strings.TrimSpace(m[2])
		if q := v[:min(1, len(v))]; q == `"` || q == "'" {
			if len(v) < 2 || v[len(v)-1] != q[0] {
				return fmt.Errorf("environment file: the value of %s has no closing quote", m[1])
			}
			v = v[1 : len(v)-1]
		}
		if strings.ContainsAny(v, `\"'`) {
			return fmt.Errorf("environment file: the value of %s has quotes or escapes inside, not read here", m[1])
		}
		vars[m[1]] = v
	}
	return sc.Err()
}

// Environment is the environment of the service: the Environment=
// directives, then the EnvironmentFile= files ("-" before a path: one that
// may be missing), whose settings win.
func (u Unit) Environment() (map[string]string, error) {
	vars := map[string]string{}
	for _, line := range u["Environment"] {
		for _, w := range strings.Fields(line) {
			k, v, ok := strings.Cut(w, "=")
			if !ok || strings.ContainsAny(w, `"'\%$`) {
				return nil, fmt.Errorf("unit: Environment=%s is not read here", line)
			}
			vars[k] = v
		}
	}
	for _, path := range u["EnvironmentFile"] {
		optional := strings.HasPrefix(path, "-")
		b, err := os.ReadFile(strings.TrimPrefix(path, "-"))
		if optional && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := ParseEnv(string(b), vars); err != nil {
			return nil, err
		}
	}
	return vars, nil
}

// Argv is ExecStart's command line as systemd expands it: a word "$NAME"
// becomes the variable's value split at whitespace (none when empty), and
// "${NAME}" inside a word its value. Quotes, specifiers (%) and prefixes
// (-, @, +, !, :) are refused: they are not emulated.
func Argv(execStart string, vars map[string]string) ([]string, error) {
	if strings.ContainsAny(execStart, `"'\%`) || strings.ContainsAny(execStart[:1], "-@+!:") {
		return nil, fmt.Errorf("unit: ExecStart=%s has quotes, specifiers or prefixes, not emulated", execStart)
	}
	var argv []string
	for _, w := range strings.Fields(execStart) {
		if name, ok := strings.CutPrefix(w, "$"); ok && envName.MatchString(name) {
			argv = append(argv, strings.Fields(vars[name])...)
			continue
		}
		w = braced.ReplaceAllStringFunc(w, func(m string) string { return vars[m[2:len(m)-1]] })
		if strings.Contains(w, "$") {
			return nil, fmt.Errorf("unit: ExecStart word %q is not expanded here", w)
		}
		argv = append(argv, w)
	}
	if len(argv) == 0 || !strings.HasPrefix(argv[0], "/") {
		return nil, fmt.Errorf("unit: ExecStart=%s names no absolute program", execStart)
	}
	return argv, nil
}

var (
	envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	braced  = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)
)

// Command is the service's process as systemd would start it, with no
// systemd: the state folders made and given to the user, then no writable
// and executable memory (WrapMain), in a mount namespace of its own
// (unshare) the file system read-only but for the state folders, /tmp and
// /var/tmp private, the home folders hidden, a /dev of the pseudo-devices
// only, the umask, and the user and group with no capability and no new
// privileges (setpriv), exec'ing ExecStart in /. It refuses a setting it
// does not emulate.
func (u Unit) Command() (*exec.Cmd, error) {
	if bad := u.Unknown(); len(bad) > 0 {
		return nil, fmt.Errorf("unit: %v are neither emulated nor checked by this test", bad)
	}
	want := map[string]string{"Type": "exec", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "NoNewPrivileges": "yes", "CapabilityBoundingSet": "",
		"MemoryDenyWriteExecute": "yes"}
	for k, w := range want {
		if v, err := u.One(k, "(unset)"); err != nil || v != w {
			return nil, fmt.Errorf("unit: %s=%s, which is not emulated (only %q): %v", k, v, w, err)
		}
	}
	name, err := u.One("User", "")
	if err != nil {
		return nil, err
	}
	usr, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("unit: User=%s: %w", name, err)
	}
	group, err := u.One("Group", usr.Gid)
	if err != nil {
		return nil, err
	}
	grp, err := user.LookupGroup(group)
	if err != nil {
		grp, err = user.LookupGroupId(group)
		if err != nil {
			return nil, fmt.Errorf("unit: Group=%s: %w", group, err)
		}
	}
	uid, _ := strconv.Atoi(usr.Uid)
	gid, _ := strconv.Atoi(grp.Gid)
	umask, err := u.octal("UMask", "0022")
	if err != nil {
		return nil, err
	}
	mode, err := u.octal("StateDirectoryMode", "0755")
	if err != nil {
		return nil, err
	}
	vars, err := u.Environment()
	if err != nil {
		return nil, err
	}
	script := fmt.Sprintf(`set -eu
umask %04o
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
	case $m in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) ;; *) mount -o remount,bind,ro "$m" ;; esac
done
for d in /tmp /var/tmp; do mount -t tmpfs -o mode=1777 tmpfs "$d"; done
for d in /home /root /run/user; do [ ! -d "$d" ] || mount -t tmpfs -o ro,mode=0755 tmpfs "$d"; done
mkdir /tmp/.dev
mount --rbind /dev /tmp/.dev
mount -t tmpfs -o mode=0755,nosuid,noexec tmpfs /dev
for n in null zero full random urandom tty; do touch /dev/$n; mount --bind /tmp/.dev/$n /dev/$n; done
mkdir /dev/shm /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
ln -s /proc/self/fd /dev/fd
umount -l /tmp/.dev
rmdir /tmp/.dev
mount -o remount,bind,ro /dev
`, umask)
	states, err := u.One("StateDirectory", "")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, d := range strings.Fields(states) {
		if !filepath.IsLocal(d) {
			return nil, fmt.Errorf("unit: StateDirectory=%s is not a relative path", d)
		}
		dir := filepath.Join("/var/lib", d)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := errors.Join(os.Chown(dir, uid, gid), os.Chmod(dir, os.FileMode(mode))); err != nil {
			return nil, err
		}
		script += fmt.Sprintf("mount --bind %[1]s %[1]s\nmount -o remount,bind,rw %[1]s\n", dir)
		dirs = append(dirs, dir)
	}
	script += fmt.Sprintf(`cd /
exec setpriv --reuid=%d --regid=%d --init-groups --no-new-privs --bounding-set=-all --inh-caps=-all --ambient-caps=-all -- "$@"
`, uid, gid)
	vars["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"
	vars["HOME"], vars["USER"], vars["LOGNAME"] = usr.HomeDir, usr.Username, usr.Username
	vars["STATE_DIRECTORY"] = strings.Join(dirs, ":")
	line, err := u.One("ExecStart", "")
	if err != nil {
		return nil, err
	}
	argv, err := Argv(line, vars)
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "sh"}, argv...)...)
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, mdweEnv+"=1")
	return cmd, nil
}

func (u Unit) octal(key, def string) (uint32, error) {
	v, err := u.One(key, def)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(v, 8, 32)
	if err != nil {
		return 0, fmt.Errorf("unit: %s=%s is no octal mode", key, v)
	}
	return uint32(n), nil
}

// mdweEnv tells WrapMain to wrap.
const mdweEnv = "SESAME_PACKAGETEST_MDWE"

// WrapMain, called first by the test binary's TestMain, makes it the
// wrapper of Command when mdweEnv is set: it denies its process writable
// and executable memory with the kernel's PR_SET_MDWE, which every program
// it then execs inherits (MemoryDenyWriteExecute=), and execs the rest of
// its command line.
func WrapMain() {
	if os.Getenv(mdweEnv) != "1" {
		return
	}
	os.Unsetenv(mdweEnv)
	const prSetMDWE, refuseExecGain = 65, 1
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetMDWE, refuseExecGain, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "PR_SET_MDWE:", e)
		os.Exit(1)
	}
	path, err := exec.LookPath(os.Args[1])
	if err == nil {
		err = syscall.Exec(path, os.Args[1:], os.Environ())
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
