//! The test PKI made by `tests/peers/launch pki` with the `openssl` command line (never by
//! netrt): a root CA, an intermediate CA, and leaves with every defect the verifier must report.
//!
//! The directory is made once (shared by every test binary and suite) and read back by name.
//! Shared by the integration tests (`tests/common/mod.rs`) and the crate's unit tests
//! (`src/tls/tests.rs` includes it by path).

#![allow(dead_code)] // Each test binary uses a different subset.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The generated files, by name: the list is at the top of tests/peers/pki.py.
pub struct Pki {
    pub dir: PathBuf,
    pub legacy_pkcs12: bool,
}

impl Pki {
    /// The test PKI, made (or found) on first use.
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

/// One PKI directory for every suite (tests/peers/launch makes it, or reuses it when made less
/// than a day ago by the same maker); outside the system temporary directory, so that two
/// checkouts never share it.
fn generate() -> Pki {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("target/test-pki");
    let status = Command::new(root.join("tests/peers/launch"))
        .args(["pki", "--reuse"])
        .arg(&dir)
        .status()
        .unwrap_or_else(|e| panic!("run tests/peers/launch (python3 is required): {e}"));
    assert!(status.success(), "tests/peers/launch pki failed ({status}); its stderr is above");
    let legacy_pkcs12 = dir.join("leaf_legacy.p12").exists();
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
