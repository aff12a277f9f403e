//! An app whose download outlives it (the background-transfer tests run it twice):
//!
//!   transfer_app start <uri> <result file>   creates and starts the download, prints
//!                                            `STARTED <guid> <status>` once bytes arrive, then
//!                                            waits (the test kills it with SIGKILL)
//!   transfer_app attach <result file>        finds the download with GetCurrentDownloadsAsync,
//!                                            attaches, prints `COMPLETED <bytes>` when done
//!
//! The broker is the one NETRT_BROKER_SOCKET names.

use std::io::Write;
use std::time::{Duration, Instant};

use netrt::background_transfer::{BackgroundDownloader, BackgroundTransferStatus};
use netrt::foundation::Uri;
use netrt::storage::StorageFile;

const LIMIT: Duration = Duration::from_secs(300);

fn start(uri: &str, result: &str) -> netrt::Result<()> {
    let download =
        BackgroundDownloader::new().create_download(&Uri::new(uri)?, &StorageFile::from_path(result))?;
    let _following = download.start_async()?;
    let deadline = Instant::now() + LIMIT;
    loop {
        let progress = download.progress();
        if progress.bytes_received > 0 || progress.status.is_final() {
            println!("STARTED {} {}", download.guid(), progress.status);
            std::io::stdout().flush().ok();
            break;
        }
        if Instant::now() > deadline {
            return Err(netrt::Error::new(netrt::error::hresult::E_FAIL, "no bytes arrived"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Killed here; the download goes on in netrt-brokerd.
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

fn attach(result: &str) -> netrt::Result<()> {
    let current = BackgroundDownloader::get_current_downloads_async()?;
    current.wait(Some(Instant::now() + LIMIT));
    let downloads = current.results()?;
    let Some(download) = downloads.into_iter().find(|d| d.result_file().path() == result) else {
        return Err(netrt::Error::invalid_arg(format!("no download to {result} is known")));
    };
    let attached = download.attach_async()?;
    attached.wait(Some(Instant::now() + LIMIT));
    let done = attached.results()?;
    let progress = done.progress();
    assert_eq!(progress.status, BackgroundTransferStatus::Completed);
    println!("COMPLETED {}", progress.bytes_received);
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["start", uri, result] => start(uri, result),
        ["attach", result] => attach(result),
        _ => {
            eprintln!("usage: transfer_app start <uri> <result> | transfer_app attach <result>");
            return std::process::ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("transfer_app: {e} ({:#010x})", e.hresult());
            std::process::ExitCode::FAILURE
        }
    }
}
