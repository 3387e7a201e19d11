package screens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"
	"github.com/tyler-smith/go-bip39/wordlists"
	"golang.org/x/text/unicode/norm"

	"sesame/assets"
)

// Words of the BIP39 lists that differ between Simplified and Traditional
// Chinese, and the first Japanese and Korean words.
var (
	simplifiedWords  = []string{wordlists.ChineseSimplified[9], wordlists.ChineseSimplified[15], wordlists.ChineseSimplified[32], wordlists.ChineseSimplified[37]}
	traditionalWords = []string{wordlists.ChineseTraditional[9], wordlists.ChineseTraditional[15], wordlists.ChineseTraditional[32], wordlists.ChineseTraditional[37]}
	otherWords       = []string{norm.NFC.String(wordlists.Japanese[0]), norm.NFC.String(wordlists.Korean[0])}
)

// zhSignIn returns the sign-in strings of the shipped Chinese translation.
func zhSignIn(t *testing.T) string {
	t.Helper()
	data, err := assets.Translations.ReadFile(assets.TranslationsDir + "/zh_Hans.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, k := range []string{"signin.title", "signin.email", "signin.password", "signin.forgot_password", "signin.cant_sign_in"} {
		s, ok := m[k].(string)
		if !ok {
			t.Fatalf("zh_Hans.json: %q is not a string", k)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

var allStyles = map[string]fyne.TextStyle{
	"regular":     {},
	"bold":        {Bold: true},
	"italic":      {Italic: true},
	"bold italic": {Bold: true, Italic: true},
	"monospace":   {Monospace: true},
}

// assertCovers fails t for every rune of text that the theme's font for
// style cannot draw. It reads the font itself, so fonts installed on this
// computer cannot stand in for a missing glyph.
func assertCovers(t *testing.T, th fyne.Theme, styleName string, style fyne.TextStyle, what, text string) {
	t.Helper()
	res := th.Font(style)
	face, err := font.ParseTTF(bytes.NewReader(res.Content()))
	if err != nil {
		t.Fatalf("%s font %s: %v", styleName, res.Name(), err)
	}
	var missing []rune
	for _, r := range text {
		if r < 0x20 {
			continue
		}
		if _, ok := face.NominalGlyph(r); !ok && !strings.ContainsRune(string(missing), r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s font %s cannot draw %d characters of %s: %q", styleName, res.Name(), len(missing), what, string(missing))
	}
}

func TestThemeFonts(t *testing.T) {
	th := NewTheme()
	want := map[string][]byte{
		"regular": assets.FontRegular, "bold": assets.FontBold, "italic": assets.FontRegular,
		"bold italic": assets.FontBold, "monospace": assets.FontMono,
	}
	text := zhSignIn(t) + strings.Join(simplifiedWords, "") + strings.Join(traditionalWords, "") + strings.Join(otherWords, "")
	for name, style := range allStyles {
		if !bytes.Equal(th.Font(style).Content(), want[name]) {
			t.Errorf("%s: Font returns %s, not the shipped font", name, th.Font(style).Name())
		}
		assertCovers(t, th, name, style, "the rendered strings", text)
	}
	if th.Font(fyne.TextStyle{Symbol: true}) != theme.DefaultTheme().Font(fyne.TextStyle{Symbol: true}) {
		t.Error("the symbol font is not Fyne's")
	}
}

// fyneChineseStrings returns the text of Fyne's own Simplified Chinese
// translation (dialog buttons, entry menus), read from the Fyne module's
// source next to package lang.
func fyneChineseStrings(t *testing.T) string {
	t.Helper()
	file, _ := runtime.FuncForPC(reflect.ValueOf(lang.LocalizeKey).Pointer()).FileLine(0)
	if !filepath.IsAbs(file) { // built with -trimpath: module@version/lang/lang.go
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			t.Fatalf("finding the module cache: %v", err)
		}
		file = filepath.Join(strings.TrimSpace(string(out)), file)
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "translations", "base.zh_Hans.json"))
	if err != nil {
		t.Fatalf("reading Fyne's Chinese strings: %v", err)
	}
	return string(data)
}

// TestThemeFontsCoverFyneStrings checks that Fyne's own dialogs and menus
// render in Chinese with the shipped fonts.
func TestThemeFontsCoverFyneStrings(t *testing.T) {
	th := NewTheme()
	text := fyneChineseStrings(t)
	for name, style := range allStyles {
		assertCovers(t, th, name, style, "Fyne's base.zh_Hans.json", text)
	}
}

func TestThemeColors(t *testing.T) {
	th := NewTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		p := th.Color(theme.ColorNamePrimary, v)
		if p == theme.DefaultTheme().Color(theme.ColorNamePrimary, v) {
			t.Errorf("variant %d: primary is Fyne's default", v)
		}
		if h := th.Color(theme.ColorNameHyperlink, v); h != p {
			t.Errorf("variant %d: hyperlink %v differs from primary %v", v, h, p)
		}
	}
}

// The theme's text colours and the backgrounds they are drawn on: the
// window, dialogs, fields, menus, list headers, buttons and disabled
// buttons. Labels of low importance (position numbers, captions, details)
// and disabled text are ColorNameDisabled.
var (
	textColors = []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled,
		theme.ColorNamePlaceHolder, theme.ColorNamePrimary, theme.ColorNameHyperlink,
		theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess}
	textBackgrounds = []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground,
		theme.ColorNameInputBackground, theme.ColorNameMenuBackground, theme.ColorNameHeaderBackground,
		theme.ColorNameButton, theme.ColorNameDisabledButton}
	// onColors are the text colours of filled buttons, by their fill.
	onColors = map[fyne.ThemeColorName]fyne.ThemeColorName{
		theme.ColorNamePrimary: theme.ColorNameForegroundOnPrimary,
		theme.ColorNameError:   theme.ColorNameForegroundOnError,
		theme.ColorNameWarning: theme.ColorNameForegroundOnWarning,
		theme.ColorNameSuccess: theme.ColorNameForegroundOnSuccess,
	}
)

// TestThemeContrast checks that every text colour of the theme reaches
// WCAG AA, 4.5:1 (the app draws no large text), on every background it is
// drawn on, each filled button's text on its fill, and the outline of
// fields and boxes 3:1 on its backgrounds, in both variants and through
// the forced light and dark themes of the settings.
func TestThemeContrast(t *testing.T) {
	themes := map[string]fyne.Theme{"system": NewTheme(), "light": themeFor("light"), "dark": themeFor("dark")}
	variants := map[string][]fyne.ThemeVariant{
		"system": {theme.VariantLight, theme.VariantDark},
		"light":  {theme.VariantLight}, "dark": {theme.VariantDark},
	}
	for name, th := range themes {
		for _, v := range variants[name] {
			for _, fg := range textColors {
				for _, bg := range textBackgrounds {
					if r := contrast(th.Color(fg, v), th.Color(bg, v)); r < 4.5 {
						t.Errorf("%s theme, variant %d: %s on %s has contrast %.2f, want at least 4.5", name, v, fg, bg, r)
					}
				}
			}
			// Fields, unticked boxes and radio buttons: WCAG 1.4.11.
			for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground,
				theme.ColorNameInputBackground, theme.ColorNameMenuBackground, theme.ColorNameHeaderBackground} {
				if r := contrast(th.Color(theme.ColorNameInputBorder, v), th.Color(bg, v)); r < 3 {
					t.Errorf("%s theme, variant %d: the outline of fields and boxes on %s has contrast %.2f, want at least 3", name, v, bg, r)
				}
			}
			for fill, fg := range onColors {
				if r := contrast(th.Color(fg, v), th.Color(fill, v)); r < 4.5 {
					t.Errorf("%s theme, variant %d: %s on %s has contrast %.2f, want at least 4.5", name, v, fg, fill, r)
				}
			}
		}
	}
}

// TestThemeStatusColours: the error, warning and success colours are
// Sesame's own in both variants, not the default theme's (whose dark
// success, #43f436, glared on a saved file's path).
func TestThemeStatusColours(t *testing.T) {
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, n := range []fyne.ThemeColorName{theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess} {
			if _, ok := palette[v][n]; !ok {
				t.Errorf("variant %d: %s is the default theme's %v", v, n, theme.DefaultTheme().Color(n, v))
			}
		}
	}
}

// TestThemeContrastCatches checks the test's arithmetic on known pairs:
// Fyne's default caption grey on white, which the issue measured, fails.
func TestThemeContrastCatches(t *testing.T) {
	d := theme.DefaultTheme()
	if r := contrast(d.Color(theme.ColorNameDisabled, theme.VariantLight), color.White); r > 1.4 {
		t.Errorf("Fyne's light disabled grey on white: %.2f, want about 1.3", r)
	}
	if r := contrast(color.Black, color.White); math.Abs(r-21) > 0.01 {
		t.Errorf("black on white: %.2f, want 21", r)
	}
}

// contrast is the WCAG 2 contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		if _, _, _, alpha := c.RGBA(); alpha != 0xffff {
			panic(fmt.Sprintf("contrast of a translucent colour %v", c))
		}
		r, g, b, _ := c.RGBA()
		lin := func(v uint32) float64 {
			s := float64(v) / 0xffff
			if s <= 0.03928 {
				return s / 12.92
			}
			return math.Pow((s+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestThemeRendersChinese draws Chinese sign-in text and BIP39 words with the
// theme on Fyne's software test driver and compares the window with
// testdata/theme_chinese.png, drawn with the shipped fonts. Missing glyphs
// would draw U+FFFD boxes, which the golden image does not have.
func TestThemeRendersChinese(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, NewTheme())

	bold := widget.NewLabelWithStyle(zhSignIn(t), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	mono := widget.NewLabelWithStyle("12 "+strings.Join(simplifiedWords, " "), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	w := test.NewTempWindow(t, container.NewVBox(
		bold,
		widget.NewLabel(strings.Join(simplifiedWords, " ")+"  "+strings.Join(traditionalWords, " ")),
		widget.NewLabel(strings.Join(otherWords, " ")+"  Sesame 0.1.0"),
		mono,
	))
	w.Resize(fyne.NewSize(420, 190))
	test.AssertImageMatches(t, "theme_chinese.png", w.Canvas().Capture())
}

// TestThemeDrawsDistinctGlyphs renders single words and checks each draws
// ink and no two draw the same pixels: replacement boxes would all look alike.
// It needs no golden image.
func TestThemeDrawsDistinctGlyphs(t *testing.T) {
	test.NewTempApp(t)
	test.ApplyTheme(t, NewTheme())

	words := append(append(append([]string{}, simplifiedWords...), traditionalWords[0]), otherWords...)
	seen := map[string]string{}
	for _, word := range words {
		w := test.NewTempWindow(t, widget.NewLabel(word))
		w.Resize(fyne.NewSize(120, 40))
		img := w.Canvas().Capture()
		if ink(img) == 0 {
			t.Errorf("%q draws nothing", word)
		}
		key := string(pixels(img))
		if prev, dup := seen[key]; dup {
			t.Errorf("%q draws the same pixels as %q", word, prev)
		}
		seen[key] = word
	}
}

// ink counts the pixels that differ from the top-left one (the background).
func ink(img image.Image) int {
	b := img.Bounds()
	bg := color.NRGBAModel.Convert(img.At(b.Min.X, b.Min.Y))
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.NRGBAModel.Convert(img.At(x, y)) != bg {
				n++
			}
		}
	}
	return n
}

func pixels(img image.Image) []byte {
	b := img.Bounds()
	out := make([]byte, 0, b.Dx()*b.Dy()*4)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			out = append(out, c.R, c.G, c.B, c.A)
		}
	}
	return out
}

// TestTranslationsLoad loads the shipped translations into Fyne's lang
// package and checks that a Chinese system picks zh_Hans.json, an English
// one en.json, and that plurals follow each language's rules.
func TestTranslationsLoad(t *testing.T) {
	test.NewTempApp(t)
	for _, v := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES"} {
		t.Setenv(v, "")
	}
	cases := []struct {
		lang, key string
		count     int // -1: not a plural
		want      string
	}{
		{"zh_CN.UTF-8", "signin.email", -1, "邮箱"},
		{"zh_CN.UTF-8", "hint.attempts_left", 1, "还剩 1 次机会。"},
		{"zh_CN.UTF-8", "hint.attempts_left", 3, "还剩 3 次机会。"},
		{"zh_CN.UTF-8", "Cancel", -1, "取消"}, // Fyne's own strings
		{"en_GB.UTF-8", "signin.email", -1, "Email"},
		{"en_GB.UTF-8", "hint.attempts_left", 1, "1 attempt left."},
		{"en_GB.UTF-8", "hint.attempts_left", 3, "3 attempts left."},
	}
	for _, c := range cases {
		t.Setenv("LANG", c.lang)
		if err := lang.AddTranslationsFS(assets.Translations, assets.TranslationsDir); err != nil {
			t.Fatalf("AddTranslationsFS: %v", err)
		}
		var got string
		if c.count < 0 {
			got = lang.X(c.key, "MISSING")
		} else {
			got = lang.XN(c.key, "MISSING", c.count, map[string]any{"Count": c.count})
		}
		if got != c.want {
			t.Errorf("LANG=%s %s(%d) = %q, want %q", c.lang, c.key, c.count, got, c.want)
		}
	}
}
