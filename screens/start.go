package screens

import (
	"context"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// newResuming is the first view: it tries the session remembered in the
// keychain off the UI thread, then shows home, or sign-in when there is
// none or it cannot be resumed.
func newResuming(s *Shell) *view {
	v := newView(lang.L("app.name"))
	bar := widget.NewProgressBarInfinite()
	v.content = container.NewVBox(widget.NewLabel(lang.L("start.resuming")), bar)
	v.closed = bar.Stop
	var resumed bool
	// The attempt starts once the view is on top, so that its end, which
	// replaces the view, always comes after it was shown.
	v.shown = func() {
		v.shown = nil
		a, startErr := s.App, s.StartupError
		s.Go(v, func(ctx context.Context) error {
			if startErr != nil {
				return startErr
			}
			ok, err := a.Resume(ctx)
			resumed = ok
			return err
		}, func(err error) {
			if resumed {
				s.Reset(newHome(s))
			} else {
				s.Reset(newSignIn(s, err))
			}
			if s.Opts.Started != nil {
				s.Opts.Started()
			}
		})
	}
	return v
}
