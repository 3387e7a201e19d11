// Package packagetest holds the test of the sesame-authd Debian package that
// `scripts/package server` builds: it checks the .deb, installs it on this
// machine with dpkg, runs the installed unit's command line as systemd would
// (unit.go: its user, environment, state folder, umask, file-system and
// device sandbox, no capability, no new privileges, no writable and
// executable memory; no systemd needed), upgrades, removes and purges it. The
// test runs only as root with $SESAME_PACKAGE_TEST=1 (scripts/test sets
// it), since it changes the machine.
//
// TestDesktopPackage does the same for the desktop app's package that
// `scripts/package app` builds: it checks the .deb and the checksums,
// installs it, validates the desktop entry and the AppStream metainfo,
// starts the installed app in the X display and purges it.
package packagetest
