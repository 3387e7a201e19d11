package assets

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "redraw icon.png")

// The icon's geometry in pixels of a 512×512 canvas.
const (
	iconSize   = 512
	tileMargin = 24  // from the canvas edge to the rounded square
	tileRadius = 100 // corner radius of the rounded square
	holeX      = 256 // centre of the keyhole's round part
	holeY      = 212
	holeRadius = 66
	stemTop    = 232 // the keyhole's stem, a trapezoid
	stemBottom = 384
	stemTopW   = 30 // half widths
	stemBotW   = 56
	ringRadius = 170 // the ring around the keyhole, a sesame seed's outline
	ringWidth  = 10
)

var (
	tileTop    = color.NRGBA{R: 0x2a, G: 0x8c, B: 0x80, A: 0xff}
	tileBottom = color.NRGBA{R: 0x17, G: 0x63, B: 0x5a, A: 0xff}
	keyhole    = color.NRGBA{R: 0xf7, G: 0xf3, B: 0xe8, A: 0xff}
	ring       = color.NRGBA{R: 0x6f, G: 0xbf, B: 0xb3, A: 0xff}
)

// Geometry runs in eighths of a pixel, in integers, so the drawing is the same
// on every machine; each pixel averages a 4×4 grid of samples.
const unit = 8

func inTile(x, y int) bool {
	lo, hi, r := tileMargin*unit, (iconSize-tileMargin)*unit, tileRadius*unit
	if x < lo || x > hi || y < lo || y > hi {
		return false
	}
	cx := min(max(x, lo+r), hi-r)
	cy := min(max(y, lo+r), hi-r)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}

func inKeyhole(x, y int) bool {
	dx, dy, r := x-holeX*unit, y-holeY*unit, holeRadius*unit
	if dx*dx+dy*dy <= r*r {
		return true
	}
	t, b := stemTop*unit, stemBottom*unit
	if y < t || y > b {
		return false
	}
	if dx < 0 {
		dx = -dx
	}
	// dx <= topW + (botW-topW)*(y-t)/(b-t), without division.
	return dx*(b-t) <= stemTopW*unit*(b-t)+(stemBotW-stemTopW)*unit*(y-t)
}

// inRing reports a point on an upright ellipse's outline: a sesame seed
// around the keyhole, 4:5 wide to tall.
func inRing(x, y int) bool {
	dx, dy := x-holeX*unit, y-(holeY+58)*unit
	within := func(a, b int) bool { // dx²/a² + dy²/b² <= 1
		return dx*dx*b*b+dy*dy*a*a <= a*a*b*b
	}
	ao, bo := ringRadius*unit*4/5, ringRadius*unit
	ai, bi := (ringRadius-ringWidth)*unit*4/5, (ringRadius-ringWidth)*unit
	return within(ao, bo) && !within(ai, bi)
}

func lerp(a, b uint8, num, den int) int {
	return int(a) + (int(b)-int(a))*num/den
}

// drawIcon renders the app icon: a keyhole inside a seed-shaped ring on a
// teal rounded square.
func drawIcon() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, iconSize, iconSize))
	for py := range iconSize {
		for px := range iconSize {
			var n, r, g, b int
			for j := range 4 {
				for i := range 4 {
					x, y := px*unit+2*i+1, py*unit+2*j+1
					if !inTile(x, y) {
						continue
					}
					var c color.NRGBA
					switch {
					case inKeyhole(x, y):
						c = keyhole
					case inRing(x, y):
						c = ring
					default:
						den := iconSize * unit
						c = color.NRGBA{
							R: uint8(lerp(tileTop.R, tileBottom.R, y, den)),
							G: uint8(lerp(tileTop.G, tileBottom.G, y, den)),
							B: uint8(lerp(tileTop.B, tileBottom.B, y, den)),
						}
					}
					n++
					r += int(c.R)
					g += int(c.G)
					b += int(c.B)
				}
			}
			if n == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8((r + n/2) / n),
				G: uint8((g + n/2) / n),
				B: uint8((b + n/2) / n),
				A: uint8((n*255 + 8) / 16),
			})
		}
	}
	return img
}

// TestIcon checks that icon.png is the generator's drawing; run with -update
// to redraw it.
func TestIcon(t *testing.T) {
	want := drawIcon()
	if *update {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, want); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(IconName, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", IconName, buf.Len())
		return
	}
	got, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("decoding the embedded icon: %v", err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("icon is %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := range iconSize {
		for x := range iconSize {
			if g, w := color.NRGBAModel.Convert(got.At(x, y)), want.NRGBAAt(x, y); g != w {
				t.Fatalf("icon pixel (%d,%d) = %v, the generator draws %v; run go test ./assets -run TestIcon -update", x, y, g, w)
			}
		}
	}
	// The corners are transparent and the centre is the keyhole.
	if a := want.NRGBAAt(0, 0).A; a != 0 {
		t.Errorf("corner alpha = %d, want 0", a)
	}
	if c := want.NRGBAAt(holeX, holeY); c != keyhole {
		t.Errorf("centre = %v, want the keyhole colour %v", c, keyhole)
	}
}
