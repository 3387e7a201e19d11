package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"sesame/app"
)

// openPTY returns a new pseudo-terminal's two ends.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// screen collects what the terminal shows, until the slave end closes.
type screen struct {
	buf  bytes.Buffer
	seen chan string
	done chan struct{}
}

func watch(master *os.File) *screen {
	s := &screen{seen: make(chan string, 64), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		b := make([]byte, 4096)
		for {
			n, err := master.Read(b)
			if n > 0 {
				s.buf.Write(b[:n])
				s.seen <- string(b[:n])
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

// waitFor waits until the terminal has shown text.
func (s *screen) waitFor(t *testing.T, text string) {
	t.Helper()
	var got strings.Builder
	for !strings.Contains(got.String(), text) {
		chunk, ok := <-s.seen
		if !ok {
			t.Fatalf("the terminal closed before %q; it showed %q", text, got.String())
		}
		got.WriteString(chunk)
	}
}

func echoOn(t *testing.T, f *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// Typed at a terminal, the phrase and passphrase are not echoed, and the
// echo is on again afterwards.
func TestPhraseCheckTerminalNoEcho(t *testing.T) {
	master, slave := openPTY(t)
	if !echoOn(t, slave) {
		t.Fatal("a new terminal without echo")
	}
	sc := watch(master)
	var out bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- app.PhraseCommand(context.Background(), []string{"check", "--passphrase"}, slave, &out, slave)
	}()
	sc.waitFor(t, "Recovery phrase")
	io.WriteString(master, phraseA+"\n")
	sc.waitFor(t, "Passphrase")
	io.WriteString(master, "TREZOR\n")
	if c := <-code; c != app.PhraseValid {
		t.Fatalf("exit %d\n%s", c, out.String())
	}
	if !echoOn(t, slave) {
		t.Error("the echo stayed off")
	}
	slave.Close()
	<-sc.done
	shown := sc.buf.String() + out.String()
	noWords(t, shown, phraseA+" TREZOR")
	if !strings.Contains(out.String(), "Without it the fingerprint is 73c5da0a") {
		t.Errorf("output:\n%s", out.String())
	}
}

// Ctrl-C while the phrase is asked for stops the command with the echo on.
func TestPhraseCheckTerminalInterrupted(t *testing.T) {
	master, slave := openPTY(t)
	sc := watch(master)
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- app.PhraseCommand(ctx, []string{"check"}, slave, io.Discard, slave) }()
	sc.waitFor(t, "Recovery phrase")
	cancel()
	if c := <-code; c != app.PhraseUsage {
		t.Fatalf("exit %d", c)
	}
	if !echoOn(t, slave) {
		t.Error("the echo stayed off")
	}
}
