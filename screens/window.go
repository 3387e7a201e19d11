package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Preference keys of the Fyne app.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
	// prefTheme is "light", "dark", or "" for the system's.
	prefTheme = "theme"
	// prefAutoLock is the minutes of inactivity after which an unlocked
	// wallet locks itself; 0 never.
	prefAutoLock = "autolock.minutes"
)

// The first window size: a login app's column, tall enough for a form and
// its explanation.
const defaultWidth, defaultHeight = 480, 720

// ApplyPreferences sets Sesame's theme with the saved light or dark choice.
func ApplyPreferences(a fyne.App) {
	a.Settings().SetTheme(themeFor(a.Preferences().String(prefTheme)))
}

// themeFor is Sesame's theme, forced light or dark, or following the
// system for "".
func themeFor(choice string) fyne.Theme {
	switch choice {
	case "light":
		return variantTheme{sesameTheme{}, theme.VariantLight}
	case "dark":
		return variantTheme{sesameTheme{}, theme.VariantDark}
	}
	return NewTheme()
}

// variantTheme draws a theme always in one variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// RememberSize sizes w as it was when the app last stopped, and saves its
// size whenever the app stops: the window closed, or the session asking the
// program to end (Fyne's driver quits on SIGTERM by itself).
func RememberSize(a fyne.App, w fyne.Window) {
	p := a.Preferences()
	w.Resize(fyne.NewSize(
		float32(p.FloatWithFallback(prefWidth, defaultWidth)),
		float32(p.FloatWithFallback(prefHeight, defaultHeight))))
	a.Lifecycle().SetOnStopped(func() { saveSize(a, w) })
}

// saveSize keeps w's size for the next start.
func saveSize(a fyne.App, w fyne.Window) {
	size := w.Canvas().Size()
	if size.Width >= 200 && size.Height >= 200 {
		a.Preferences().SetFloat(prefWidth, float64(size.Width))
		a.Preferences().SetFloat(prefHeight, float64(size.Height))
	}
}

// WarmFonts loads the faces of the text styles the first screen draws, so
// that building it finds them cached; main runs it while the window is
// being created. Fyne's font caches are safe for concurrent use.
func WarmFonts() {
	size := theme.Current().Size(theme.SizeNameText)
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		fyne.MeasureText("Sesame 登录", size, style)
	}
}
