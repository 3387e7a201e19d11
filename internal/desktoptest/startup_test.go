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
	FirstFrameMS  float64 `json:"first_frame_ms"`
	ScreenFrameMS float64 `json:"screen_frame_ms"`
	RSSMB         float64 `json:"rss_mb"`
}

// BenchmarkStartup starts an empty Fyne window (the same toolchain and
// Fyne version, testdata/emptywindow) and Sesame in turns, each under
// testdata/frameprobe, which times the start to the first painted frame
// (for Sesame also to the first frame with the sign-in screen drawn) and
// reads the resident memory 2 s later. The time ratios are medians of each
// Sesame start over the empty window's start just before it, so that a
// machine slower for a while slows both sides of a pair; the other figures
// are medians. It fails when Sesame misses the targets (the first painted
// frame and the memory). Run it in an X session:
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
	app := []string{"-screen", "--", sesame, "--data", filepath.Join(home, "data"), "--local-addr", addr}
	measure(b, env, frameprobe, "--", empty)
	measure(b, env, frameprobe, app...)
	var s, e []probe
	for range b.N {
		e = append(e, measure(b, env, frameprobe, "--", empty))
		s = append(s, measure(b, env, frameprobe, app...))
	}
	// ratio is the median over the pairs of Sesame's f over the empty
	// window's first frame.
	ratio := func(f func(probe) float64) float64 {
		r := make([]float64, len(s))
		for i := range s {
			r[i] = f(s[i]) / e[i].FirstFrameMS
		}
		return median(r)
	}
	first := func(p probe) float64 { return p.FirstFrameMS }
	screen := func(p probe) float64 { return p.ScreenFrameMS }
	rss := func(p probe) float64 { return p.RSSMB }
	sf, ef, ss := median(each(s, first)), median(each(e, first)), median(each(s, screen))
	fr, sr := ratio(first), ratio(screen)
	sm, em := median(each(s, rss)), median(each(e, rss))
	b.ReportMetric(sf, "sesame-frame-ms")
	b.ReportMetric(ef, "empty-frame-ms")
	b.ReportMetric(fr, "frame-ratio")
	b.ReportMetric(ss, "sesame-screen-ms")
	b.ReportMetric(sr, "screen-ratio")
	b.ReportMetric(sm, "sesame-rss-MB")
	b.ReportMetric(em, "empty-rss-MB")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d starts each: first frame %.0f ms vs %.0f ms (%.2f×), sign-in screen drawn %.0f ms (%.2f×), resident %.0f MB vs %.0f MB (+%.0f MB)",
		len(s), sf, ef, fr, ss, sr, sm, em, sm-em)
	if b.N < 5 {
		return // too few starts to judge; the run with -benchtime does
	}
	if fr > maxStartRatio {
		b.Errorf("first frame after %.0f ms, %.2f× the empty window's %.0f ms (target ≤ %.1f×)", sf, fr, ef, maxStartRatio)
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

// measure runs one start under the frame probe, with the probe's
// arguments, "--" and the command.
func measure(b *testing.B, env []string, frameprobe string, args ...string) probe {
	b.Helper()
	c := exec.Command(frameprobe, args...)
	c.Env = env
	out, err := c.Output()
	var p probe
	if err == nil {
		err = json.Unmarshal(out, &p)
	}
	if err != nil {
		b.Fatalf("frameprobe %v: %v %s", args, err, out)
	}
	return p
}

// each is f of every probe.
func each(ps []probe, f func(probe) float64) []float64 {
	v := make([]float64, len(ps))
	for i, p := range ps {
		v[i] = f(p)
	}
	return v
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}
