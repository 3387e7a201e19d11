// Package browsertest opens the server's pages in a real headless Chromium
// (Debian's chromium package), driven over the DevTools protocol with
// chromedp: the "this wasn't me" page of security notices in every
// language, pressed like a user would, with screenshots under
// build/screenshots/. It runs when chromium is installed, or fails without
// it when SESAME_BROWSER_TEST=1 (scripts/test sets it); it is skipped
// otherwise. Only its tests need the browser.
package browsertest
