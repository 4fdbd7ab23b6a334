#!/bin/bash
# The man page renders without warnings, documents a default for every option, and names
# exactly the long options that --help lists. Prints TAP.
# "A && rc=0 || rc=1" cannot take the wrong branch: rc=0 always succeeds.
# shellcheck disable=SC2015
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
page="$top_srcdir/doc/check_kore_campaign.1"

# shellcheck source=tests/tap.sh
. "$top_srcdir/tests/tap.sh"

# The tools come from the Debian packages mandoc, groff-base and man-db, which quickstart.sh
# installs; a test run installs nothing and skips when one is missing.
for tool in mandoc groff man; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP mandoc/groff/man not installed ($tool is missing)"
		exit 0
	fi
done

if [ -z "${PLUGIN:-}" ] || [ ! -x "$PLUGIN" ]; then
	echo "Bail out! PLUGIN is not set to the built plugin"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- rendering -----------------------------------------------------------------------------
mandoc -T lint -W warning "$page" >"$tmp/lint" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/lint" ] && rc=0 || { rc=1; sed 's/^/# /' "$tmp/lint"; }
ok "$rc" "mandoc -T lint finds nothing"

groff -ww -z -mandoc "$page" >"$tmp/groff" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/groff" ] && rc=0 || { rc=1; sed 's/^/# /' "$tmp/groff"; }
ok "$rc" "groff -ww reports no warning"

MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" &&
	rc=0 || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$tmp/man.err" ] && grep -q 'check_kore_campaign' "$tmp/man.txt" &&
	rc=0 || { rc=1; sed 's/^/# /' "$tmp/man.err"; }
ok "$rc" "man -l renders the page without warnings"

# One very wide rendering, so that no option name is broken across lines.
mandoc -T ascii -O width=400 "$page" | sed 's/.\x08//g' >"$tmp/page.txt"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'CONFIGURATION FILES' OUTPUT ENVIRONMENT \
	FILES 'EXIT STATUS' EXAMPLES 'SECURITY CONSIDERATIONS'; do
	grep -qx "$section" "$tmp/page.txt" && rc=0 || rc=1
	ok "$rc" "section $section is present"
done
for name in KORE_CLIENT_SECRET KORE_JWT MP_CONFIG_FILE; do
	grep -qE "^ {5}$name\$" "$tmp/page.txt" && rc=0 || rc=1
	ok "$rc" "ENVIRONMENT describes $name"
done
for word in 'Icinga 2' Nagios 'Performance data' 'time=' 'active='; do
	grep -qF "$word" "$tmp/page.txt" && rc=0 || rc=1
	ok "$rc" "the page covers '$word'"
done

# Every entry of OPTIONS says its default (or that it is required, or what it does and exits).
awk '/^OPTIONS$/ { on = 1; next } /^[A-Z]/ { on = 0 }
	on && /^     -/ { if (entry != "") print entry; entry = $0; next }
	on && /^             / { entry = entry " " $0 }
	END { if (entry != "") print entry }' "$tmp/page.txt" >"$tmp/entries"
[ "$(wc -l <"$tmp/entries")" -ge 20 ] && rc=0 || rc=1
ok "$rc" "OPTIONS has an entry per option ($(wc -l <"$tmp/entries") found)"
missing=$(grep -viE 'default|required|exit with status' "$tmp/entries" | sed 's/^ *//; s/  .*//') || true
[ -z "$missing" ] && rc=0 || { rc=1; echo "# no default: $missing"; }
ok "$rc" "every option entry names its default"

# --- --help and the page name the same long options --------------------------------------
# shellcheck disable=SC2086 # PLUGIN_WRAPPER is a command line of its own
env -i PATH=/usr/bin:/bin ${PLUGIN_WRAPPER:-} "$PLUGIN" --help >"$tmp/help" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 3 ] && rc=0 || rc=1
ok "$rc" "--help exits with status 3"

grep -oE -- '--[a-z0-9][a-z0-9-]*' "$tmp/help" | sort -u >"$tmp/help.opts"
grep -oE -- '--[a-z0-9][a-z0-9-]*' "$tmp/page.txt" | sort -u >"$tmp/page.opts"
sed 's/^ *//; s/  .*//' "$tmp/entries" | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u >"$tmp/entry.opts"
[ "$(wc -l <"$tmp/help.opts")" -ge 20 ] && rc=0 || rc=1
ok "$rc" "--help lists the long options ($(wc -l <"$tmp/help.opts") found)"
while read -r opt; do
	grep -qxF -- "$opt" "$tmp/entry.opts" && rc=0 || rc=1
	ok "$rc" "$opt from --help has an entry in OPTIONS of the man page"
done <"$tmp/help.opts"
while read -r opt; do
	grep -qxF -- "$opt" "$tmp/help.opts" && rc=0 || rc=1
	ok "$rc" "$opt from the man page is in --help"
done <"$tmp/page.opts"

echo "1..$n"
exit "$failed"
