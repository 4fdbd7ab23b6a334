#!/bin/bash
# Quick start for check_kore_campaign on Debian 12.
#   ./quickstart.sh demo    build, then run the plugin against the bundled API simulator
#   ./quickstart.sh test    build and run every test suite; ends with "N passed, M failed"
#   ./quickstart.sh bench   side-by-side benchmark (writes bench/RESULTS.md)
# Missing Debian packages are installed with apt-get when run as root; otherwise
# the script prints the apt-get command to run.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
build="$top/build"
asan_build="$top/build-asan"
export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS="gcc make autoconf automake pkg-config libc6-dev libcurl4-openssl-dev libjson-c-dev
 libjwt-dev libinih-dev ca-certificates"
RUN_PKGS="python3 openssl"
TEST_PKGS="valgrind clang libclang-rt-14-dev procps curl mandoc groff-base man-db
 icinga2-bin icinga2-common nagios4-core debhelper dpkg-dev fakeroot lintian file git"

say() { printf '==> %s\n' "$*"; }

missing_packages() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s\n' "$p"
	done
}

# Installs what is missing, or says what to install when not root.
need() {
	local missing
	missing=$(missing_packages "$@" | tr '\n' ' ')
	[ -z "${missing// /}" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing Debian packages; run as root:" >&2
		echo "  apt-get install --no-install-recommends $missing" >&2
		exit 1
	fi
	say "installing $missing"
	if [ -z "${APT_UPDATED:-}" ]; then
		apt-get -o DPkg::Lock::Timeout=600 update -qq
		APT_UPDATED=1
	fi
	# shellcheck disable=SC2086
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
}

# configure_in DIR [configure options...]: out-of-tree build directory.
configure_in() {
	local dir=$1
	shift
	if [ -f "$top/config.status" ]; then
		# an in-tree ./configure blocks the out-of-tree builds used here
		say "make distclean (the source tree was configured in place)"
		make -C "$top" -s distclean >/dev/null 2>&1 || rm -f "$top/config.status"
	fi
	if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] ||
		[ "$top/Makefile.am" -nt "$top/Makefile.in" ]; then
		say "autoreconf"
		mkdir -p "$build"
		if ! (cd "$top" && autoreconf -fi) >"$build/autoreconf.log" 2>&1; then
			tail -n 20 "$build/autoreconf.log" >&2
			exit 1
		fi
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ "$top/configure" -nt "$dir/Makefile" ] ||
		[ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$*" ]; then
		say "configure $* (in ${dir#"$top"/})"
		(cd "$dir" && "$top/configure" -q "$@")
		printf '%s' "$*" >"$dir/.configure-args"
	fi
	say "make (in ${dir#"$top"/})"
	make -C "$dir" -s -j"$(nproc)" >/dev/null
}

# demo and test share one build directory, configured the same way
build_plugin() {
	need $BUILD_PKGS $RUN_PKGS
	configure_in "$build" --enable-werror
}

# ---- demo -------------------------------------------------------------------
demo() {
	local port secret plugin="$build/plugins/check_kore_campaign" rc c
	build_plugin
	tmp=$(mktemp -d)
	secret="demo-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	bash "$top/tests/sim/make-certs.sh" "$tmp/certs" >/dev/null
	/usr/bin/python3 "$top/tests/sim/kore_sim.py" --cert "$tmp/certs/server.pem" \
		--key "$tmp/certs/server.key" --secret "$secret" --client-id cs-demo \
		--port 0 --ready-file "$tmp/port" &
	sim_pid=$!
	# global, not local: the EXIT trap runs after this function has returned
	trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	port=$(cat "$tmp/port")
	say "API simulator listening on https://localhost:$port (throwaway CA in $tmp/certs)"
	for c in cmp-active cmp-stopped err-401; do
		echo
		echo "\$ KORE_CLIENT_SECRET=... check_kore_campaign -H localhost -p $port" \
			"--cacert ca.pem -i i-demo -a acct-demo -C $c --client-id cs-demo -w 0.5 -c 1"
		rc=0
		env -i PATH=/usr/bin:/bin KORE_CLIENT_SECRET="$secret" "$plugin" -H localhost \
			-p "$port" --cacert "$tmp/certs/ca.pem" -i i-demo -a acct-demo -C "$c" \
			--client-id cs-demo -w 0.5 -c 1 || rc=$?
		echo "(exit code $rc)"
	done
}

# ---- test -------------------------------------------------------------------
passed=0
failed=0
skipped=0
logdir="$build/logs"

# count KIND LOG STATUS: adds a suite's results to the totals.
count() {
	local kind=$1 log=$2 status=$3 p f s
	if [ "$kind" = automake ]; then
		p=$(grep -cE '^(PASS|XFAIL): ' "$log" || true)
		f=$(grep -cE '^(FAIL|ERROR|XPASS): ' "$log" || true)
		s=$(grep -cE '^SKIP: ' "$log" || true)
	elif [ "$kind" = tap ]; then
		s=$(grep -cE '^ok .*# *SKIP' "$log" || true)
		p=$(($(grep -cE '^ok ' "$log" || true) - s))
		f=$(grep -cE '^not ok ' "$log" || true)
	else
		p=$((status == 0)) f=0 s=0
	fi
	# a suite that failed without naming a failing check still counts as one failure
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	printf '    %s passed, %s failed, %s skipped\n' "$p" "$f" "$s"
	if [ "$f" != 0 ]; then
		grep -E '^(FAIL|ERROR|XPASS): |^not ok ' "$log" | head -20 | sed 's/^/    /' || true
		echo "    (full log: $log)"
	fi
}

# suite NAME KIND COMMAND...: runs one suite, keeping its output in a log.
suite() {
	local name=$1 kind=$2 status=0
	shift 2
	say "$name"
	mkdir -p "$logdir"
	"$@" >"$logdir/$name.log" 2>&1 || status=$?
	count "$kind" "$logdir/$name.log" "$status"
}

# 42, not 1: a valgrind finding must not look like a WARNING result
valgrind_wrapper="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=42 -q"

# The demo as a suite: three real runs, each with its line and exit code.
# A subshell, so the TAP counters of tests/tap.sh stay out of the totals.
demo_suite() (
	. "$top/tests/tap.sh"
	out=$("$top/quickstart.sh" demo 2>&1) && st=0 || st=1
	ok "$st" "./quickstart.sh demo exits 0"
	grep -q "^CAMPAIGN OK - 'Outbound Renewals' (cmp-active) is Active | time=" <<<"$out" &&
		grep -q '^(exit code 0)$' <<<"$out" && st=0 || st=1
	ok "$st" "demo: an Active campaign is OK, exit code 0"
	grep -q "^CAMPAIGN WARNING - .* is Stopped, expected Active | time=" <<<"$out" &&
		grep -q '^(exit code 1)$' <<<"$out" && st=0 || st=1
	ok "$st" "demo: a Stopped campaign is WARNING, exit code 1"
	grep -q '^CAMPAIGN CRITICAL - err-401: HTTP 401 Unauthorized' <<<"$out" &&
		grep -q '^(exit code 2)$' <<<"$out" && st=0 || st=1
	ok "$st" "demo: a failing call is CRITICAL, exit code 2"
	pgrep -f "kore_sim.py.*cs-demo" >/dev/null && st=1 || st=0
	ok "$st" "demo: the simulator is stopped afterwards"
	[ "$failed" -eq 0 ] || sed 's/^/# /' <<<"$out"
	echo "1..$n"
	exit "$failed"
)

run_tests() {
	need $BUILD_PKGS $RUN_PKGS $TEST_PKGS
	build_plugin
	configure_in "$asan_build" --enable-sanitizers --enable-werror
	suite "demo" tap demo_suite
	suite "unit-and-integration" automake make -C "$build" check
	suite "sanitizers" automake make -C "$asan_build" check
	suite "valgrind" automake env PLUGIN_WRAPPER="$valgrind_wrapper" \
		make -C "$build" check TESTS="tests/integration/run.py"
	suite "fuzz" tap env FUZZ_SECONDS="${FUZZ_SECONDS:-20}" top_builddir="$build" \
		bash "$top/tests/fuzz/run.sh"
	suite "engines" tap env PLUGIN="$build/plugins/check_kore_campaign" \
		top_srcdir="$top" top_builddir="$build" /usr/bin/python3 "$top/tests/engines/run.py"
	suite "distcheck" step make -C "$build" distcheck
	suite "debian-package" tap env top_srcdir="$top" bash "$top/tests/deb/run.sh"
	echo
	if [ "$skipped" != 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" = 0 ]
}

case "${1:-}" in
demo) demo ;;
test) run_tests ;;
bench)
	build_plugin
	make -C "$build" bench
	;;
*)
	echo "usage: $0 demo|test|bench" >&2
	exit 2
	;;
esac
