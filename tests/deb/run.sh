#!/bin/bash
# The Debian package: builds from a copy of the tree with dpkg-buildpackage, passes lintian
# without errors, installs with apt-get, checks a campaign through the API simulator with the
# installed plugin, and is purged again - unless the package was installed before the test
# started: then it stays installed (at the version just built). Needs root (apt-get). Prints TAP.
# "A && rc=0 || rc=1" cannot take the wrong branch: rc=0 always succeeds.
# shellcheck disable=SC2015
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
pkg=monitoring-plugin-kore-campaign
plugin_path=/usr/lib/nagios/plugins/check_kore_campaign

# shellcheck source=tests/tap.sh
. "$top_srcdir/tests/tap.sh"
bail() {
	echo "Bail out! $*"
	exit 1
}
apt() { DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -o DPkg::Lock::Timeout=600 "$@"; }

[ "$(id -u)" = 0 ] || bail "needs root to install and remove the package"
is_installed() { dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; }
# A package someone installed before the test is theirs: the test never purges it.
preinstalled=
if is_installed; then
	preinstalled=1
	echo "# $pkg was installed before the test: it is not purged at the end"
fi
tmp=$(mktemp -d)
sim_pid=
installed=
# shellcheck disable=SC2317 # called by the trap
stop_sim() {
	if [ -n "$sim_pid" ]; then
		# The simulator leads its own session: end its whole group.
		kill -- "-$sim_pid" 2>/dev/null || kill "$sim_pid" 2>/dev/null || true
		wait "$sim_pid" 2>/dev/null || true
		sim_pid=
	fi
}
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	stop_sim
	if [ -n "$installed" ] && [ -z "$preinstalled" ]; then # a run that stopped early leaves nothing installed
		apt purge -y "$pkg" >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- tools and the copy to build from ---------------------------------------------------------
tools=()
for p in dpkg-dev debhelper lintian git python3 openssl; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		tools+=("$p")
done
if [ ${#tools[@]} -gt 0 ]; then
	apt install -y --no-install-recommends "${tools[@]}" >"$tmp/apt-tools.log" 2>&1 ||
		{ diag "$tmp/apt-tools.log"; bail "cannot install ${tools[*]}"; }
fi

# Tracked and new files only: build products of the working tree stay behind.
src="$tmp/check-kore-campaign-1.0.0"
mkdir -p "$src"
if git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top_srcdir" ls-files -z -c -o --exclude-standard |
		while IFS= read -r -d '' f; do
			if [ -e "$top_srcdir/$f" ]; then printf '%s\0' "$f"; fi
		done | tar -C "$top_srcdir" --null -T - -cf - | tar -xf - -C "$src"
else
	(cd "$top_srcdir" && tar --exclude=./build --exclude=./build-asan --exclude=./autom4te.cache \
		-cf - .) | tar -xf - -C "$src"
fi
[ -f "$src/debian/control" ] && [ -f "$src/configure.ac" ] && rc=0 || rc=1
ok "$rc" "the source tree is copied to a scratch directory"

if ! (cd "$src" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
	apt build-dep -y --no-install-recommends "$src" >"$tmp/apt-builddep.log" 2>&1 ||
		{ diag "$tmp/apt-builddep.log"; bail "cannot install the build dependencies"; }
fi
(cd "$src" && dpkg-checkbuilddeps) >"$tmp/builddeps.log" 2>&1 && rc=0 || { rc=1; diag "$tmp/builddeps.log"; }
ok "$rc" "the build dependencies are installed"

# --- build --------------------------------------------------------------------------------------
arch=$(dpkg --print-architecture)
version=$(cd "$src" && dpkg-parsechangelog -S Version)
deb="$tmp/${pkg}_${version}_${arch}.deb"
changes="$tmp/check-kore-campaign_${version}_${arch}.changes"
(cd "$src" && timeout 600 dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1 && rc=0 ||
	{ rc=1; diag "$tmp/build.log"; }
ok "$rc" "dpkg-buildpackage -us -uc -b succeeds"
[ -f "$deb" ] && rc=0 || rc=1
ok "$rc" "it builds ${deb##*/}"
[ -f "$deb" ] || { echo "1..$n"; exit 1; }

dpkg-deb -c "$deb" | awk '{ print $1, $NF }' >"$tmp/contents"
check_file() { # check_file PATH MODE-PATTERN NAME
	grep -qE "^$2 \\.$1\$" "$tmp/contents" && rc=0 || rc=1
	ok "$rc" "$3"
}
check_file "$plugin_path" '-rwxr-xr-x' "the plugin is in /usr/lib/nagios/plugins, executable"
check_file /usr/share/icinga2/include/plugins-contrib.d/kore-campaign.conf '-rw-r--r--' \
	"the Icinga 2 CheckCommand is in plugins-contrib.d"
check_file /usr/share/man/man1/check_kore_campaign.1.gz '-rw-r--r--' "the man page is installed"
check_file "/usr/share/doc/$pkg/nagios/kore_campaign.cfg" '-rw-r--r--' \
	"the Nagios example is under /usr/share/doc"
check_file "/usr/share/doc/$pkg/icinga2/kore-campaign-example.conf" '-rw-r--r--' \
	"the Icinga 2 service example is under /usr/share/doc"
check_file "/usr/share/doc/$pkg/copyright" '-rw-r--r--' "the copyright file is installed"

depends=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $depends"
printf '%s\n' "$depends" | tr ',|' '\n' | sed 's/^ *//; s/[ (:].*//' >"$tmp/depends"
for lib in libc6 libcurl4 libjson-c5 libjwt0 libinih1; do
	grep -qx "$lib" "$tmp/depends" && rc=0 || rc=1
	ok "$rc" "Depends names $lib (from shlibs)"
done

# --- lintian ------------------------------------------------------------------------------------
timeout 300 lintian --fail-on error --tag-display-limit 0 "$changes" >"$tmp/lintian.log" 2>&1 &&
	rc=0 || rc=$?
diag "$tmp/lintian.log"
[ "$rc" -eq 0 ] && ! grep -q '^E:' "$tmp/lintian.log" && rc=0 || rc=1
ok "$rc" "lintian reports no errors"

# --- install, run, purge ----------------------------------------------------------------------
installed=1
apt install -y --no-install-recommends "$deb" >"$tmp/install.log" 2>&1 && rc=0 ||
	{ rc=1; diag "$tmp/install.log"; }
ok "$rc" "apt-get install ./${deb##*/} succeeds"
[ -x "$plugin_path" ] && rc=0 || rc=1
ok "$rc" "the installed plugin is executable"

man -w check_kore_campaign >/dev/null 2>&1 && rc=0 || rc=1
ok "$rc" "man finds check_kore_campaign"

run() { # run ARGS...: the installed plugin, clean environment, no stderr allowed
	# shellcheck disable=SC2086 # PLUGIN_WRAPPER is a command line of its own
	env -i PATH=/usr/bin:/bin ${secret_env:-} ${PLUGIN_WRAPPER:-} "$plugin_path" "$@" \
		>"$tmp/out" 2>"$tmp/err" && status=0 || status=$?
	out=$(head -n 1 "$tmp/out")
}

secret_env=
run --version
[ "$status" -eq 3 ] && [[ "$out" == "check_kore_campaign v${version%-*}"* ]] &&
	rc=0 || { rc=1; echo "# got $status: $out"; }
ok "$rc" "--version names the upstream version and exits 3"

bash "$top_srcdir/tests/sim/make-certs.sh" "$tmp/certs" >"$tmp/certs.log" 2>&1 ||
	{ diag "$tmp/certs.log"; bail "cannot make test certificates"; }
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
setsid /usr/bin/python3 "$top_srcdir/tests/sim/kore_sim.py" --cert "$tmp/certs/server.pem" \
	--key "$tmp/certs/server.key" --secret "$secret" --client-id cs-deb-test --port 0 \
	--bind 127.0.0.1 --ready-file "$tmp/port" >"$tmp/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/port" ] && break
	sleep 0.1
done
[ -s "$tmp/port" ] || { diag "$tmp/sim.log"; bail "the simulator did not start"; }
port=$(cat "$tmp/port")

common=(-H 127.0.0.1 -p "$port" --cacert "$tmp/certs/ca.pem" -i st-deb -a acc-deb
	--client-id cs-deb-test -t 20)
secret_env="KORE_CLIENT_SECRET=$secret"
run "${common[@]}" -C cmp-active
[ "$status" -eq 0 ] && [[ "$out" == "CAMPAIGN OK - 'Outbound Renewals' (cmp-active) is Active | time="* ]] &&
	[ ! -s "$tmp/err" ] && rc=0 || { rc=1; echo "# got $status: $out"; diag "$tmp/err"; }
ok "$rc" "the installed plugin reports an active campaign as OK"

run "${common[@]}" -C cmp-stopped
[ "$status" -eq 1 ] && [[ "$out" == "CAMPAIGN WARNING - 'Outbound Renewals' (cmp-stopped) is Stopped, expected Active |"* ]] &&
	rc=0 || { rc=1; echo "# got $status: $out"; }
ok "$rc" "the installed plugin reports a stopped campaign as WARNING"

# Every credential in an ini file: nothing secret on the command line.
umask 077
printf '[check_kore_campaign]\nhost = 127.0.0.1\nport = %s\ncacert = %s\niid = st-deb\n' \
	"$port" "$tmp/certs/ca.pem" >"$tmp/plugins.ini"
printf 'account-id = acc-deb\nclient-id = cs-deb-test\nclient-secret = %s\n' "$secret" \
	>>"$tmp/plugins.ini"
secret_env="MP_CONFIG_FILE=$tmp/plugins.ini"
run --extra-opts -C cmp-active
[ "$status" -eq 0 ] && [[ "$out" == "CAMPAIGN OK - 'Outbound Renewals' (cmp-active) is Active |"* ]] &&
	rc=0 || { rc=1; echo "# got $status: $out"; }
ok "$rc" "the installed plugin takes every credential from an --extra-opts file"

chmod 0644 "$tmp/plugins.ini"
run --extra-opts -C cmp-active
[ "$status" -eq 3 ] && [[ "$out" == "CAMPAIGN UNKNOWN - "*"others can read"* ]] &&
	rc=0 || { rc=1; echo "# got $status: $out"; }
ok "$rc" "the installed plugin refuses a secret from a file others can read"

stop_sim

if [ -n "$preinstalled" ]; then
	for name in "apt-get purge succeeds" "the package is gone after purge"; do
		n=$((n + 1))
		echo "ok $n - $name # SKIP $pkg was installed before the test; it stays installed"
	done
	installed=
else
	apt purge -y "$pkg" >"$tmp/purge.log" 2>&1 && rc=0 || { rc=1; diag "$tmp/purge.log"; }
	installed=
	ok "$rc" "apt-get purge succeeds"
	! is_installed && [ ! -e "$plugin_path" ] && [ ! -e "/usr/share/doc/$pkg" ] && rc=0 || rc=1
	ok "$rc" "the package is gone after purge"
fi

echo "1..$n"
exit "$failed"
