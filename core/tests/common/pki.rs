//! Test PKI made by the `openssl` command line at test time (never by netrt): a root CA, an
//! intermediate CA, and leaves with every defect the verifier must report.
//!
//! Everything is generated once per test binary into one directory and read back by name.
//! Shared by the integration tests (`tests/common/mod.rs`) and the crate's unit tests
//! (`src/tls/tests.rs` includes it by path).

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The generated files. Names (without extension) of the PEM certificates:
/// `ca`, `inter`, `leaf`, `leaf_inter` (issued by `inter`), `expired`, `future`, `wronghost`,
/// `clientonly` (EKU clientAuth only), `selfsigned` (CA:FALSE), `selfsigned_ca` (CA:TRUE),
/// `revoked`, `rsa` (RSA, serial with the top bit set), `ed25519`, `other_ca`, `san_all`
/// (issued by `inter`: every kind of subjectAltName entry, keyUsage digitalSignature,
/// nonRepudiation, keyAgreement, encipherOnly), `rsa_self` (the RSA key self-signed, SHA-384).
/// DER-only corrupted copies: `leaf_badsig.der`, `selfsigned_badsig.der`.
/// Keys: `<name>.key` (PKCS#8), `leaf.sec1.key`, `rsa.pkcs1.key`.
/// Other: `crl.der` (revokes `revoked`), `leaf.p12` (password `secret`, AES/PBKDF2, with `ca`),
/// `leaf_nopass.p12` (empty password), `leaf_legacy.p12` (3DES/RC2, when OpenSSL can).
pub struct Pki {
    pub dir: PathBuf,
    pub legacy_pkcs12: bool,
}

impl Pki {
    /// The PKI of this test binary, generated on first use.
    pub fn get() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(generate)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    pub fn read(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.path(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
    }

    pub fn text(&self, file: &str) -> String {
        String::from_utf8(self.read(file)).expect("PEM is text")
    }

    /// `<name>.pem` as text.
    pub fn pem(&self, name: &str) -> String {
        self.text(&format!("{name}.pem"))
    }

    /// `<name>.key` as text.
    pub fn key(&self, name: &str) -> String {
        self.text(&format!("{name}.key"))
    }

    /// The DER of certificate `name` (`<name>.der`, made by openssl from the PEM).
    pub fn der(&self, name: &str) -> Vec<u8> {
        self.read(&format!("{name}.der"))
    }

    /// `openssl x509 -noout <args>` on `<name>.pem`, trimmed stdout.
    pub fn x509(&self, name: &str, args: &[&str]) -> String {
        let pem = self.path(&format!("{name}.pem"));
        let mut all = vec!["x509", "-noout", "-in", pem.to_str().expect("utf-8 path")];
        all.extend_from_slice(args);
        openssl(&self.dir, &all).trim().to_owned()
    }
}

/// Runs openssl in `dir`, panicking with its stderr on failure.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("the openssl command is required for these tests: {e}"));
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn openssl_ok(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl").args(args).current_dir(dir).output().is_ok_and(|o| o.status.success())
}

const CONFIG: &str = r#"
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
"#;

fn test_dir() -> PathBuf {
    // Integration tests get a scratch directory from Cargo; unit tests fall back to /tmp, per
    // process (two checkouts' test runs may share /tmp and a binary name).
    let exe = std::env::current_exe().ok();
    let stem = exe.as_ref().and_then(|p| p.file_stem()).and_then(|s| s.to_str()).unwrap_or("tests");
    match option_env!("CARGO_TARGET_TMPDIR") {
        Some(dir) => PathBuf::from(dir).join(format!("netrt-pki-{stem}")),
        None => std::env::temp_dir().join(format!("netrt-pki-{stem}-{}", std::process::id())),
    }
}

/// Runs `openssl` with the whitespace-separated words of `cmd`, then `extra` (for arguments
/// that contain spaces, such as subjects).
fn run(d: &Path, cmd: &str, extra: &[&str]) {
    let mut args: Vec<&str> = cmd.split_whitespace().collect();
    args.extend_from_slice(extra);
    openssl(d, &args);
}

const EC: &str = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";

/// Key + CSR for `name` (key options `keyopts`), signed by `openssl ca` with extension section
/// `ext`, by the root or by `issuer`, with optional start/end dates.
fn issue(
    d: &Path,
    name: &str,
    subject: &str,
    ext: &str,
    keyopts: &str,
    issuer: Option<&str>,
    dates: Option<(&str, &str)>,
) {
    run(
        d,
        &format!("req -new -config openssl.cnf {keyopts} -keyout {name}.key -out {name}.csr -subj"),
        &[subject],
    );
    let mut cmd = format!("ca -config openssl.cnf -batch -notext -preserveDN -extensions {ext}");
    if let Some(i) = issuer {
        cmd.push_str(&format!(" -cert {i}.pem -keyfile {i}.key"));
    }
    if let Some((start, end)) = dates {
        cmd.push_str(&format!(" -startdate {start} -enddate {end}"));
    }
    run(d, &format!("{cmd} -in {name}.csr -out {name}.pem"), &[]);
}

fn generate() -> Pki {
    let dir = test_dir();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("newcerts")).expect("create the PKI directory");
    for (file, text) in
        [("openssl.cnf", CONFIG), ("index.txt", ""), ("serial", "1000\n"), ("crlnumber", "1000\n")]
    {
        std::fs::write(dir.join(file), text).expect("write PKI state");
    }
    let d = dir.as_path();
    let old = Some(("20200101000000Z", "20210101000000Z"));

    // Roots: the test CA and an unrelated one.
    for (name, subject) in [("ca", "/CN=netrt Test CA/O=netrt tests"), ("other_ca", "/CN=Other CA")] {
        let cmd = format!("req -x509 -new -config openssl.cnf -extensions v3_ca {EC} -days 3650");
        run(d, &format!("{cmd} -keyout {name}.key -out {name}.pem -subj"), &[subject]);
    }

    // Leaves issued by the root (`openssl ca` can set any dates).
    issue(d, "leaf", "/CN=localhost/O=netrt tests", "leaf", EC, None, None);
    issue(d, "expired", "/CN=localhost", "leaf", EC, None, old);
    issue(d, "future", "/CN=localhost", "leaf", EC, None, Some(("20990101000000Z", "20991231000000Z")));
    issue(d, "wronghost", "/CN=wrong.example", "wronghost", EC, None, None);
    issue(d, "clientonly", "/CN=client one/O=netrt tests", "clientonly", EC, None, None);
    issue(d, "multi", "/CN=localhost", "leaf_multi", "-newkey ed25519 -nodes", None, None);
    issue(d, "revoked", "/CN=localhost", "leaf", EC, None, None);
    issue(d, "critical_ext", "/CN=localhost", "critical_ext", EC, None, None);
    // A leaf "issued" by another leaf (CA:FALSE): a basic-constraints violation.
    run(
        d,
        &format!(
            "req -new -config openssl.cnf {EC} -keyout leaf_by_leaf.key -out leaf_by_leaf.csr -subj /CN=localhost"
        ),
        &[],
    );
    let sign = "x509 -req -in leaf_by_leaf.csr -CA leaf.pem -CAkey leaf.key -set_serial 9 -days 30";
    run(d, &format!("{sign} -extfile openssl.cnf -extensions leaf -out leaf_by_leaf.pem"), &[]);
    run(d, "ca -config openssl.cnf -revoke revoked.pem", &[]);
    run(d, "ca -config openssl.cnf -gencrl -out crl.pem", &[]);
    run(d, "crl -in crl.pem -outform DER -out crl.der", &[]);

    // Intermediates: a valid one, and one that expired in 2021 with a leaf valid until 2030.
    issue(d, "inter", "/CN=netrt Test Intermediate", "v3_inter", EC, None, None);
    issue(d, "leaf_inter", "/CN=localhost", "leaf", EC, Some("inter"), None);
    issue(d, "inter_old", "/CN=netrt Old Intermediate", "v3_inter", EC, None, old);
    let until_2030 = Some(("20200601000000Z", "20300101000000Z"));
    issue(d, "leaf_old_inter", "/CN=localhost", "leaf", EC, Some("inter_old"), until_2030);

    // RSA leaf with a serial whose top bit is set (DER keeps a leading 0x00), key as PKCS#1.
    run(d, "genrsa -traditional -out rsa.pkcs1.key 2048", &[]);
    run(d, "pkcs8 -topk8 -nocrypt -in rsa.pkcs1.key -out rsa.key", &[]);
    run(
        d,
        "req -new -config openssl.cnf -key rsa.key -out rsa.csr -subj",
        &["/CN=rsa.example/OU=Unit/O=Org, Inc./C=US"],
    );
    let sign = "x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -set_serial 0x8F00112233 -days 30";
    run(d, &format!("{sign} -extfile openssl.cnf -extensions leaf -out rsa.pem"), &[]);
    run(d, "pkey -in leaf.key -traditional -out leaf.sec1.key", &[]);
    // The RSA key self-signed with SHA-384 (an RSA signature: sha384RSA).
    run(
        d,
        "req -x509 -new -config openssl.cnf -key rsa.key -sha384 -days 30 -out rsa_self.pem -subj /CN=rsa-self",
        &[],
    );

    // Self-signed leaves, CA:FALSE and CA:TRUE.
    for name in ["selfsigned", "selfsigned_ca"] {
        let cmd = format!("req -x509 -new -config openssl.cnf -extensions {name} {EC} -days 30");
        run(d, &format!("{cmd} -keyout {name}.key -out {name}.pem -subj /CN=localhost"), &[]);
    }

    // Every kind of subject alternative name, issued by the intermediate.
    issue(d, "san_all", "/CN=san.example", "san_all", EC, Some("inter"), None);

    // DER copies, and corrupted signatures: the last byte of a certificate is the signature's.
    let all = "ca other_ca inter inter_old leaf leaf_inter leaf_old_inter expired future wronghost \
               clientonly revoked rsa multi selfsigned selfsigned_ca critical_ext leaf_by_leaf san_all rsa_self";
    for name in all.split_whitespace() {
        run(d, &format!("x509 -in {name}.pem -outform DER -out {name}.der"), &[]);
    }
    for name in ["leaf", "selfsigned"] {
        let mut der = std::fs::read(dir.join(format!("{name}.der"))).expect("der");
        if let Some(last) = der.last_mut() {
            *last ^= 0x01;
        }
        std::fs::write(dir.join(format!("{name}_badsig.der")), der).expect("write badsig");
    }

    // PKCS#12: modern default (AES-256-CBC, PBKDF2, HMAC-SHA-256), empty password, legacy.
    let export = "pkcs12 -export -inkey leaf.key -in leaf.pem";
    run(d, &format!("{export} -certfile ca.pem -passout pass:secret -out leaf.p12"), &[]);
    run(d, &format!("{export} -passout pass: -out leaf_nopass.p12"), &[]);
    let legacy = format!("{export} -legacy -passout pass:secret -out leaf_legacy.p12");
    let legacy_pkcs12 = openssl_ok(d, &legacy.split_whitespace().collect::<Vec<_>>());
    Pki { dir, legacy_pkcs12 }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses openssl's `Jan  1 00:00:00 2020 GMT` into Unix seconds.
pub fn parse_openssl_date(text: &str) -> i64 {
    let parts: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(parts.len(), 5, "unexpected date {text:?}");
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = months.iter().position(|m| *m == parts[0]).expect("month") as i64 + 1;
    let day: i64 = parts[1].parse().expect("day");
    let hms: Vec<i64> = parts[2].split(':').map(|p| p.parse().expect("time")).collect();
    let year: i64 = parts[3].parse().expect("year");
    days_from_civil(year, month, day) * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
}

/// Hex (with or without `:` separators) to bytes.
pub fn unhex(text: &str) -> Vec<u8> {
    let digits: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..digits.len() / 2).map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).expect("hex")).collect()
}

/// The value after `key=` in openssl's `key=value` output.
pub fn field<'a>(output: &'a str, key: &str) -> &'a str {
    output
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key}= in {output:?}"))
        .trim()
}
