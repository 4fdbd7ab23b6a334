#!/bin/bash
# Benchmark: check_kore_campaign side by side with the curl CLI, check_curl, a
# Python standard-library script and a minimal libcurl program, each in two
# trust set-ups, against nginx on loopback.  Prints the tables and writes
# bench/RESULTS.md.
#
#   PLUGIN=/abs/path/check_kore_campaign   plugin to measure; when unset it is
#                                          built out of tree; "none" skips it
#   PLUGIN_RUNS=20                         timed runs per contender (>= 20)
#   BENCH_RESULTS=FILE                     where to write the report
#                                          (default bench/RESULTS.md)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
runs=${PLUGIN_RUNS:-20}
results=${BENCH_RESULTS:-$here/RESULTS.md}
plugin=${PLUGIN:-}

say() { printf '== %s\n' "$*"; }

install_missing() { # PKG...
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bench: missing packages, install them as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    say "installing ${missing[*]}"
    local apt=(apt-get -o DPkg::Lock::Timeout=600)
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}" ||
        { "${apt[@]}" update &&
            DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends \
                "${missing[@]}"; }
}

install_missing nginx-light valgrind monitoring-plugins-standard liburiparser1 openssl curl \
    ca-certificates time python3 gcc libc6-dev pkg-config libcurl4-openssl-dev

if [ -z "$plugin" ]; then
    install_missing autoconf automake make libjson-c-dev libjwt-dev libinih-dev
    # A tree configured in place cannot also be built out of tree.
    if [ -f "$top/config.status" ]; then
        build=$top
    else
        build=${BENCH_BUILDDIR:-/tmp/kore-bench-build}
        [ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
        mkdir -p "$build"
        [ -f "$build/Makefile" ] || (cd "$build" && "$top/configure" >/dev/null)
    fi
    say "building the plugin in $build"
    make -C "$build" -j2 plugins/check_kore_campaign >/dev/null
    plugin=$build/plugins/check_kore_campaign
elif [ "$plugin" = none ]; then
    plugin=
fi
if [ -n "$plugin" ] && [ ! -x "$plugin" ]; then
    echo "bench: PLUGIN $plugin is not executable" >&2
    exit 1
fi

work=$(mktemp -d /tmp/kore-bench.XXXXXX)
nginx_pid=
cleanup() {
    if [ -n "$nginx_pid" ]; then
        kill "$nginx_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$nginx_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$work"
}
trap cleanup EXIT

say "test PKI, system store copy with the test CA (hashed directory and bundle)"
bash "$top/tests/sim/make-certs.sh" "$work/pki"
mkdir "$work/store"
cp -L /etc/ssl/certs/*.pem "$work/store/"
cp "$work/pki/ca.pem" "$work/store/kore-bench-test-ca.pem"
openssl rehash "$work/store" 2>/dev/null
cat /etc/ssl/certs/ca-certificates.crt "$work/pki/ca.pem" >"$work/bundle.pem"
printf '   %s certificates in the store, %s in the bundle\n' \
    "$(find "$work/store" -name "*.pem" | wc -l)" \
    "$(grep -c 'BEGIN CERTIFICATE' "$work/bundle.pem")"

say "building the libcurl floor"
# shellcheck disable=SC2046 # pkg-config prints separate words
gcc -O2 -o "$work/floor" "$here/floor.c" $(pkg-config --cflags --libs libcurl)
# shellcheck disable=SC2046
gcc -O2 -DFLOOR_CALL_VERSION -o "$work/floor-version" "$here/floor.c" \
    $(pkg-config --cflags --libs libcurl)

say "starting nginx on loopback"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
mkdir -p "$work/nginx/tmp" "$work/nginx/www/bodies"
/usr/bin/python3 - "$here/nginx.conf.in" "$work/nginx" "$work/pki" "$port" <<'EOF'
import json, sys
template, work, pki, port = sys.argv[1:5]

def body(campaign, name):
    return json.dumps({"status": "success", "data": {
        "id": campaign, "name": name, "status": "Active", "campaignType": "outbound",
        "createdOn": "2026-01-05T09:30:00.000Z", "modifiedOn": "2026-02-11T14:02:17.000Z"}},
        separators=(",", ":"))

for size in (200, 10240, 102400, 524288, 1048576, 1048577, 4194304):
    campaign = "size-%d" % size
    pad = size - len(body(campaign, ""))
    text = body(campaign, "Outbound Renewals " + "x" * (pad - 18))
    assert len(text) == size
    with open("%s/www/bodies/%s.json" % (work, campaign), "w") as fh:
        fh.write(text)
conf = open(template).read()
for key, value in (("@WORK@", work), ("@PKI@", pki), ("@PORT@", port),
                   ("@BODY@", body("cmp-active", "Outbound Renewals"))):
    conf = conf.replace(key, value)
open(work + "/nginx.conf", "w").write(conf)
EOF
# As root the worker runs as nobody and must be able to read the bodies.
chmod 755 "$work" "$work/nginx" "$work/nginx/www" "$work/nginx/www/bodies"
chmod 644 "$work/nginx/www/bodies"/*.json
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log"
for _ in $(seq 100); do [ -s "$work/nginx/nginx.pid" ] && break; sleep 0.05; done
nginx_pid=$(cat "$work/nginx/nginx.pid")
for _ in $(seq 100); do
    curl -q -sk -o /dev/null -X POST \
        "https://127.0.0.1:$port/agentassist/api/v1/public/x/campaign/cmp-active/status" && break
    sleep 0.05
done

say "measuring (PLUGIN_RUNS=$runs)"
/usr/bin/python3 "$here/measure.py" --work "$work" --port "$port" --plugin "$plugin" \
    --floor "$work/floor" --ca "$work/pki/ca.pem" --store "$work/store" \
    --bundle "$work/bundle.pem" --srcdir "$top" --runs "$runs" --results "$results"
