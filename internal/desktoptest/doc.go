// Package desktoptest holds the real-window test of the desktop app: the
// built sesame binary in an X server (Xvfb), with a real gnome-keyring on a
// private D-Bus session, driven by xdotool like a user at the keyboard, with
// a screenshot of each step. It runs when SESAME_WINDOW_TEST=1 (scripts/test
// sets it inside dbus-run-session, scripts/keyring-session and xvfb-run) and
// is skipped otherwise.
package desktoptest
