//! Certificates named on the command line, read with netrt's own parsers.

use std::path::Path;

use netrt::tls::Certificate;

use crate::args::TlsArgs;
use crate::failure::Failure;

fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::Input(format!("cannot read {}: {e}", path.display())))
}

/// Every certificate in the PEM files (a CA bundle may hold several).
pub fn trusted_roots(paths: &[impl AsRef<Path>]) -> Result<Vec<Certificate>, Failure> {
    let mut roots = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let first =
            Certificate::from_pem(&read_text(path)?, None).map_err(|e| Failure::input(path.display(), e))?;
        // netrt reads the rest of a PEM chain as the first certificate's intermediates.
        roots.extend(first.intermediates().iter().cloned());
        roots.push(first);
    }
    Ok(roots)
}

/// A certificate with its private key from PEM files (chain first, then the key).
pub fn with_key(cert: &Path, key: &Path) -> Result<Certificate, Failure> {
    Certificate::from_pem(&read_text(cert)?, Some(&read_text(key)?))
        .map_err(|e| Failure::input(format!("{} with {}", cert.display(), key.display()), e))
}

/// The client certificate of `--client-cert` (PKCS#12) or `--cert`/`--key`, if any.
pub fn client_certificate(tls: &TlsArgs) -> Result<Option<Certificate>, Failure> {
    if let Some(p12) = &tls.client_cert {
        let password = match &tls.password_env {
            Some(var) => std::env::var(var).map_err(|_| {
                Failure::Input(format!("--password-env {var}: the environment variable is not set"))
            })?,
            None => String::new(),
        };
        let bytes =
            std::fs::read(p12).map_err(|e| Failure::Input(format!("cannot read {}: {e}", p12.display())))?;
        let cert =
            Certificate::from_pkcs12(&bytes, &password).map_err(|e| Failure::input(p12.display(), e))?;
        return Ok(Some(cert));
    }
    match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => with_key(cert, key).map(Some),
        _ => Ok(None),
    }
}
