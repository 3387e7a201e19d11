package screens

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"sesame/assets"
)

// TestLongTitleKeepsWindowSize pushes views with titles far wider than the
// window, in both languages: the window's content asks for no more width,
// and the title ends in "…".
func TestLongTitleKeepsWindowSize(t *testing.T) {
	f := newSignInFixture(t)
	titles := map[string]string{
		"en":      strings.Repeat("Sign in with a recovery code ", 6),
		"zh_Hans": strings.Repeat("使用恢复码登录您的账户", 6),
	}
	for _, tag := range []string{"en", "zh_Hans"} {
		f.setLanguage(tag)
		v := newView(titles[tag])
		v.content = paragraph(titles[tag])
		f.shell.Push(v)
		f.settle("the long title")
		if w := f.win.Content().MinSize().Width; w > fixtureSize.Width {
			t.Errorf("%s: a long title asks for %.0f px in a %.0f px window", tag, w, fixtureSize.Width)
		}
		if f.shell.title.Truncation != fyne.TextTruncateEllipsis {
			t.Errorf("%s: the title does not end in an ellipsis", tag)
		}
		f.shell.Back()
	}
}

// TestFormReadableWidth shows sign-in in a large window: the form keeps a
// readable width and sits centred; in the default window it fills it.
func TestFormReadableWidth(t *testing.T) {
	f := newSignInFixture(t)
	submit := must(f, "the submit button", func(b *button) bool { return b.Text == tr("signin.submit") })
	d := fyne.CurrentApp().Driver()
	for _, size := range []fyne.Size{fyne.NewSize(1400, 900), fixtureSize} {
		f.win.Resize(size)
		f.settle("the resized window")
		x, w := d.AbsolutePositionForObject(submit).X, submit.Size().Width
		sc := f.shell.top().scroll
		scX, scW := d.AbsolutePositionForObject(sc).X, sc.Size().Width
		if w > readableWidth {
			t.Errorf("%v window: the button is %.0f px wide, want at most %d", size, w, readableWidth)
		}
		if centre, want := x+w/2, scX+scW/2; centre < want-0.5 || centre > want+0.5 {
			t.Errorf("%v window: the button's centre is at %.0f, not the view's %.0f", size, centre, want)
		}
		if full := scW - 2*theme.Padding(); scW < readableWidth && w != full {
			t.Errorf("%v window: the button is %.0f px wide, want the view's %.0f", size, w, full)
		}
	}
	f.win.Resize(fyne.NewSize(1400, 900))
	f.golden("signin/wide.xml")
}

// TestSignInLogo checks that sign-in shows the app's icon, in both
// languages.
func TestSignInLogo(t *testing.T) {
	f := newSignInFixture(t)
	for _, tag := range []string{"en", "zh_Hans"} {
		f.setLanguage(tag)
		f.shell.Retranslate()
		f.waitSignIn()
		logo := must(f, "logo", func(i *canvas.Image) bool { return i.Image == logoImage() })
		if b := logo.Image.Bounds(); b.Dx() != 2*logoSize || b.Dy() != 2*logoSize {
			t.Errorf("%s: the logo's picture is %v, not the icon scaled to twice its size", tag, b)
		}
		if !sameColours(logo.Image, assets.Icon) {
			t.Errorf("%s: the logo is not the app's icon", tag)
		}
		if s := logo.Size(); s.Width < logoSize || s.Height < logoSize {
			t.Errorf("%s: the logo is drawn %v", tag, s)
		}
	}
}

// TestCopied taps a copy button in both languages: it says Copied, 已复制,
// with a tick, then its label again.
func TestCopied(t *testing.T) {
	f := newSignInFixture(t)
	for _, tag := range []string{"en", "zh_Hans"} {
		f.setLanguage(tag)
		f.shell.Push(newRecoveryCodes(f.shell, []string{"aaaabbbbcc", "ddddeeeeff"},
			codesPage{title: tr("security.codes.title"), intro: tr("security.codes.intro"), finish: tr("security.codes.done"), done: func() {}}))
		b := f.button("recovery_codes.copy")
		test.Tap(b)
		if b.Text != tr("action.copied") {
			t.Errorf("%s: the copy button says %q", tag, b.Text)
		}
		f.golden("recovery_codes/copied_" + tag + ".xml")
		for _, fn := range f.uncopied {
			fn()
		}
		f.uncopied = nil
		if b.Text != tr("recovery_codes.copy") {
			t.Errorf("%s: the copy button says %q after its moment", tag, b.Text)
		}
		f.shell.BlockBack(f.shell.top(), false)
		f.shell.Back()
	}
}

// TestReadableLayout lays out content narrower and wider than
// readableWidth in a large space and in a small one.
func TestReadableLayout(t *testing.T) {
	test.NewTempApp(t)
	p := theme.Padding()
	cases := []struct {
		min, space, want float32
	}{
		{100, 1400, readableWidth},
		{800, 1400, 800},
		{100, 300, 300 - 2*p},
	}
	for _, c := range cases {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSize(c.min, 10))
		box := container.New(readableLayout{}, r)
		box.Resize(fyne.NewSize(c.space, 100))
		if r.Size().Width != c.want || r.Position().X != (c.space-c.want)/2 || r.Position().Y != p {
			t.Errorf("min %.0f in %.0f: %v at %v, want %.0f wide, centred", c.min, c.space, r.Size(), r.Position(), c.want)
		}
	}
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(700, 30))
	if got, want := container.New(readableLayout{}, r).MinSize(), fyne.NewSize(700+2*p, 30+2*p); got != want {
		t.Errorf("MinSize: %v, want %v", got, want)
	}
}

// TestHomeLongEmail shows home for an address wider than the window: it
// wraps instead of widening the window.
func TestHomeLongEmail(t *testing.T) {
	email := strings.Repeat("ada.lovelace.", 4) + "analytical@engine-department.example.org"
	f := homeSignedIn(t, email)
	f.settle("home")
	if w := f.win.Content().MinSize().Width; w > fixtureSize.Width {
		t.Errorf("home of %s asks for %.0f px in a %.0f px window", email, w, fixtureSize.Width)
	}
}

// sameColours reports whether img looks like the PNG icon scaled: their
// mean colours match within a few levels.
func sameColours(img image.Image, icon []byte) bool {
	src, err := png.Decode(bytes.NewReader(icon))
	if err != nil {
		return false
	}
	a, b := meanColour(img), meanColour(src)
	for i := range a {
		if a[i] > b[i]+4 || b[i] > a[i]+4 {
			return false
		}
	}
	return true
}

// meanColour is img's mean red, green, blue and alpha, 0–255.
func meanColour(img image.Image) [4]uint32 {
	var sum [4]uint64
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c0, c1, c2, c3 := img.At(x, y).RGBA()
			sum[0], sum[1], sum[2], sum[3] = sum[0]+uint64(c0), sum[1]+uint64(c1), sum[2]+uint64(c2), sum[3]+uint64(c3)
		}
	}
	n := uint64(r.Dx()*r.Dy()) * 257
	return [4]uint32{uint32(sum[0] / n), uint32(sum[1] / n), uint32(sum[2] / n), uint32(sum[3] / n)}
}

// TestCopiedKeepsWidth taps a short copy button in both languages: saying
// Copied, 已复制, it keeps its size, so that nothing beside it moves.
func TestCopiedKeepsWidth(t *testing.T) {
	f := newSignInFixture(t)
	for _, tag := range []string{"en", "zh_Hans"} {
		f.setLanguage(tag)
		b := newCopyButton(tr("home.copy"), func() {})
		before := b.MinSize()
		test.Tap(b)
		if b.Text != tr("action.copied") || b.MinSize() != before {
			t.Errorf("%s: %q is %v, %q was %v", tag, b.Text, b.MinSize(), tr("home.copy"), before)
		}
		for _, fn := range f.uncopied {
			fn()
		}
		f.uncopied = nil
		if b.MinSize() != before {
			t.Errorf("%s: back to %q, %v, not %v", tag, b.Text, b.MinSize(), before)
		}
	}
}
