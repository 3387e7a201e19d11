package desktoptest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// Start-up targets: Sesame's first painted frame within this factor of an
// empty Fyne window's, and its resident memory after start within the empty
// window's plus this many MB.
const (
	maxStartRatio = 1.3
	maxExtraMB    = 50
)

// probe is one measured start.
type probe struct {
	FirstFrameMS float64 `json:"first_frame_ms"`
	RSSMB        float64 `json:"rss_mb"`
}

// BenchmarkStartup starts Sesame and an empty Fyne window (the same
// toolchain and Fyne version, testdata/emptywindow) alternately, each under
// testdata/frameprobe, which times the start to the first painted frame and
// reads the resident memory 2 s later. It reports the medians and fails
// when Sesame misses the targets. Run it in an X session:
//
//	SESAME_WINDOW_TEST=1 dbus-run-session -- scripts/keyring-session \
//	  xvfb-run -a go test -run '^$' -bench Startup -benchtime 7x ./internal/desktoptest/
func BenchmarkStartup(b *testing.B) {
	if os.Getenv("SESAME_WINDOW_TEST") != "1" || os.Getenv("DISPLAY") == "" {
		b.Skip("needs an X display: see the comment")
	}
	dir := b.TempDir()
	sesame := build(b)
	empty := goBuild(b, dir, "emptywindow", "sesame/internal/desktoptest/testdata/emptywindow")
	frameprobe := goBuild(b, dir, "frameprobe", "sesame/internal/desktoptest/testdata/frameprobe")
	home := b.TempDir()
	env := append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	addr := freeAddr(b)

	// One unmeasured start each: the first start creates the database and
	// Fyne's font index.
	measure(b, env, frameprobe, empty)
	measure(b, env, frameprobe, sesame, "--data", filepath.Join(home, "data"), "--local-addr", addr)
	var s, e []probe
	for range b.N {
		e = append(e, measure(b, env, frameprobe, empty))
		s = append(s, measure(b, env, frameprobe, sesame, "--data", filepath.Join(home, "data"), "--local-addr", addr))
	}
	sf, ef := median(s, func(p probe) float64 { return p.FirstFrameMS }), median(e, func(p probe) float64 { return p.FirstFrameMS })
	sm, em := median(s, func(p probe) float64 { return p.RSSMB }), median(e, func(p probe) float64 { return p.RSSMB })
	b.ReportMetric(sf, "sesame-frame-ms")
	b.ReportMetric(ef, "empty-frame-ms")
	b.ReportMetric(sf/ef, "frame-ratio")
	b.ReportMetric(sm, "sesame-rss-MB")
	b.ReportMetric(em, "empty-rss-MB")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d starts each: first frame %.0f ms vs %.0f ms (%.2f×), resident %.0f MB vs %.0f MB (+%.0f MB)",
		len(s), sf, ef, sf/ef, sm, em, sm-em)
	if b.N < 5 {
		return // too few starts to judge; the run with -benchtime does
	}
	if sf > maxStartRatio*ef {
		b.Errorf("first frame after %.0f ms, %.2f× the empty window's %.0f ms (target ≤ %.1f×)", sf, sf/ef, ef, maxStartRatio)
	}
	if sm > em+maxExtraMB {
		b.Errorf("resident memory %.0f MB, the empty window's %.0f MB + %.0f (target ≤ +%d)", sm, em, sm-em, maxExtraMB)
	}
}

// goBuild builds a helper program of the benchmark with cgo.
func goBuild(b *testing.B, dir, name, pkg string) string {
	b.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("building %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// measure runs one start under the frame probe.
func measure(b *testing.B, env []string, frameprobe string, cmd ...string) probe {
	b.Helper()
	c := exec.Command(frameprobe, append([]string{"--"}, cmd...)...)
	c.Env = env
	out, err := c.Output()
	var p probe
	if err == nil {
		err = json.Unmarshal(out, &p)
	}
	if err != nil {
		b.Fatalf("frameprobe %s: %v %s", filepath.Base(cmd[0]), err, out)
	}
	return p
}

func median(ps []probe, f func(probe) float64) float64 {
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	slices.Sort(v)
	return v[len(v)/2]
}
