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

# Packages the tests and the app need.
TEST_PACKAGES=(gcc libc6-dev dbus gnome-keyring libsecret-tools)
