//go:build linux || windows

package background_test

import (
	"testing"

	"sesame/internal/background"
)

// Run's work runs at the lower priority; the caller's thread keeps its own.
func TestRunLowersPriority(t *testing.T) {
	before := threadPriority(t)
	got := make(chan int, 1)
	background.Run(func() { got <- threadPriority(t) })
	if p := <-got; p != lowered {
		t.Fatalf("Run's thread has priority %d, want %d", p, lowered)
	}
	if p := threadPriority(t); p != before {
		t.Fatalf("the caller's thread went from priority %d to %d", before, p)
	}
}
