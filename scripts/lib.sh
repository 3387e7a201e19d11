# Shared by scripts/run and scripts/test: installs missing Debian packages.

# need installs the named Debian packages that are not installed yet, with
# sudo when not root.
need() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "Installing ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Packages the tests and the app need (PostgreSQL: need_postgresql; HAProxy
# for the multi-replica tests of internal/cluster; Chromium and a CJK font
# for the pages' browser tests of internal/browsertest; appstreamcli and
# desktop-file-validate for the desktop package's test of
# internal/packagetest).
TEST_PACKAGES=(gcc libc6-dev dbus gnome-keyring libsecret-tools haproxy chromium fonts-wqy-microhei
	appstream desktop-file-utils)

# need_postgresql installs PostgreSQL's server for scripts/postgres-session,
# which makes and removes a cluster of its own, without the "main" cluster
# Debian's package otherwise creates (and, under systemd, starts on port
# 5432) and leaves running.
need_postgresql() {
	dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed" && return 0
	need postgresql-common
	local sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo sed -i -E 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
		/etc/postgresql-common/createcluster.conf
	need postgresql
}

# Packages building and running the Fyne app needs: a C compiler, pkg-config
# and the OpenGL and X11 headers for GLFW; Mesa's software OpenGL, Xvfb and
# xauth (xvfb-run) to run it without a screen; xdotool to drive the window and
# imagemagick (import -window root) for screenshots. No font package: the app
# ships its own CJK font.
APP_PACKAGES=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev libgl1-mesa-dri xvfb xauth xdotool imagemagick)

# Packages cross-building the app for Windows (MinGW), zipping it, and
# running it in the Windows test (internal/wintest) need: Wine, and Xvfb,
# xdotool and imagemagick of APP_PACKAGES.
WINDOWS_PACKAGES=(gcc-mingw-w64-x86-64 zip wine wine64)

# Build tags of the desktop app: no_emoji leaves out Fyne's 10 MB colour
# emoji font, which Sesame never draws and which every text style would
# otherwise load at start.
APP_TAGS=no_emoji

# tool prints the path of a Go command, installing it into
# $XDG_CACHE_HOME/sesame/tools/ when missing (once per version).
tool() { # name package version
	local bin="${XDG_CACHE_HOME:-$HOME/.cache}/sesame/tools/$1/$3"
	if [ ! -x "$bin/$1" ]; then
		echo "Installing the $1 command $3…" >&2
		GOBIN="$bin" CGO_ENABLED=0 go install "$2@$3" >&2
	fi
	echo "$bin/$1"
}
