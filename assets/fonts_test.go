package assets

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/font"
	"github.com/tyler-smith/go-bip39/wordlists"
	"golang.org/x/text/unicode/norm"
)

// bip39Lists are every BIP39 list the restore screen offers; the Chinese,
// Japanese and Korean ones have no glyphs in Fyne's own font. go-bip39 keeps
// them in NFKD (Korean as conjoining jamo); screens show words in NFC, which
// is what the fonts must cover.
var bip39Lists = map[string][]string{
	"chinese_simplified":  wordlists.ChineseSimplified,
	"chinese_traditional": wordlists.ChineseTraditional,
	"japanese":            wordlists.Japanese,
	"korean":              wordlists.Korean,
	"english":             wordlists.English,
	"czech":               wordlists.Czech,
	"french":              wordlists.French,
	"italian":             wordlists.Italian,
	"spanish":             wordlists.Spanish,
}

// punctuation is what the texts and screens use beyond Basic Latin and
// Latin-1: quotes, dashes, ellipsis, bullet, arrows and the full-width
// Chinese marks.
const punctuation = "‘’“”–—…•←↑→↓　、。〈〉《》「」『』【】〔〕！（），．：；？～"

// fontFiles are the embedded fonts by name.
var fontFiles = map[string][]byte{
	FontRegularName: FontRegular,
	FontBoldName:    FontBold,
	FontMonoName:    FontMono,
}

// missingRunes returns the runes of text that face has no drawable glyph for.
// Spaces need only a glyph; other runes need a non-empty outline.
func missingRunes(face *font.Face, text string) []rune {
	var missing []rune
	seen := map[rune]bool{}
	for _, r := range text {
		if seen[r] || r == '\n' || r == '\t' {
			continue
		}
		seen[r] = true
		gid, ok := face.NominalGlyph(r)
		if !ok {
			missing = append(missing, r)
			continue
		}
		if unicode.IsSpace(r) {
			continue
		}
		out, isOutline := face.GlyphData(gid).(font.GlyphOutline)
		if !isOutline || len(out.Segments) == 0 {
			missing = append(missing, r)
		}
	}
	return missing
}

func formatRunes(rs []rune) string {
	var b strings.Builder
	for i, r := range rs {
		if i == 20 {
			fmt.Fprintf(&b, " … (%d in all)", len(rs))
			break
		}
		fmt.Fprintf(&b, " %q(U+%04X)", r, r)
	}
	return b.String()
}

// TestFontCoverage checks that every embedded font draws every character of
// the translations, of the server's mail templates and text messages (which
// the Mailbox window shows), of every BIP39 wordlist (in NFC), of Basic
// Latin and Latin-1 and of the punctuation the screens use. When it fails after a translation
// changed, run fonts/subset.sh and commit the fonts.
func TestFontCoverage(t *testing.T) {
	texts := map[string]string{"punctuation": punctuation}
	var latin strings.Builder
	for r := rune(0x20); r <= 0xff; r++ {
		if unicode.IsPrint(r) {
			latin.WriteRune(r)
		}
	}
	texts["latin"] = latin.String()
	for _, name := range translationFiles {
		data, err := Translations.ReadFile(TranslationsDir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(data)
	}
	// The Mailbox window shows the server's mails and text messages.
	mails, err := filepath.Glob("../server/mail/templates/*/*")
	if err != nil || len(mails) == 0 {
		t.Fatalf("no mail templates: %v", err)
	}
	smsTexts, err := filepath.Glob("../server/sms/texts/*")
	if err != nil || len(smsTexts) == 0 {
		t.Fatalf("no text messages: %v", err)
	}
	mails = append(mails, smsTexts...)
	for _, name := range mails {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		texts[name] = string(data)
	}
	for name, words := range bip39Lists {
		if len(words) != 2048 {
			t.Fatalf("wordlist %s has %d words", name, len(words))
		}
		texts["bip39 "+name] = norm.NFC.String(strings.Join(words, "\n"))
	}

	for fontName, data := range fontFiles {
		face, err := font.ParseTTF(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", fontName, err)
			continue
		}
		for textName, text := range texts {
			if m := missingRunes(face, text); len(m) > 0 {
				t.Errorf("%s lacks %d characters of %s:%s; run assets/fonts/subset.sh",
					fontName, len(m), textName, formatRunes(m))
			}
		}
	}
}

// TestFontSubsetSize keeps the subsets small: whole CJK fonts are 16 MB.
// About 11,500 hanzi (what a Chinese user may type, typed_test.go) make
// 2.6 MB a face; the bound leaves room for the translations to grow.
func TestFontSubsetSize(t *testing.T) {
	for name, data := range fontFiles {
		if len(data) < 100<<10 || len(data) > 3<<20 {
			t.Errorf("%s is %d bytes, want 100 KiB to 3 MiB", name, len(data))
		}
	}
}

// TestFontLacksUnlistedCharacter shows that the coverage check can fail: the
// subsets hold no Thai, so a Thai letter is reported missing.
func TestFontLacksUnlistedCharacter(t *testing.T) {
	face, err := font.ParseTTF(bytes.NewReader(FontRegular))
	if err != nil {
		t.Fatal(err)
	}
	if m := missingRunes(face, "邮箱ก"); len(m) != 1 || m[0] != 'ก' {
		t.Fatalf("missingRunes = %q, want only ก", m)
	}
}

// TestEnglishPunctuationIsProportional: the shipped font is a CJK font, in
// which curly quotes, the ellipsis, the middle dot and the bullet are a
// full em wide, as Chinese text wants them; in English text they leave wide
// gaps. English texts use other marks (straight quotes, "...", en dashes);
// only the names of CJK languages may be wide.
func TestEnglishPunctuationIsProportional(t *testing.T) {
	face, err := font.ParseTTF(bytes.NewReader(FontRegular))
	if err != nil {
		t.Fatal(err)
	}
	upem := float32(face.Upem())
	wide := map[rune][]string{}
	for key, m := range loadTranslations(t, "en.json") {
		for _, s := range m {
			for _, r := range s {
				if r < 0x80 || unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) {
					continue
				}
				g, ok := face.NominalGlyph(r)
				if ok && face.HorizontalAdvance(g)/upem >= 0.9 && len(wide[r]) < 3 {
					wide[r] = append(wide[r], key)
				}
			}
		}
	}
	for r, keys := range wide {
		t.Errorf("%q (U+%04X) is an em wide in the shipped font, in English %v", r, r, keys)
	}
}

// BenchmarkFontParse times parsing the three fonts, as the theme does at
// start, and looking up and loading one hanzi glyph in each.
func BenchmarkFontParse(b *testing.B) {
	for range b.N {
		for _, data := range fontFiles {
			face, err := font.ParseTTF(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			gid, _ := face.NominalGlyph('猫')
			_ = face.GlyphData(gid)
		}
	}
}
