//! A CA and a leaf for 127.0.0.1/localhost, made by the `openssl` command line.

use std::path::PathBuf;
use std::process::Command;

pub struct Pki {
    pub dir: PathBuf,
    owned: bool,
}

impl Pki {
    pub fn generate() -> Pki {
        let dir = std::env::temp_dir().join(format!("netrt-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let ok = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .expect("openssl")
                .status
                .success();
            assert!(ok, "openssl {args:?} failed");
        };
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        run(&[
            &["req", "-x509"][..],
            &ec,
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=bench CA"],
        ]
        .concat());
        run(&[&["req"][..], &ec, &["-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost"]]
            .concat());
        std::fs::write(
            dir.join("leaf.ext"),
            "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            "leaf.pem",
            "-extfile",
            "leaf.ext",
        ]);
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
