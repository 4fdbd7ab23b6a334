#!/bin/bash
# Trust stays exactly as strict with the hashed-directory lookup that makes the
# plugin cheap: a CA found through a directory made by `openssl rehash` passes,
# a directory that lacks it fails with a TLS error, and a server whose CA is not
# trusted fails whatever the trust option.  The default trust (no --cacert, no
# --capath) is shown to pass for a CA found only in the system store: as root,
# the plugin runs in a private mount namespace (unshare -m) where a hashed copy
# of /etc/ssl/certs plus the test CA is bind-mounted over /etc/ssl/certs (and,
# for contrast, a copy without it).  Runs the plugin against the API simulator
# on loopback; prints TAP.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
PLUGIN=${PLUGIN:-$top_builddir/plugins/check_kore_campaign}
read -r -a wrapper <<<"${PLUGIN_WRAPPER:-}"

secret=trust-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
client_id=cs-trust
work=$(mktemp -d /tmp/kore-trust.XXXXXX)
sims=()
cleanup() {
    local pid
    for pid in "${sims[@]}"; do
        # Each simulator leads its own session: end its whole group.
        kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

bash "$top_srcdir/tests/sim/make-certs.sh" "$work/pki" >&2
pki=$work/pki

start_sim() { # NAME CERT KEY -> sets port_NAME
    local name=$1 ready=$work/$1.port
    setsid /usr/bin/python3 "$top_srcdir/tests/sim/kore_sim.py" --cert "$2" --key "$3" \
        --secret "$secret" --client-id "$client_id" --port 0 --bind 127.0.0.1 \
        --ready-file "$ready" &
    sims+=($!)
    for _ in $(seq 200); do
        [ -s "$ready" ] && break
        sleep 0.05
    done
    printf -v "port_$name" '%s' "$(cat "$ready")"
}
start_sim good "$pki/server.pem" "$pki/server.key"
start_sim untrusted "$pki/untrusted.pem" "$pki/untrusted.key"

hashed_dir() { # DIR CERT... : a directory holding CERTs, hashed by openssl rehash
    local dir=$1
    shift
    mkdir -p "$dir"
    [ $# -eq 0 ] || cp -L "$@" "$dir/"
    openssl rehash "$dir" >/dev/null 2>&1
}
shopt -s nullglob
system_pems=(/etc/ssl/certs/*.pem)
hashed_dir "$work/only-test-ca" "$pki/ca.pem"
hashed_dir "$work/only-untrusted-ca" "$pki/untrusted-ca.pem"
hashed_dir "$work/system" "${system_pems[@]}"
hashed_dir "$work/system-plus-test-ca" "${system_pems[@]}" "$pki/ca.pem"
mkdir "$work/unhashed" && cp "$pki/ca.pem" "$work/unhashed/"

n=0
failed=0
prefix=() # a command the plugin runs under (the namespace cases set it)
check() { # NAME SERVER EXPECT(pass|tls) ARGS...
    local name=$1 server=$2 expect=$3 port out rc=0
    shift 3
    port=port_$server
    out=$("${prefix[@]}" env -i PATH=/usr/bin:/bin KORE_CLIENT_SECRET="$secret" "${wrapper[@]}" \
        "$PLUGIN" -H 127.0.0.1 -p "${!port}" -i st-trust -a acct-trust -C cmp-active \
        --client-id "$client_id" -t 10 "$@" 2>&1) || rc=$?
    n=$((n + 1))
    if { [ "$expect" = pass ] && [ $rc -eq 0 ] && [[ $out == "CAMPAIGN OK - "* ]]; } ||
        { [ "$expect" = tls ] && [ $rc -eq 2 ] &&
            [[ $out == "CAMPAIGN CRITICAL - cmp-active: TLS error: "* ]]; }; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        printf 'exit %d: %s\n' "$rc" "$out" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
}

check "--capath with a hashed dir holding only the test CA passes" \
    good pass --capath "$work/only-test-ca"
check "--capath with a copy of the system store plus the test CA passes" \
    good pass --capath "$work/system-plus-test-ca"
check "--capath with a copy of the system store lacking the test CA fails with a TLS error" \
    good tls --capath "$work/system"
check "--capath with a hashed dir holding only another CA fails with a TLS error" \
    good tls --capath "$work/only-untrusted-ca"
check "--capath with the CA present but no hash links fails with a TLS error" \
    good tls --capath "$work/unhashed"
check "default trust (system hashed directory) refuses the test CA" \
    good tls
check "--cacert with the right CA passes" \
    good pass --cacert "$pki/ca.pem"
check "--cacert with another CA fails with a TLS error" \
    good tls --cacert "$pki/untrusted-ca.pem"
check "a server from an untrusted CA fails with --capath (test CA only)" \
    untrusted tls --capath "$work/only-test-ca"
check "a server from an untrusted CA fails with --capath (system store plus test CA)" \
    untrusted tls --capath "$work/system-plus-test-ca"
check "a server from an untrusted CA fails with --cacert" \
    untrusted tls --cacert "$pki/ca.pem"
check "a server from an untrusted CA fails with the default trust" \
    untrusted tls

# --- the default trust with the test CA in the system store (private mount namespace)
system_store=/etc/ssl/certs
why=
if [ "$(id -u)" != 0 ]; then
    why="needs root for a private mount namespace over $system_store"
elif ! command -v unshare >/dev/null || ! unshare -m -- /bin/true 2>/dev/null; then
    why="unshare -m does not work here"
elif [ ! -d "$system_store" ]; then
    why="no $system_store"
fi
store_copy() { # DIR [CERT]: a copy of the system store, plus CERT, hashed again
    mkdir -p "$1"
    cp -a "$system_store/." "$1/"
    [ $# -lt 2 ] || cp "$2" "$1/kore-trust-test-ca.pem"
    openssl rehash "$1" >/dev/null 2>&1
}
if [ -z "$why" ]; then
    store_copy "$work/store-plus-test-ca" "$pki/ca.pem"
    store_copy "$work/store-copy"
    # The bind mount exists only inside the plugin's namespace and is gone with it.
    # shellcheck disable=SC2016 # $0 and $1 are for the inner shell
    in_store() { # DIR: run the rest with DIR mounted over the system store
        prefix=(unshare -m -- /bin/sh -c 'mount --bind "$0" "$1" && shift && exec "$@"'
            "$1" "$system_store")
    }
    in_store "$work/store-plus-test-ca"
    check "default trust passes when the system store holds the test CA (no --cacert, no --capath)" \
        good pass
    check "default trust with the test CA in the system store still refuses an untrusted CA" \
        untrusted tls
    in_store "$work/store-copy"
    check "default trust fails with a TLS error when the system store copy lacks the test CA" \
        good tls
    prefix=()
else
    for name in "default trust passes when the system store holds the test CA (no --cacert, no --capath)" \
        "default trust with the test CA in the system store still refuses an untrusted CA" \
        "default trust fails with a TLS error when the system store copy lacks the test CA"; do
        n=$((n + 1))
        echo "ok $n - $name # SKIP $why"
    done
fi

echo "1..$n"
[ $failed -eq 0 ]
