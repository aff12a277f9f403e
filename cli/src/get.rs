//! `netrt get`: a download created with `BackgroundDownloader` and run by netrt-brokerd,
//! followed with a progress bar. The file name defaults to the URI's last path segment (as
//! `curl -O`); an existing file is kept unless `--force`.

use std::path::{Path, PathBuf};

use netrt::background_transfer::BackgroundDownloader;
use netrt::error::hresult::E_INVALIDARG;
use netrt::foundation::Uri;
use netrt::security::PasswordCredential;
use netrt::storage::StorageFile;

use crate::args::GetArgs;
use crate::failure::Failure;
use crate::transfer_view::{Interrupt, Operation, follow};

pub async fn run(args: &GetArgs) -> Result<(), Failure> {
    let uri = Uri::new(&args.uri).map_err(|e| Failure::Usage(format!("'{}': {}", args.uri, e.message())))?;
    let target = result_path(args, &uri)?;
    let downloader = configured_downloader(args, &uri)?;
    let interrupt = Interrupt::listen()?;
    let download =
        downloader.create_download(&uri, &StorageFile::from_path(target)).map_err(bad_value_is_usage)?;
    let started = download.start_async()?;
    follow(started, Operation::Download(download), Operation::Download, interrupt, args.output.json).await?;
    Ok(())
}

/// An argument core refuses (`E_INVALIDARG`: a URI that is not http(s), a malformed header)
/// is a command-line error.
fn bad_value_is_usage(e: netrt::Error) -> Failure {
    if e.hresult() == E_INVALIDARG { Failure::Usage(e.message().to_owned()) } else { Failure::Net(e) }
}

/// The absolute path of the result file: `-o FILE`, else the URI's last path segment in the
/// current directory; an existing file only with `--force`.
fn result_path(args: &GetArgs, uri: &Uri) -> Result<PathBuf, Failure> {
    let chosen = match &args.output_file {
        Some(path) => path.clone(),
        None => PathBuf::from(file_name_of(uri).ok_or_else(|| {
            Failure::Usage(format!(
                "{}: no file name in the URI's path; name the file with -o FILE",
                uri.display_uri()
            ))
        })?),
    };
    let absolute =
        std::path::absolute(&chosen).map_err(|e| Failure::Usage(format!("{}: {e}", chosen.display())))?;
    if absolute.is_dir() {
        return Err(Failure::Usage(format!(
            "{} is a directory; name a file with -o FILE",
            absolute.display()
        )));
    }
    if absolute.exists() && !args.force {
        return Err(Failure::Usage(format!(
            "{} exists; pass --force to replace it, or choose another with -o FILE",
            absolute.display()
        )));
    }
    if !absolute.parent().is_some_and(Path::is_dir) {
        return Err(Failure::Usage(format!("{}: its directory does not exist", absolute.display())));
    }
    Ok(absolute)
}

/// The last segment of the URI's path, as written in the URI (as `curl -O` names files).
fn file_name_of(uri: &Uri) -> Option<String> {
    let path = uri.path();
    let last = path.rsplit('/').next()?;
    (!last.is_empty() && last != "." && last != "..").then(|| last.to_owned())
}

fn configured_downloader(args: &GetArgs, uri: &Uri) -> Result<BackgroundDownloader, Failure> {
    let downloader = BackgroundDownloader::new();
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| Failure::Usage(format!("--header {header:?}: write it as 'Name: value'")))?;
        downloader
            .set_request_header(name.trim(), value.trim())
            .map_err(|e| Failure::Usage(format!("--header {header:?}: {}", e.message())))?;
    }
    if let (Some(user), Some(var)) = (&args.user, &args.password_env) {
        downloader.set_server_credential(Some(credential(uri, user, var, "--password-env")?));
    }
    if let (Some(user), Some(var)) = (&args.proxy_user, &args.proxy_password_env) {
        downloader.set_proxy_credential(Some(credential(uri, user, var, "--proxy-password-env")?));
    }
    Ok(downloader)
}

fn credential(uri: &Uri, user: &str, var: &str, option: &str) -> Result<PasswordCredential, Failure> {
    let password = std::env::var(var)
        .map_err(|_| Failure::Input(format!("{option} {var}: the environment variable is not set")))?;
    PasswordCredential::with_fields(&uri.absolute_uri(), user, &password)
        .map_err(|e| Failure::Usage(format!("{option}: {}", e.message())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_is_the_last_path_segment() {
        let name = |u: &str| file_name_of(&Uri::new(u).unwrap());
        assert_eq!(name("http://h/a/b/file.bin").as_deref(), Some("file.bin"));
        assert_eq!(name("http://h/file.bin?x=1#f").as_deref(), Some("file.bin"));
        assert_eq!(name("http://h/dir/"), None);
        assert_eq!(name("http://h"), None);
    }
}
