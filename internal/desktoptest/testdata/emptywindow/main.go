// Command emptywindow is the baseline of the start-up benchmark: an empty
// Fyne window of the desktop app's first size, built with the same
// toolchain and Fyne version as the app.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
)

func main() {
	a := app.NewWithID("org.sesame.emptywindow")
	w := a.NewWindow("Empty")
	w.Resize(fyne.NewSize(480, 720))
	w.ShowAndRun()
}
