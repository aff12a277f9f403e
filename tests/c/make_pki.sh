#!/usr/bin/env bash
# Makes the C tests' PKI with the openssl command line (never with netrt):
#   ca.pem/.key       a root CA "netrt C test CA"
#   leaf.pem/.key     CN=localhost, SAN DNS:localhost + IP:127.0.0.1, serverAuth, issued by ca
#   leaf.der          leaf in DER
#   leaf.p12          leaf + key + ca, password "secret"
#   client.pem/.key   CN=netrt C client, clientAuth, issued by ca
#   san.pem/.key      CN=san.example, every subjectAltName kind, keyUsage digitalSignature +
#                     keyAgreement, issued by ca
#   usage: make_pki.sh DIR
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
q() { "$@" >/dev/null 2>&1 || { echo "make_pki.sh: $* failed" >&2; "$@"; exit 1; }; }
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=netrt C test CA" -keyout ca.key -out ca.pem \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
leaf() { # name subject ext
  q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" \
    -keyout "$1.key" -out "$1.csr"
  printf '%s\n' "$3" >"$1.ext"
  q openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile "$1.ext" -out "$1.pem"
}
leaf leaf "/CN=localhost" "basicConstraints=critical,CA:FALSE
subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
leaf client "/CN=netrt C client" "basicConstraints=critical,CA:FALSE
extendedKeyUsage=clientAuth"
leaf san "/CN=san.example" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
subjectAltName=@names
[names]
DNS.1=a.example
IP.1=192.0.2.1
URI.1=https://a.example/path
email.1=someone@example.com
dirName.1=dir
otherName.1=1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com
[dir]
CN=Directory Name
O=Example"
q openssl x509 -in leaf.pem -outform DER -out leaf.der
q openssl pkcs12 -export -in leaf.pem -inkey leaf.key -certfile ca.pem -passout pass:secret -out leaf.p12
