package screens

import (
	"image/color"

	"sesame/app"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Preference keys of the Fyne app.
const (
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

// InitialSize is the window's size at start: saved, the size it had when
// the app last stopped, or the default.
func InitialSize(saved *app.WindowSize) fyne.Size {
	if saved != nil && saved.Width >= minSaved && saved.Height >= minSaved {
		return fyne.NewSize(saved.Width, saved.Height)
	}
	return fyne.NewSize(defaultWidth, defaultHeight)
}

// WindowSize is w's size to save for the next start; false for a window
// too small to have been sized by the user (not yet shown).
func WindowSize(w fyne.Window) (app.WindowSize, bool) {
	size := w.Canvas().Size()
	if size.Width < minSaved || size.Height < minSaved {
		return app.WindowSize{}, false
	}
	return app.WindowSize{Width: size.Width, Height: size.Height}, true
}

// minSaved is the smallest width and height kept as the window's size.
const minSaved = 200

// Warm loads what the first screen draws: the faces of its text styles
// and sign-in's logo, so that building it on the UI thread finds them
// ready; main runs it while the window is being created. Fyne's font
// caches are safe for concurrent use, and the logo is made once.
func Warm() {
	size := theme.Current().Size(theme.SizeNameText)
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		fyne.MeasureText("Sesame 登录", size, style)
	}
	logoImage()
}
