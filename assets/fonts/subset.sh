#!/usr/bin/env bash
# Regenerates the subset fonts in this folder from Debian's fonts-noto-cjk.
# The build and the tests never run it: its output is committed. Run it after
# a translation gains a character the fonts lack (assets' TestFontCoverage
# names it), then commit the new .otf files.
#
# Needs: apt-get install fonts-noto-cjk fonttools unicode-data (pyftsubset,
# python3, Unihan); go (to find the module folders of go-bip39 and Fyne).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=/usr/share/fonts/opentype/noto
bip39=$(cd "$root" && go list -m -f '{{.Dir}}' github.com/tyler-smith/go-bip39)
fyne=$(cd "$root" && go list -m -f '{{.Dir}}' fyne.io/fyne/v2)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The 8,105 characters of the Table of General Standard Chinese Characters
# (通用规范汉字表, 2013), in its order, from Unihan's kTGH field. Committed:
# the tests check the fonts against it.
tgh="$root/assets/testdata/tongyong-guifan-hanzi.txt"
bzcat /usr/share/unicode/Unihan_OtherMappings.txt.bz2 |
	python3 -c '
import sys
rows = []
for line in sys.stdin:
    f = line.split("\t")
    if len(f) == 3 and f[1] == "kTGH":
        rows.append((int(f[2].split(":")[1]), chr(int(f[0][2:], 16))))
rows.sort()
assert len(rows) == 8105, len(rows)
sys.stdout.write("".join(c + "\n" for _, c in rows))
' >"$tgh"

# What a Chinese user may type: the table above; GB 2312 (its 6,763 hanzi and
# its symbols, also as GB 18030 decodes them); Big5's symbols (A140–A3BF)
# and its 5,401 frequent hanzi (A440–C67E), the common Traditional set, as
# each of Python's Big5 codecs decodes them (they differ on some symbols).
python3 -c '
import sys
def chars(codec, leads, trails):
    for a in leads:
        for b in trails:
            try:
                yield bytes([a, b]).decode(codec)
            except UnicodeDecodeError:
                pass
big5trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
out = [*chars("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF)),
       *chars("gb18030", range(0xA1, 0xF8), range(0xA1, 0xFF))]
for codec in "big5", "cp950", "big5hkscs":
    out += [*chars(codec, range(0xA1, 0xA3), big5trails),
            *chars(codec, [0xA3], [*range(0x40, 0x7F), *range(0xA1, 0xC0)]),
            *chars(codec, range(0xA4, 0xC6), big5trails),
            *chars(codec, [0xC6], range(0x40, 0x7F))]
sys.stdout.write("".join(out) + "\n")
' >"$tmp/typed.txt"

# Every character of: the app's translations, the server's mail templates and text messages
# (the Mailbox window shows the mails), Fyne's own Simplified Chinese
# strings (dialogs, menus), and every BIP39 wordlist (Chinese, Japanese,
# Korean and the accented Latin ones), in NFC: go-bip39 keeps the lists in
# NFKD (Korean as conjoining jamo), the screens show words composed. Then
# what a user may type (above), as it is. pyftsubset keeps each character
# of the file; the Go code around the words is ASCII, which the ranges keep
# anyway.
{
	cat "$root"/assets/translations/*.json \
		"$root"/server/mail/templates/*/* \
		"$root"/server/sms/texts/* \
		"$fyne"/lang/translations/base.zh_Hans.json \
		"$bip39"/wordlists/*.go |
		python3 -c 'import sys, unicodedata; sys.stdout.write(unicodedata.normalize("NFC", sys.stdin.read()))'
	cat "$tgh" "$tmp/typed.txt"
} >"$tmp/text.txt"

# Basic Latin, Latin-1, Latin Extended-A, combining diacritics (those the font has),
# general punctuation, arrows, CJK punctuation, full-width forms, U+FFFD.
unicodes='U+0020-007E,U+00A0-017F,U+0300-036F,U+2000-206F,U+2190-2193,U+3000-303F,U+FF00-FFEF,U+FFFD'

# subset TTC FACE_NUMBER OUTPUT
subset() {
	pyftsubset "$1" --font-number="$2" \
		--unicodes="$unicodes" --text-file="$tmp/text.txt" \
		--layout-features='kern,ccmp,mark,mkmk' \
		--no-hinting \
		--drop-tables+=vhea,vmtx,VORG \
		--name-IDs='*' \
		--output-file="$here/$3"
}

# Face 2 of the Sans collections is "Noto Sans CJK SC", face 7 "Noto Sans Mono CJK SC".
subset "$src/NotoSansCJK-Regular.ttc" 2 NotoSansCJKsc-Regular.subset.otf
subset "$src/NotoSansCJK-Bold.ttc" 2 NotoSansCJKsc-Bold.subset.otf
subset "$src/NotoSansCJK-Regular.ttc" 7 NotoSansMonoCJKsc-Regular.subset.otf

ls -l "$here"/*.otf
