"""The test PKI, made by the `openssl` command line (never by netrt) for every suite.

`make(DIR)` writes, by name (certificates `<name>.pem` and `<name>.der`, keys `<name>.key`,
PKCS#8; all EC P-256 unless said otherwise):
  ca             root "netrt Test CA"; other_ca: an unrelated root "Other CA"
  leaf           CN=localhost, SAN DNS:localhost + IP:127.0.0.1, serverAuth, issued by ca
  client         CN=netrt test client, clientAuth only, no SAN, issued by ca
  clientonly     CN=client one, clientAuth only, SAN localhost + 127.0.0.1, issued by ca
  expired        leaf dates 2020-2021; future: 2099; wronghost: SAN wrong.example only
  multi          Ed25519, SAN localhost, alt.example, 127.0.0.1, ::1; serverAuth + clientAuth
  revoked        a leaf revoked by crl.pem / crl.der
  critical_ext   a leaf with an unknown critical extension
  leaf_by_leaf   "issued" by leaf (a CA:FALSE issuer)
  inter          intermediate CA (pathlen 0) under ca; leaf_inter: a leaf issued by it
  inter_old      intermediate expired in 2021; leaf_old_inter: its leaf, valid until 2030
  rsa            RSA 2048 leaf, serial 0x8F00112233 (rsa.pkcs1.key: the key as PKCS#1)
  rsa_self       the RSA key self-signed with SHA-384 (CN=rsa-self)
  selfsigned     self-signed CA:FALSE leaf; selfsigned_ca: the same with CA:TRUE
  san_all        CN=san.example issued by inter: every subjectAltName kind (DNS a.example and
                 b.example, IP 192.0.2.1 and 2001:db8::1, URI, email, dirName, UPN otherName);
                 keyUsage digitalSignature, nonRepudiation, keyAgreement, encipherOnly
Also: leaf.sec1.key (SEC1 form), leaf_badsig.der / selfsigned_badsig.der (last signature byte
flipped), leaf.p12 (password "secret", AES/PBKDF2, with ca), leaf_nopass.p12 (empty password),
leaf_legacy.p12 (3DES/RC2, only when this OpenSSL can still write it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CONFIG = """
[ ca ]
default_ca = testca
[ testca ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
crlnumber = ./crlnumber
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
crl_extensions = crl_ext
[ policy_any ]
commonName = supplied
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_multi ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:localhost,DNS:alt.example,IP:127.0.0.1,IP:::1
[ wronghost ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
[ client ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
[ clientonly ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[ critical_ext ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
1.2.3.4 = critical,ASN1:UTF8String:nobody understands this
[ selfsigned ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[ selfsigned_ca ]
basicConstraints = critical,CA:TRUE
subjectAltName = DNS:localhost,IP:127.0.0.1
[ san_all ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation,keyAgreement,encipherOnly
extendedKeyUsage = serverAuth
subjectAltName = @san_all_names
[ san_all_names ]
DNS.1 = a.example
DNS.2 = b.example
IP.1 = 192.0.2.1
IP.2 = 2001:db8::1
URI.1 = https://a.example/path
email.1 = someone@example.com
dirName.1 = san_dir
otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:user@example.com
[ san_dir ]
CN = Directory Name
O = Example
"""

EC = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
OLD = ("20200101000000Z", "20210101000000Z")


class OpensslFailed(Exception):
    pass


def openssl(d: Path, cmd: str, *extra: str, check: bool = True) -> bool:
    """Runs openssl with the words of `cmd`, then `extra` (arguments with spaces, e.g. subjects)."""
    args = ["openssl", *cmd.split(), *extra]
    proc = subprocess.run(args, cwd=d, capture_output=True, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise OpensslFailed(f"{' '.join(args)} failed:\n{proc.stderr}")
    return proc.returncode == 0


def issue(d: Path, name: str, subject: str, ext: str, keyopts: str = EC, issuer: str | None = None,
          dates: tuple[str, str] | None = None) -> None:
    """Key + CSR for `name`, signed by `openssl ca` (by ca, or by `issuer`) with extension section `ext`."""
    openssl(d, f"req -new -config openssl.cnf {keyopts} -keyout {name}.key -out {name}.csr -subj", subject)
    cmd = f"ca -config openssl.cnf -batch -notext -preserveDN -extensions {ext}"
    if issuer:
        cmd += f" -cert {issuer}.pem -keyfile {issuer}.key"
    if dates:
        cmd += f" -startdate {dates[0]} -enddate {dates[1]}"
    openssl(d, f"{cmd} -in {name}.csr -out {name}.pem")


def make(d: Path) -> None:
    shutil.rmtree(d, ignore_errors=True)
    (d / "newcerts").mkdir(parents=True)
    for file, text in [("openssl.cnf", CONFIG), ("index.txt", ""), ("serial", "1000\n"), ("crlnumber", "1000\n")]:
        (d / file).write_text(text)

    for name, subject in [("ca", "/CN=netrt Test CA/O=netrt tests"), ("other_ca", "/CN=Other CA")]:
        cmd = f"req -x509 -new -config openssl.cnf -extensions v3_ca {EC} -days 3650"
        openssl(d, f"{cmd} -keyout {name}.key -out {name}.pem -subj", subject)

    issue(d, "leaf", "/CN=localhost/O=netrt tests", "leaf")
    issue(d, "client", "/CN=netrt test client", "client")
    issue(d, "expired", "/CN=localhost", "leaf", dates=OLD)
    issue(d, "future", "/CN=localhost", "leaf", dates=("20990101000000Z", "20991231000000Z"))
    issue(d, "wronghost", "/CN=wrong.example", "wronghost")
    issue(d, "clientonly", "/CN=client one/O=netrt tests", "clientonly")
    issue(d, "multi", "/CN=localhost", "leaf_multi", keyopts="-newkey ed25519 -nodes")
    issue(d, "revoked", "/CN=localhost", "leaf")
    issue(d, "critical_ext", "/CN=localhost", "critical_ext")
    # A leaf "issued" by another leaf (CA:FALSE): a basic-constraints violation.
    openssl(d, f"req -new -config openssl.cnf {EC} -keyout leaf_by_leaf.key -out leaf_by_leaf.csr -subj /CN=localhost")
    sign = "x509 -req -in leaf_by_leaf.csr -CA leaf.pem -CAkey leaf.key -set_serial 9 -days 30"
    openssl(d, f"{sign} -extfile openssl.cnf -extensions leaf -out leaf_by_leaf.pem")
    openssl(d, "ca -config openssl.cnf -revoke revoked.pem")
    openssl(d, "ca -config openssl.cnf -gencrl -out crl.pem")
    openssl(d, "crl -in crl.pem -outform DER -out crl.der")

    # Intermediates: a valid one, and one that expired in 2021 with a leaf valid until 2030.
    issue(d, "inter", "/CN=netrt Test Intermediate", "v3_inter")
    issue(d, "leaf_inter", "/CN=localhost", "leaf", issuer="inter")
    issue(d, "inter_old", "/CN=netrt Old Intermediate", "v3_inter", dates=OLD)
    issue(d, "leaf_old_inter", "/CN=localhost", "leaf", issuer="inter_old",
          dates=("20200601000000Z", "20300101000000Z"))

    # RSA leaf with a serial whose top bit is set (DER keeps a leading 0x00), key as PKCS#1.
    openssl(d, "genrsa -traditional -out rsa.pkcs1.key 2048")
    openssl(d, "pkcs8 -topk8 -nocrypt -in rsa.pkcs1.key -out rsa.key")
    openssl(d, "req -new -config openssl.cnf -key rsa.key -out rsa.csr -subj", "/CN=rsa.example/OU=Unit/O=Org, Inc./C=US")
    sign = "x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -set_serial 0x8F00112233 -days 30"
    openssl(d, f"{sign} -extfile openssl.cnf -extensions leaf -out rsa.pem")
    openssl(d, "pkey -in leaf.key -traditional -out leaf.sec1.key")
    # The RSA key self-signed with SHA-384 (an RSA signature: sha384RSA).
    openssl(d, "req -x509 -new -config openssl.cnf -key rsa.key -sha384 -days 30 -out rsa_self.pem -subj /CN=rsa-self")

    for name in ["selfsigned", "selfsigned_ca"]:
        cmd = f"req -x509 -new -config openssl.cnf -extensions {name} {EC} -days 30"
        openssl(d, f"{cmd} -keyout {name}.key -out {name}.pem -subj /CN=localhost")

    issue(d, "san_all", "/CN=san.example", "san_all", issuer="inter")

    # DER copies, and corrupted signatures: the last byte of a certificate is the signature's.
    for pem in sorted(d.glob("*.pem")):
        if pem.stem != "crl":
            openssl(d, f"x509 -in {pem.name} -outform DER -out {pem.stem}.der")
    for name in ["leaf", "selfsigned"]:
        der = bytearray((d / f"{name}.der").read_bytes())
        der[-1] ^= 0x01
        (d / f"{name}_badsig.der").write_bytes(bytes(der))

    # PKCS#12: modern default (AES-256-CBC, PBKDF2, HMAC-SHA-256), empty password, legacy.
    export = "pkcs12 -export -inkey leaf.key -in leaf.pem"
    openssl(d, f"{export} -certfile ca.pem -passout pass:secret -out leaf.p12")
    openssl(d, f"{export} -passout pass: -out leaf_nopass.p12")
    if not openssl(d, f"{export} -legacy -passout pass:secret -out leaf_legacy.p12", check=False):
        (d / "leaf_legacy.p12").unlink(missing_ok=True)
