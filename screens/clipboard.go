package screens

import (
	"time"

	"fyne.io/fyne/v2"
)

// clipboardLifetime is how long a copied secret stays on the clipboard.
const clipboardLifetime = 30 * time.Second

// clipboardAfter runs f on the UI thread after d; tests replace it to move
// the clock on by hand.
var clipboardAfter = func(d time.Duration, f func()) {
	time.AfterFunc(d, func() { fyne.Do(f) })
}

// copySecret puts text on the clipboard and clears it clipboardLifetime
// later, unless something else was copied meanwhile.
func copySecret(s *Shell, text string) {
	cb := fyne.CurrentApp().Clipboard()
	cb.SetContent(text)
	clipboardAfter(clipboardLifetime, func() {
		if cb.Content() == text {
			cb.SetContent("")
		}
	})
}
