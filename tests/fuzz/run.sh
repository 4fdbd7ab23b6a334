#!/bin/bash
# Builds the libFuzzer harnesses out of tree and runs each for FUZZ_SECONDS (TAP).
#
#   FUZZ_SECONDS=20 (default)  fuzz each harness that long, one core, one after another
#   FUZZ_SECONDS=0             build, then replay each seed corpus once
#   FUZZ_HARNESSES="response range"  run only these (default: all four)
#   FUZZ_BUILDDIR=DIR          where objects, binaries, logs and findings go
#                              (default: $top_builddir/tests/fuzz/build)
#
# New corpus entries go to a temporary directory, never into the seed corpus.
# A finding is kept as DIR/findings/<harness>/crash-* (or leak-, timeout-, oom-)
# and reproduced with: DIR/fuzz_<harness> FILE
# make runs recipes with $(SHELL), which may be dash: come back under bash.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
fuzz_seconds=${FUZZ_SECONDS:-20}
build=${FUZZ_BUILDDIR:-$top_builddir/tests/fuzz/build}
read -r -a harnesses <<<"${FUZZ_HARNESSES:-response range cmdline sanitize}"

# Largest input each harness is given: beyond these sizes only the speed changes.
declare -A max_len=([response]=16384 [range]=128 [cmdline]=2048 [sanitize]=4096)

n=0
failed=0
tap() { # tap ok|not-ok DESCRIPTION
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=1
	fi
}
diag() { sed 's/^/# /' "$@"; }

case $fuzz_seconds in
'' | *[!0-9]*)
	echo "Bail out! FUZZ_SECONDS must be a whole number of seconds, got '$fuzz_seconds'"
	exit 1
	;;
esac

install_packages() {
	local sudo=()
	[ "$(id -u)" = 0 ] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y --no-install-recommends "$@" >&2 ||
		{ "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update >&2 &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
				install -y --no-install-recommends "$@" >&2; }
}

# libFuzzer ships in the compiler-rt package matching clang's major version.
libfuzzer_links() {
	local probe
	probe=$(mktemp -d)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$probe/probe.c"
	clang -fsanitize=fuzzer,address,undefined -o "$probe/probe" "$probe/probe.c" >/dev/null 2>&1
	local rc=$?
	rm -rf "$probe"
	return $rc
}

ensure_tools() {
	local need=()
	command -v clang >/dev/null || need+=(clang)
	command -v pkg-config >/dev/null || need+=(pkg-config)
	if ! pkg-config --exists libcurl json-c libjwt 2>/dev/null; then
		need+=(libcurl4-openssl-dev libjson-c-dev libjwt-dev)
	fi
	[ ${#need[@]} -eq 0 ] || install_packages "${need[@]}" || return 1
	libfuzzer_links && return 0
	install_packages "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev" || return 1
	libfuzzer_links
}

# The library sources the plugin links, as Makefile.am lists them.
library_sources() {
	awk '/^lib_libkore_a_SOURCES/ { f = 1 } f { print } f && !/\\$/ { exit }' \
		"$top_srcdir/Makefile.am" | grep -o 'lib/[A-Za-z0-9_]*\.c' || true
}

build_library() {
	local src obj sources
	sources=$(library_sources)
	[ -n "$sources" ] || sources=$(cd "$top_srcdir" && ls lib/*.c)
	rm -f "$build/libkore-fuzz.a"
	for src in $sources; do
		obj="$build/obj/$(basename "$src" .c).o"
		clang "${cflags[@]}" -fsanitize=fuzzer-no-link,address,undefined \
			-c "$top_srcdir/$src" -o "$obj" || return 1
		ar rc "$build/libkore-fuzz.a" "$obj" || return 1
	done
	ranlib "$build/libkore-fuzz.a"
}

build_harness() {
	clang "${cflags[@]}" -fsanitize=fuzzer,address,undefined \
		-o "$build/fuzz_$1" "$here/fuzz_$1.c" "$build/libkore-fuzz.a" "${libs[@]}" -lm
}

# run_harness NAME: one TAP line; the libFuzzer log stays in $build/logs.
run_harness() {
	local h=$1 seeds="$here/corpus/$1" log="$build/logs/$1.log" art="$build/findings/$1"
	local corpus mode=() dict=() rc=0 execs artifact nseeds
	corpus=$(mktemp -d "${TMPDIR:-/tmp}/kc-fuzz-$h.XXXXXX")
	tmpdirs+=("$corpus")
	mkdir -p "$art"
	nseeds=$(find "$seeds" -type f 2>/dev/null | wc -l)
	if [ "$fuzz_seconds" -eq 0 ]; then
		mode=(-runs=0)
	else
		mode=(-max_total_time="$fuzz_seconds")
	fi
	[ ! -f "$here/fuzz_$h.dict" ] || dict=(-dict="$here/fuzz_$h.dict")
	timeout -k 10 $((fuzz_seconds + 300)) "$build/fuzz_$h" "${mode[@]}" "${dict[@]}" \
		-max_len="${max_len[$h]:-4096}" -rss_limit_mb=256 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$art/" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$artifact" ] && [ -n "$execs" ]; then
		if [ "$fuzz_seconds" -eq 0 ]; then
			tap ok "fuzz_$h replays $nseeds seeds without findings ($execs executions)"
		else
			tap ok "fuzz_$h runs ${fuzz_seconds}s without findings ($execs executions)"
		fi
	else
		tap not-ok "fuzz_$h: finding ${artifact:-(no artifact, exit $rc)} after ${execs:-?} executions"
		grep -E '^(==[0-9]+==|SUMMARY|    #[0-9]+ |.*runtime error|.*invariant violated)' "$log" | head -n 40 | diag || true
		echo "# full log: $log"
	fi
}

# ASan's default 256 MiB quarantine alone would trip -rss_limit_mb=256 on long runs.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

tmpdirs=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { [ ${#tmpdirs[@]} -eq 0 ] || rm -rf "${tmpdirs[@]}"; }
trap cleanup EXIT

if ! ensure_tools; then
	tap not-ok "clang with libFuzzer and the library headers are available"
	echo "1..$n"
	exit 1
fi

package_name=$(sed -n 's/^AC_INIT(\[\([^]]*\)\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
package_version=$(sed -n 's/^AC_INIT(\[\([^]]*\)\], *\[\([^]]*\)\].*/\2/p' "$top_srcdir/configure.ac")
read -r -a pkg_cflags <<<"$(pkg-config --cflags libcurl json-c libjwt)"
read -r -a libs <<<"$(pkg-config --libs libcurl json-c libjwt)"
cflags=(-std=c11 -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined
	-Wall -Wextra -D_GNU_SOURCE
	-DPACKAGE_NAME="\"$package_name\"" -DPACKAGE_VERSION="\"$package_version\""
	-DKC_DEFAULT_CAPATH='"/etc/ssl/certs"'
	-I"$top_srcdir/lib" "${pkg_cflags[@]}")

mkdir -p "$build/obj" "$build/logs" "$build/findings"
library_built=0
build_library >"$build/logs/library-build.log" 2>&1 && library_built=1

for h in "${harnesses[@]}"; do
	if [ ! -f "$here/fuzz_$h.c" ]; then
		tap not-ok "fuzz_$h: no such harness"
		continue
	fi
	if [ "$library_built" -eq 1 ] && build_harness "$h" >"$build/logs/$h-build.log" 2>&1; then
		tap ok "fuzz_$h builds with -fsanitize=fuzzer,address,undefined"
	else
		tap not-ok "fuzz_$h builds with -fsanitize=fuzzer,address,undefined"
		diag "$build/logs/library-build.log" "$build/logs/$h-build.log" 2>/dev/null | head -n 40
		continue
	fi
	run_harness "$h"
done

echo "1..$n"
exit "$failed"
