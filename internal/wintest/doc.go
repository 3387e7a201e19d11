// Package wintest holds the Windows real-window test of the desktop app:
// sesame.exe, cross-built with MinGW, runs under Wine in Xvfb with a Wine
// prefix of its own and is driven by xdotool like a user at the keyboard,
// with a screenshot of each step. It creates an account with the code from
// the built-in server's mailbox, keeps the session with "remember me" in
// the Windows Credential Manager (read back by credtool under the same
// prefix), lands on home at the second start, and keeps its files under
// %LOCALAPPDATA% and %APPDATA%. It runs when SESAME_WINE_TEST=1
// (scripts/test sets it inside xvfb-run) and is skipped otherwise.
//
// The cross-build takes minutes: sesame.exe is kept in the cache folder
// ($SESAME_WINTEST_CACHE, else the user's cache folder) under a hash of
// its inputs, and rebuilt only when they change.
package wintest
