// Package assets holds the files the desktop app embeds: the app icon
// ([Icon]), the translations ([Translations], in the JSON format of Fyne's
// lang package) and the fonts its theme draws every text style with
// ([FontRegular], [FontBold], [FontMono]).
//
// The fonts are subsets of Noto Sans CJK SC (SIL Open Font License, see
// fonts/OFL.txt) so that Chinese text, every character a Chinese user may
// type (fonts/README.md) and the Chinese, Japanese and Korean BIP39
// wordlists render on computers with no CJK font installed;
// fonts/subset.sh regenerates them. The package imports no GUI library, so
// it builds with CGO_ENABLED=0; screens wraps the bytes as Fyne resources.
package assets

import "embed"

// Icon is the app icon, a 512×512 PNG drawn by the generator in icon_test.go.
//
//go:embed icon.png
var Icon []byte

// IconName is the file name of [Icon].
const IconName = "icon.png"

// Translations holds TranslationsDir/en.json and TranslationsDir/zh_Hans.json:
// flat JSON objects from a dotted key ("signin.email", "error.account_locked",
// "remedy.account_locked") to a text/template string, or to an object of
// plural forms ("one", "other"). Pass it to lang.AddTranslationsFS.
//
//go:embed translations/*.json
var Translations embed.FS

// TranslationsDir is the folder of [Translations] that holds the files.
const TranslationsDir = "translations"

// Font file names, as the theme's resources should be named.
const (
	FontRegularName = "NotoSansCJKsc-Regular.subset.otf"
	FontBoldName    = "NotoSansCJKsc-Bold.subset.otf"
	FontMonoName    = "NotoSansMonoCJKsc-Regular.subset.otf"
)

// FontRegular is Noto Sans CJK SC Regular, subset (OpenType, CFF outlines).
//
//go:embed fonts/NotoSansCJKsc-Regular.subset.otf
var FontRegular []byte

// FontBold is Noto Sans CJK SC Bold, subset like [FontRegular].
//
//go:embed fonts/NotoSansCJKsc-Bold.subset.otf
var FontBold []byte

// FontMono is Noto Sans Mono CJK SC Regular, subset like [FontRegular]: its
// Latin letters are monospaced, its CJK glyphs are full-width.
//
//go:embed fonts/NotoSansMonoCJKsc-Regular.subset.otf
var FontMono []byte
