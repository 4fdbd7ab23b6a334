#!/bin/bash
# configure: a missing library is named with its Debian package, and the plugin
# directory follows --libexecdir or --with-plugindir. Prints TAP.
# "A && st=0 || st=1" cannot take the wrong branch: st=0 always succeeds.
# shellcheck disable=SC2015
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
# shellcheck source=tests/tap.sh
. "$top_srcdir/tests/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# configure_in NAME [ARGS...]: runs configure in a fresh directory, output in NAME.log
configure_in() {
	local name=$1
	shift
	mkdir -p "$tmp/$name"
	(cd "$tmp/$name" && "$top_srcdir/configure" "$@") >"$tmp/$name.log" 2>&1
}

rc=0
PKG_CONFIG_LIBDIR=/nonexistent PKG_CONFIG_PATH='' configure_in nolibs || rc=$?
grep -q 'install the Debian package libcurl4-openssl-dev (apt-get install libcurl4-openssl-dev)' \
	"$tmp/nolibs.log" && [ "$rc" -ne 0 ] && st=0 || st=1
ok "$st" "without libcurl, configure stops and names the Debian package"
[ "$st" -eq 0 ] || diag "$tmp/nolibs.log"

configure_in debian --prefix=/usr --libexecdir=/usr/lib && st=0 || st=1
ok "$st" "configure --prefix=/usr --libexecdir=/usr/lib"
grep -qx 'plugindir = ${libexecdir}/nagios/plugins' "$tmp/debian/Makefile" &&
	grep -qx 'libexecdir = /usr/lib' "$tmp/debian/Makefile" && st=0 || st=1
ok "$st" "the plugin goes to /usr/lib/nagios/plugins by default"

configure_in custom --with-plugindir=/opt/checks && st=0 || st=1
grep -qx 'plugindir = /opt/checks' "$tmp/custom/Makefile" && [ "$st" -eq 0 ] && st=0 || st=1
ok "$st" "--with-plugindir=DIR sets the plugin directory"

echo "1..$n"
exit "$failed"
