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

// palette are Sesame's colours by variant; every other colour is the
// default theme's. Each text colour reaches WCAG AA (4.5:1) on every
// background of its variant: the default grey of captions and disabled
// text (1.3:1 in the light theme), its red, orange and green do not. The
// outline of fields, unticked boxes and radio buttons reaches 3:1 (WCAG
// 1.4.11); the default's (1.3:1 light, 1.5:1 dark) hardly shows. The
// status colours (error, warning, success) are muted in both variants: the
// default's dark success is a neon green (#43f436). The
// primary colour is a calm teal, darker on light backgrounds and lighter on
// dark ones.
var palette = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNamePrimary:             color.NRGBA{R: 0x1f, G: 0x7a, B: 0x70, A: 0xff},
		theme.ColorNameForegroundOnPrimary: color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff},
		theme.ColorNameForeground:          color.NRGBA{R: 0x20, G: 0x21, B: 0x24, A: 0xff},
		theme.ColorNameDisabled:            color.NRGBA{R: 0x64, G: 0x64, B: 0x64, A: 0xff},
		theme.ColorNamePlaceHolder:         color.NRGBA{R: 0x64, G: 0x64, B: 0x64, A: 0xff},
		theme.ColorNameError:               color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
		theme.ColorNameWarning:             color.NRGBA{R: 0xa1, G: 0x4a, B: 0x00, A: 0xff},
		theme.ColorNameSuccess:             color.NRGBA{R: 0x1e, G: 0x6b, B: 0x23, A: 0xff},
		theme.ColorNameInputBorder:         color.NRGBA{R: 0x85, G: 0x85, B: 0x85, A: 0xff},
	},
	theme.VariantDark: {
		theme.ColorNamePrimary:             color.NRGBA{R: 0x4d, G: 0xb6, B: 0xa8, A: 0xff},
		theme.ColorNameForegroundOnPrimary: color.NRGBA{R: 0x10, G: 0x10, B: 0x12, A: 0xff},
		theme.ColorNameDisabled:            color.NRGBA{R: 0x9a, G: 0x9a, B: 0x9a, A: 0xff},
		theme.ColorNameError:               color.NRGBA{R: 0xff, G: 0x6b, B: 0x6b, A: 0xff},
		theme.ColorNameWarning:             color.NRGBA{R: 0xf0, G: 0xa0, B: 0x4b, A: 0xff},
		theme.ColorNameSuccess:             color.NRGBA{R: 0x66, G: 0xbb, B: 0x6a, A: 0xff},
		theme.ColorNameInputBorder:         color.NRGBA{R: 0x7a, G: 0x7a, B: 0x7a, A: 0xff},
	},
}

// sesameTheme is Fyne's default theme with Sesame's colours and fonts.
type sesameTheme struct{}

// NewTheme returns Sesame's theme: Fyne's default look with a teal primary
// colour and text colours of WCAG AA contrast, and the embedded Noto Sans
// CJK SC subsets for every text style, so that Chinese text and the CJK
// BIP39 words render on computers with no CJK font. CJK type has no
// italic: italic styles draw upright.
func NewTheme() fyne.Theme { return sesameTheme{} }

// Color returns the palette's colour, the focus and selection tints of the
// primary colour, or the default theme's colour.
func (sesameTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if v != theme.VariantLight {
		// As Fyne's own theme: any other variant is dark.
		v = theme.VariantDark
	}
	switch n {
	case theme.ColorNameHyperlink:
		n = theme.ColorNamePrimary
	case theme.ColorNameFocus, theme.ColorNameSelection:
		primary := color.NRGBAModel.Convert(palette[v][theme.ColorNamePrimary]).(color.NRGBA)
		primary.A = 0x2a
		if n == theme.ColorNameSelection {
			primary.A = 0x40
		}
		return primary
	}
	if c, ok := palette[v][n]; ok {
		return c
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
