#!/bin/sh
# Makes a throw-away CA and a server certificate for localhost/127.0.0.1 in DIR:
#   ca.pem (trust this: [source] ca_file), server.pem + server.key (for the fake servers).
# Usage: make-test-ca.sh DIR     (idempotent: does nothing when DIR/server.pem exists)
set -eu
dir=$1
[ -f "$dir/server.pem" ] && exit 0
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=roomsign test CA" \
	-keyout ca.key -out ca.pem -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-extfile ext.cnf -out server.pem 2>/dev/null
# A second, untrusted CA's certificate, for "TLS error" tests.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout untrusted.key -out untrusted.pem 2>/dev/null
