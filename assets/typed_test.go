package assets

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/go-text/typesetting/font"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// tghFile holds the 8,105 characters of the Table of General Standard
// Chinese Characters (通用规范汉字表, 2013), one a line in the table's order;
// fonts/subset.sh writes it from Unihan's kTGH field.
const tghFile = "testdata/tongyong-guifan-hanzi.txt"

// notInNoto are the characters of typedSets that Noto Sans CJK (2.004) has
// no glyph for, in any face: two Big5 symbols, the modifier low line and
// "approximately equal to or the image of".
const notInNoto = "ˍ≒"

// decodeAll decodes every two-byte sequence lead×trail that enc maps to a
// character and returns the characters.
func decodeAll(t *testing.T, enc encoding.Encoding, leads, trails []byte) []rune {
	t.Helper()
	var out []rune
	for _, a := range leads {
		for _, b := range trails {
			s, err := enc.NewDecoder().Bytes([]byte{a, b})
			if err != nil {
				continue
			}
			rs := []rune(string(s))
			if len(rs) != 1 || rs[0] == unicode.ReplacementChar || strings.ContainsRune(notInNoto, rs[0]) {
				continue
			}
			out = append(out, rs[0])
		}
	}
	return out
}

func byteRange(lo, hi byte) []byte {
	var bs []byte
	for b := int(lo); b <= int(hi); b++ {
		bs = append(bs, byte(b))
	}
	return bs
}

// typedSets are the characters a Chinese user may type, by name: the
// Table of General Standard Chinese Characters, GB 2312 (hanzi and symbols,
// enumerated through GBK, which GB 2312 is the A1–F7×A1–FE part of) and
// Big5's symbols (A140–A3BF) and 5,401 frequent hanzi (A440–C67E).
func typedSets(t *testing.T) map[string][]rune {
	t.Helper()
	data, err := os.ReadFile(tghFile)
	if err != nil {
		t.Fatal(err)
	}
	tgh := []rune(strings.ReplaceAll(string(data), "\n", ""))
	seen := map[rune]bool{}
	for _, r := range tgh {
		if seen[r] || !unicode.Is(unicode.Han, r) {
			t.Fatalf("%s: %q is repeated or not a hanzi", tghFile, r)
		}
		seen[r] = true
	}
	gbTrail := byteRange(0xA1, 0xFE)
	big5Trail := append(byteRange(0x40, 0x7E), gbTrail...)
	sets := map[string][]rune{
		// The anti-phishing phrase of issue 13, which showed "我家的�叫��".
		"issue 13 phrase": []rune("我家的猫叫咪咪"),
		"通用规范汉字表":         tgh,
		"GB 2312 hanzi":   decodeAll(t, simplifiedchinese.GBK, byteRange(0xB0, 0xF7), gbTrail),
		"GB 2312 symbols": decodeAll(t, simplifiedchinese.GBK, byteRange(0xA1, 0xA9), gbTrail),
		"Big5 frequent hanzi": append(decodeAll(t, traditionalchinese.Big5, byteRange(0xA4, 0xC5), big5Trail),
			decodeAll(t, traditionalchinese.Big5, []byte{0xC6}, byteRange(0x40, 0x7E))...),
		"Big5 symbols": append(decodeAll(t, traditionalchinese.Big5, byteRange(0xA1, 0xA2), big5Trail),
			decodeAll(t, traditionalchinese.Big5, []byte{0xA3}, append(byteRange(0x40, 0x7E), byteRange(0xA1, 0xBF)...))...),
	}
	for name, want := range map[string]int{"通用规范汉字表": 8105, "GB 2312 hanzi": 6763, "Big5 frequent hanzi": 5401} {
		if got := len(sets[name]); got != want {
			t.Fatalf("%s has %d characters, want %d", name, got, want)
		}
	}
	return sets
}

// TestFontCoversTypedChinese checks that every embedded font draws every
// character a Chinese user may type (typedSets), so that an anti-phishing
// phrase or a mistyped restore word never shows "�".
func TestFontCoversTypedChinese(t *testing.T) {
	sets := typedSets(t)
	for fontName, data := range fontFiles {
		face, err := font.ParseTTF(bytes.NewReader(data))
		if err != nil {
			t.Errorf("%s: %v", fontName, err)
			continue
		}
		for setName, rs := range sets {
			if m := missingRunes(face, string(rs)); len(m) > 0 {
				t.Errorf("%s lacks %d characters of %s:%s; run assets/fonts/subset.sh",
					fontName, len(m), setName, formatRunes(m))
			}
		}
	}
}
