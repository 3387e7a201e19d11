// Package screens builds Sesame's Fyne windows: one file per screen, the
// theme ([NewTheme]) and navigation. Screens call package app off the UI
// thread and change widgets only on it, through uiDo.
package screens

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"sesame/assets"
)

// The embedded fonts as Fyne resources.
var (
	fontRegular = fyne.NewStaticResource(assets.FontRegularName, assets.FontRegular)
	fontBold    = fyne.NewStaticResource(assets.FontBoldName, assets.FontBold)
	fontMono    = fyne.NewStaticResource(assets.FontMonoName, assets.FontMono)
)

// The primary colours: a calm teal, darker on light backgrounds and lighter
// on dark ones, each with text on it at a contrast ratio above 5:1.
var (
	primaryLight   = color.NRGBA{R: 0x1f, G: 0x7a, B: 0x70, A: 0xff}
	primaryDark    = color.NRGBA{R: 0x4d, G: 0xb6, B: 0xa8, A: 0xff}
	onPrimaryLight = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	onPrimaryDark  = color.NRGBA{R: 0x17, G: 0x17, B: 0x18, A: 0xff}
)

// sesameTheme is Fyne's default theme with Sesame's colours and fonts.
type sesameTheme struct{}

// NewTheme returns Sesame's theme: Fyne's default look with a teal primary
// colour, and the embedded Noto Sans CJK SC subsets for every text style, so
// that Chinese text and the CJK BIP39 words render on computers with no CJK
// font. CJK type has no italic: italic styles draw upright.
func NewTheme() fyne.Theme { return sesameTheme{} }

// Color returns the teal primary colour and the colours derived from it;
// every other colour is the default theme's.
func (sesameTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	primary, onPrimary := primaryLight, onPrimaryLight
	if v == theme.VariantDark {
		primary, onPrimary = primaryDark, onPrimaryDark
	}
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return primary
	case theme.ColorNameForegroundOnPrimary:
		return onPrimary
	case theme.ColorNameFocus:
		primary.A = 0x2a
		return primary
	case theme.ColorNameSelection:
		primary.A = 0x40
		return primary
	}
	return theme.DefaultTheme().Color(n, v)
}

// Font returns the embedded font for style; the symbol font stays Fyne's.
func (sesameTheme) Font(style fyne.TextStyle) fyne.Resource {
	switch {
	case style.Symbol:
		return theme.DefaultTheme().Font(style)
	case style.Monospace:
		return fontMono
	case style.Bold:
		return fontBold
	default:
		return fontRegular
	}
}

// Icon returns the default theme's icon.
func (sesameTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return theme.DefaultTheme().Icon(n)
}

// Size returns the default theme's size.
func (sesameTheme) Size(n fyne.ThemeSizeName) float32 {
	return theme.DefaultTheme().Size(n)
}
