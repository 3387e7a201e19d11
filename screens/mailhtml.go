package screens

import (
	"net/url"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// mailSegments renders the simple HTML of a mail as rich text: paragraphs
// and line breaks, bold and italic, monospace, large type (a code), and
// links to http, https and mailto addresses. Scripts, styles, images and
// any other link are left out. ok is false when src shows no text, and the
// mail's text part shows instead.
func mailSegments(src string) (segs []widget.RichTextSegment, ok bool) {
	if strings.TrimSpace(src) == "" {
		return nil, false
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return nil, false
	}
	var r mailRender
	r.walk(doc, htmlStyle{})
	r.endBlock()
	return r.segs, len(r.segs) > 0
}

// htmlStyle is the style that an element passes to its content.
type htmlStyle struct {
	bold, italic, mono, large bool
	link                      *url.URL
}

// mailRender collects the segments of a mail's HTML.
type mailRender struct {
	segs []widget.RichTextSegment
	// line holds the inline segments of the open block.
	line []widget.RichTextSegment
	// space is a space due before the next text of the block.
	space bool
}

// skipped are the elements whose content never shows.
var skipped = map[atom.Atom]bool{
	atom.Head: true, atom.Title: true, atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
	atom.Img: true, atom.Svg: true, atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Video: true, atom.Audio: true,
	atom.Form: true, atom.Button: true, atom.Input: true, atom.Select: true, atom.Textarea: true,
}

// blocks are the elements that stand on lines of their own.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Table: true, atom.Tr: true, atom.Blockquote: true, atom.Pre: true,
	atom.Hr: true, atom.Section: true, atom.Header: true, atom.Footer: true, atom.Body: true,
}

func (r *mailRender) walk(n *html.Node, st htmlStyle) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data, st)
		return
	case html.ElementNode:
		if skipped[n.DataAtom] {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			r.lineBreak()
			return
		case atom.B, atom.Strong, atom.H3, atom.H4, atom.H5, atom.H6:
			st.bold = true
		case atom.I, atom.Em:
			st.italic = true
		case atom.Code, atom.Kbd, atom.Samp, atom.Tt, atom.Pre:
			st.mono = true
		case atom.H1, atom.H2:
			st.bold, st.large = true, true
		case atom.A:
			st.link = safeLink(attr(n, "href"))
		}
		st = st.inline(attr(n, "style"))
	}
	block := n.Type == html.ElementNode && blocks[n.DataAtom]
	if block {
		r.endBlock()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, st)
	}
	if block {
		r.endBlock()
	}
	if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
		r.space = true
	}
}

// text adds s to the open block with HTML's white space: each run is one
// space, none at the start or end of a line.
func (r *mailRender) text(s string, st htmlStyle) {
	words := strings.Fields(s)
	if len(words) == 0 {
		r.space = r.space || s != ""
		return
	}
	if (r.space || isSpace(s[0])) && len(r.line) > 0 {
		// The space goes outside a link, which underlines its text.
		if t, ok := lastText(r.line); ok {
			t.Text += " "
		} else {
			r.line = append(r.line, &widget.TextSegment{Style: widget.RichTextStyleInline, Text: " "})
		}
	}
	r.space = isSpace(s[len(s)-1])
	t := strings.Join(words, " ")
	if st.link != nil {
		r.line = append(r.line, &widget.HyperlinkSegment{Alignment: fyne.TextAlignLeading, Text: t, URL: st.link})
		return
	}
	style := widget.RichTextStyleInline
	style.TextStyle = fyne.TextStyle{Bold: st.bold, Italic: st.italic, Monospace: st.mono}
	if st.large {
		style.SizeName = theme.SizeNameHeadingText
	}
	r.line = append(r.line, &widget.TextSegment{Style: style, Text: t})
}

// isSpace tells HTML's ASCII white space.
func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// lineBreak ends the line of the open block.
func (r *mailRender) lineBreak() {
	if t, ok := lastText(r.line); ok && t.Style.Inline {
		t.Style.Inline = false
	} else {
		r.line = append(r.line, &widget.TextSegment{Style: widget.RichTextStyleParagraph})
	}
	r.space = false
}

// endBlock ends the open block, after an empty line when a block came
// before it.
func (r *mailRender) endBlock() {
	if len(r.line) == 0 {
		return
	}
	if t, ok := lastText(r.line); !ok || t.Style.Inline {
		r.lineBreak()
	}
	if len(r.segs) > 0 {
		r.segs = append(r.segs, &widget.TextSegment{Style: widget.RichTextStyleParagraph})
	}
	r.segs = append(r.segs, r.line...)
	r.line = nil
}

func lastText(line []widget.RichTextSegment) (*widget.TextSegment, bool) {
	if len(line) == 0 {
		return nil, false
	}
	t, ok := line[len(line)-1].(*widget.TextSegment)
	return t, ok
}

// inline adds what a style attribute says of weight, slant, family and
// size.
func (st htmlStyle) inline(css string) htmlStyle {
	for _, decl := range strings.Split(css, ";") {
		name, value, ok := strings.Cut(decl, ":")
		if !ok {
			continue
		}
		value = strings.ToLower(strings.TrimSpace(value))
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "font-weight":
			n, err := strconv.Atoi(value)
			st.bold = value == "bold" || value == "bolder" || (err == nil && n >= 600)
		case "font-style":
			st.italic = value == "italic" || value == "oblique"
		case "font-family":
			st.mono = strings.Contains(value, "monospace")
		case "font-size":
			st.large = large(value)
		}
	}
	return st
}

// large tells a font size of a heading or a code: 20px, 15pt, 1.25em or
// more.
func large(size string) bool {
	for _, u := range []struct {
		unit string
		min  float64
	}{{"px", 20}, {"pt", 15}, {"rem", 1.25}, {"em", 1.25}} {
		if n, ok := strings.CutSuffix(size, u.unit); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			return err == nil && f >= u.min
		}
	}
	return size == "large" || size == "x-large" || size == "xx-large" || size == "xxx-large"
}

// safeLink is href when it is an absolute http, https or mailto address,
// else nil.
func safeLink(href string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil {
		return nil
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
		if u.Host == "" {
			return nil
		}
	case "mailto":
	default:
		return nil
	}
	return u
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}
