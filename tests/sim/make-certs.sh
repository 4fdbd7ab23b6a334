#!/bin/bash
# make-certs.sh DIR - throwaway test PKI for the campaign-status API simulator.
#
# Writes into DIR:
#   ca.pem ca.key                 test CA (trusted by the tests via --cacert)
#   server.pem server.key         leaf for localhost, 127.0.0.1 and ::1
#   wronghost.pem wronghost.key   leaf for wrong.example only (host name mismatch)
#   expired.pem expired.key       leaf for localhost/127.0.0.1/::1, validity in 2020
#   untrusted-ca.pem untrusted-ca.key   a second, unrelated CA
#   untrusted.pem untrusted.key   leaf for localhost/127.0.0.1/::1 signed by the untrusted CA
#   capath/                       hashed directory holding ca.pem (for --capath)
#
# Keys are EC P-256, signatures ECDSA-SHA256 (accepted by OpenSSL 3 at the
# default security level).  The script is idempotent: when DIR already holds
# the complete set it does nothing.  Files are generated in a private work
# directory and moved into place with ca.pem last, so a concurrent reader never
# sees a half-written set.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1

if ! command -v openssl >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
            --no-install-recommends openssl >&2
    else
        echo "$0: openssl is required (apt-get install openssl)" >&2
        exit 1
    fi
fi

files="ca.key server.pem server.key wronghost.pem wronghost.key expired.pem expired.key
       untrusted-ca.pem untrusted-ca.key untrusted.pem untrusted.key capath ca.pem"

complete() {
    local f
    for f in $files; do
        [ -s "$dir/$f" ] || [ -d "$dir/$f" ] || return 1
    done
    return 0
}

mkdir -p "$dir"
if complete; then
    exit 0
fi

work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077

# Minimal configuration for "openssl ca": it is the only OpenSSL 3.0 command
# that accepts an explicit (past) validity period.
write_ca_conf() { # NAME
    local name=$1
    mkdir -p "$work/$name.db"
    : >"$work/$name.db/index.txt"
    cat >"$work/$name.cnf" <<EOF
[ ca ]
default_ca = test_ca

[ test_ca ]
dir              = $work/$name.db
database         = \$dir/index.txt
new_certs_dir    = \$dir
certificate      = $work/$name.pem
private_key      = $work/$name.key
rand_serial      = yes
default_md       = sha256
default_days     = 3650
policy           = policy_any
unique_subject   = no
copy_extensions  = none
email_in_dn      = no

[ policy_any ]
commonName       = supplied

[ req ]
distinguished_name = req_dn
prompt             = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ leaf_local ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1

[ leaf_wrong ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:wrong.example
EOF
}

genkey() { # FILE
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

make_ca() { # NAME CN
    local name=$1 cn=$2
    write_ca_conf "$name"
    genkey "$work/$name.key"
    openssl req -new -x509 -config "$work/$name.cnf" -extensions v3_ca \
        -key "$work/$name.key" -subj "/CN=$cn" -days 3650 -sha256 \
        -out "$work/$name.pem" 2>/dev/null
}

make_leaf() { # CA OUTNAME CN EXTENSION [openssl-ca validity options...]
    local ca=$1 out=$2 cn=$3 ext=$4
    shift 4
    genkey "$work/$out.key"
    openssl req -new -config "$work/$ca.cnf" -key "$work/$out.key" -subj "/CN=$cn" \
        -out "$work/$out.csr" 2>/dev/null
    openssl ca -batch -notext -config "$work/$ca.cnf" -extensions "$ext" \
        -in "$work/$out.csr" -out "$work/$out.pem" "$@" 2>/dev/null
    rm -f "$work/$out.csr"
}

make_ca ca "Campaign Test CA"
make_ca untrusted-ca "Untrusted Test CA"
make_leaf ca server localhost leaf_local -days 3650
make_leaf ca wronghost wrong.example leaf_wrong -days 3650
make_leaf ca expired localhost leaf_local -startdate 20200101000000Z -enddate 20200201000000Z
make_leaf untrusted-ca untrusted localhost leaf_local -days 3650

# Sanity: the set verifies the way the tests rely on.
openssl verify -CAfile "$work/ca.pem" "$work/server.pem" >/dev/null
openssl verify -CAfile "$work/ca.pem" "$work/wronghost.pem" >/dev/null
if openssl verify -CAfile "$work/ca.pem" "$work/expired.pem" >/dev/null 2>&1; then
    echo "$0: expired.pem unexpectedly verifies" >&2
    exit 1
fi
if openssl verify -CAfile "$work/ca.pem" "$work/untrusted.pem" >/dev/null 2>&1; then
    echo "$0: untrusted.pem unexpectedly verifies against ca.pem" >&2
    exit 1
fi

mkdir -p "$work/capath"
cp "$work/ca.pem" "$work/capath/ca.pem"
openssl rehash "$work/capath" >/dev/null 2>&1 || {
    h=$(openssl x509 -hash -noout -in "$work/capath/ca.pem")
    ln -s ca.pem "$work/capath/$h.0"
}

# Certificates and the CA are public; keys stay private to the owner.
chmod 644 "$work"/*.pem
chmod 755 "$work/capath"
chmod 644 "$work/capath/ca.pem"

for f in $files; do
    [ "$f" = ca.pem ] && continue
    rm -rf "${dir:?}/$f"
    mv "$work/$f" "$dir/$f"
done
mv "$work/ca.pem" "$dir/ca.pem"
