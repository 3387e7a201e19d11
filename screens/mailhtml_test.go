package screens

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sesame/app"
)

// sampleMailHTML is shaped as the server's mails are: the phrase first,
// inline styles, the code in large monospace type, a link.
const sampleMailHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Reset your Sesame password</title>
<style>p { color: red }</style>
</head>
<body style="margin:0;padding:24px 12px;font-family:-apple-system,'Segoe UI',Arial,sans-serif;font-size:16px;">
<div style="max-width:560px;margin:0 auto;">
<p style="margin:0 0 20px;background:#ecfdf5;">Your anti-phishing phrase: «blue heron»</p>
<p style="margin:0 0 16px;">Hello,</p>
<p>Your code to reset your Sesame password:</p>
<p style="margin:16px 0;font-family:Menlo,Consolas,monospace;font-size:28px;font-weight:bold;letter-spacing:4px;">123456</p>
<p>It expires in 10 minutes. <strong>Never</strong> give it to anyone.</p>
<p>Not you? <a href="https://auth.example.org/v1/wasnt-me/abc" style="color:#2563eb;">This wasn't me</a>.</p>
<script>alert("no")</script>
<img src="https://tracker.example/pixel.gif" alt="pixel">
<p style="margin:24px 0 0;color:#52525b;">— Sesame</p>
</div>
</body>
</html>`

// render describes segments in one line each: ¶ ends a line, * bold,
// / italic, ` monospace, # large, <url|text> a link.
func render(segs []widget.RichTextSegment) string {
	var b strings.Builder
	for _, s := range segs {
		switch s := s.(type) {
		case *widget.TextSegment:
			st := s.Style
			for _, f := range []struct {
				on   bool
				mark string
			}{{st.TextStyle.Bold, "*"}, {st.TextStyle.Italic, "/"}, {st.TextStyle.Monospace, "`"}, {st.SizeName == theme.SizeNameHeadingText, "#"}} {
				if f.on {
					b.WriteString(f.mark)
				}
			}
			b.WriteString(s.Text)
		case *widget.HyperlinkSegment:
			b.WriteString("<" + s.URL.String() + "|" + s.Text + ">")
		default:
			b.WriteString("?")
		}
		if !s.Inline() {
			b.WriteString("¶")
		}
	}
	return b.String()
}

var mailHTMLCases = []struct {
	name, html, want string
}{
	{"sample", sampleMailHTML, "Your anti-phishing phrase: «blue heron»¶¶Hello,¶¶Your code to reset your Sesame password:¶¶" +
		"*`#123456¶¶It expires in 10 minutes. *Never give it to anyone.¶¶" +
		"Not you? <https://auth.example.org/v1/wasnt-me/abc|This wasn't me>.¶¶— Sesame¶"},
	{"empty", "", ""},
	{"blank", " \n<html><head><title>t</title></head><body> </body></html>", ""},
	{"plain text", "Just text", "Just text¶"},
	{"white space", "<p>  a \n\t b <b> c </b>d</p>", "a b *c d¶"},
	{"line break", "<p>one<br>two<br/><br>three</p>", "one¶two¶¶three¶"},
	{"break at the end", "<p>a<br></p><p>b</p>", "a¶¶b¶"},
	{"nesting", "<p><em>i <strong>bi</strong></em> <code>x</code></p>", "/i */bi `x¶"},
	{"weights", `<p><span style="font-weight:700">b</span><b style="font-weight: normal">n</b><span style="FONT-STYLE: italic">i</span></p>`, "*bn/i¶"},
	{"sizes", `<p style="font-size:1.5em">e</p><p style="font-size:19px">p</p><p style="font-size:15pt">t</p><h1>h</h1><h3>s</h3>`, "#e¶¶p¶¶#t¶¶*#h¶¶*s¶"},
	{"unsafe links", `<p><a href="javascript:alert(1)">js</a> <a href="/relative">rel</a> <a href="http:///x">nohost</a> <a>none</a></p>`, "js rel nohost none¶"},
	{"mailto", `<p>Write <a href="mailto:help@sesame.example">help</a></p>`, "Write <mailto:help@sesame.example|help>¶"},
	{"link ends a line", `<p><a href="https://a.example/">a</a></p><p>b</p>`, "<https://a.example/|a>¶¶b¶"},
	{"broken", "<p>unclosed <b>bold<div>block</p></i>", "unclosed *bold¶¶*block¶"},
	{"hidden", "<p>a<script>b</script><style>c</style><noscript>d</noscript><template>e</template>f</p>", "af¶"},
	{"list and table", "<ul><li>one</li><li>two</li></ul><table><tr><td>x</td><td>y</td></tr></table>", "one¶¶two¶¶x y¶"},
}

func TestMailSegments(t *testing.T) {
	for _, c := range mailHTMLCases {
		segs, ok := mailSegments(c.html)
		if got := render(segs); got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %v %q\nwant %q", c.name, ok, got, c.want)
		}
	}
}

// FuzzMailSegments: any input renders without panic, and shows no script
// and no link but http, https and mailto.
func FuzzMailSegments(f *testing.F) {
	for _, c := range mailHTMLCases {
		f.Add(c.html)
	}
	f.Fuzz(func(t *testing.T, src string) {
		segs, ok := mailSegments(src)
		if ok != (len(segs) > 0) {
			t.Fatalf("ok %v with %d segments", ok, len(segs))
		}
		for _, s := range segs {
			if l, isLink := s.(*widget.HyperlinkSegment); isLink && safeLink(l.URL.String()) == nil {
				t.Fatalf("unsafe link %v", l.URL)
			}
		}
	})
}

// TestMailboxShowsHTML renders a mail's HTML part as the mailbox shows
// it, on the test driver, and its text part when the HTML shows nothing.
func TestMailboxShowsHTML(t *testing.T) {
	f := newFixture(t)
	mail := app.Mail{ID: "1", To: "golden@example.org", Subject: "Reset your Sesame password",
		Text: "Hello,\n\nYour code to reset your Sesame password:\n\n    654321\n", HTML: sampleMailHTML,
		SentAt: time.Date(2026, 1, 15, 10, 30, 0, 0, time.Local)}
	f.win.SetContent(container.NewVScroll(mailCard(mail)))
	code := must(f, "the code", func(l *wrapLabel) bool { return l.Text == "123456" })
	if code.SizeName != theme.SizeNameHeadingText || !code.TextStyle.Bold {
		t.Fatalf("the code is not in large type: %s %+v", code.SizeName, code.TextStyle)
	}
	// The code and the other blocks of one style can be selected and
	// copied; a block with a link or mixed styles is rich text.
	for _, text := range []string{"123456", "Your code to reset your Sesame password:"} {
		l := must(f, text, func(l *wrapLabel) bool { return l.Text == text })
		if got := copyAll(t, l); got != text {
			t.Fatalf("copied %q, want %q", got, text)
		}
	}
	must(f, "the link", func(r *wrapRich) bool {
		return strings.Contains(widget.NewRichText(r.Segments...).String(), "This wasn't me")
	})
	if f.shows("654321") || f.shows("alert") || f.shows("color: red") {
		t.Fatalf("the text part, a script or a style shows:\n%s", f.texts())
	}
	f.golden("mailbox/html.xml")

	mail.HTML = `<html><body><img src="https://tracker.example/pixel.gif"></body></html>`
	f.win.SetContent(container.NewVScroll(mailCard(mail)))
	if !f.shows("654321") {
		t.Fatalf("the text part does not show:\n%s", f.texts())
	}
	f.golden("mailbox/text.xml")
}
