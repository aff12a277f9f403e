//! The test PKI (`tests/peers/launch pki`, made with the `openssl` command line): `ca.pem` and
//! `leaf.pem`/`leaf.key` for 127.0.0.1/localhost are what the benchmarks use.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `tests/peers/launch`, which also starts the third-party peers (openssl_context.rs).
pub fn launcher() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/peers/launch")
}

pub struct Pki {
    pub dir: PathBuf,
    owned: bool,
}

impl Pki {
    pub fn generate() -> Pki {
        let dir = std::env::temp_dir().join(format!("netrt-bench-{}", std::process::id()));
        let ok =
            Command::new(launcher()).arg("pki").arg(&dir).status().expect("run tests/peers/launch").success();
        assert!(ok, "tests/peers/launch pki failed; its stderr is above");
        Pki { dir, owned: true }
    }

    /// The PKI another process generated (not deleted on drop).
    pub fn open(dir: PathBuf) -> Pki {
        Pki { dir, owned: false }
    }

    pub fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
