// Package layout holds the test of the module's import rules
// (architecture.md): which package may import which, and that only main and
// screens reach Fyne.
package layout

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// rules maps a package (and its subpackages) to the import-path prefixes it
// must never depend on, directly or through others.
var rules = map[string][]string{
	"sesame/authapi":  {"fyne.io/", "sesame/server", "sesame/app", "sesame/screens", "sesame/keystore", "sesame/recovery", "sesame/wallet", "sesame/internal/test"},
	"sesame/server":   {"fyne.io/", "sesame/app", "sesame/screens", "sesame/keystore", "sesame/wallet", "sesame/internal/test"},
	"sesame/app":      {"fyne.io/", "sesame/screens", "sesame/server", "sesame/internal/test"},
	"sesame/check":    {"fyne.io/", "sesame/app", "sesame/screens", "sesame/server", "sesame/internal/test"},
	"sesame/keystore": {"fyne.io/", "sesame/app", "sesame/screens", "sesame/server", "sesame/internal/test"},
	"sesame/recovery": {"fyne.io/", "sesame/app", "sesame/screens", "sesame/server", "sesame/internal/test"},
	"sesame/wallet":   {"fyne.io/", "sesame/app", "sesame/screens", "sesame/server", "sesame/internal/test"},
	"sesame/screens":  {"sesame/server", "sesame/internal/", "fyne.io/fyne/v2/app"},
	"sesame/cmd/":     {"fyne.io/", "sesame/internal/test"},
	"sesame/assets":   {"fyne.io/", "sesame/"},

	// go-ethereum checks the key files in tests; no program carries it.
	"sesame": {"github.com/ethereum/go-ethereum"},

	// The stores side by side: neither carries the other's driver.
	"sesame/server/store/sqlite":   {"github.com/jackc/", "sesame/server/store/postgres"},
	"sesame/server/store/postgres": {"modernc.org/", "sesame/server/store/sqlite"},

	"sesame/internal/clocale":     {"fyne.io/", "sesame/"}, // its init must run before Fyne's
	"sesame/internal/localserver": {"fyne.io/", "sesame/app", "sesame/screens", "sesame/internal/test"},
	"sesame/internal/testcert":    {"fyne.io/", "sesame/"},
	"sesame/internal/testserver":  {"fyne.io/", "sesame/app", "sesame/screens", "sesame/keystore", "sesame/wallet"},
}

func TestImportRules(t *testing.T) {
	// cgo on: main imports Fyne's GL driver, whose files need it.
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "sesame/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[f[0]] = f[1:]
	}
	bad, checked := violations(imports)
	for pkg, banned := range direct {
		for _, dep := range imports[pkg] {
			for _, b := range banned {
				if dep == b || strings.HasPrefix(dep, b+"/") {
					bad = append(bad, pkg+" imports "+dep+" itself")
				}
			}
		}
	}
	for _, v := range bad {
		t.Error(v)
	}
	if checked < 4 {
		t.Fatalf("only %d packages were checked: the rules match nothing", checked)
	}
}

// direct maps a package to the import paths it must not import itself,
// though it may reach them through another package: screens reach the
// protocol and the keychain only through app, app the translations only
// through check.Translations.
var direct = map[string][]string{
	"sesame/screens": {"sesame/authapi", "sesame/keystore"},
	"sesame/app":     {"sesame/assets"},
}

// TestRulesCatchAViolation proves the check fails on a forbidden path
// through another package.
func TestRulesCatchAViolation(t *testing.T) {
	bad, _ := violations(map[string][]string{
		"sesame/app":              {"sesame/recovery", "fmt"},
		"sesame/recovery":         {"example.org/widgets"},
		"example.org/widgets":     {"fyne.io/fyne/v2"},
		"sesame/server/store":     {"sesame/authapi"},
		"sesame/cmd/sesame-authd": {"sesame/server"},
	})
	if len(bad) != 2 {
		t.Fatalf("violations %v, want app and recovery reaching fyne", bad)
	}
}

// violations lists each package that depends on what its rule bans, and
// how many packages a rule applied to.
func violations(imports map[string][]string) (bad []string, checked int) {
	for pkg := range imports {
		for root, banned := range rules {
			if pkg != root && !strings.HasPrefix(pkg, strings.TrimSuffix(root, "/")+"/") {
				continue
			}
			checked++
			for _, dep := range deps(imports, pkg) {
				for _, b := range banned {
					if strings.HasPrefix(dep, b) {
						bad = append(bad, pkg+" depends on "+dep)
					}
				}
			}
		}
	}
	return bad, checked
}

// deps returns every package pkg depends on, transitively.
func deps(imports map[string][]string, pkg string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, d := range imports[p] {
			if !seen[d] {
				seen[d] = true
				walk(d)
			}
		}
	}
	walk(pkg)
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	return out
}
