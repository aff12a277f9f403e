//! `netrt transfers`: the background transfers netrt-brokerd keeps, found with
//! `GetCurrentDownloadsAsync`/`GetCurrentUploadsAsync` (of no group, or of `--group`), and
//! what an app can do to them: Pause, Resume, cancel (by cancelling AttachAsync, as WinRT
//! apps do) and AttachAsync.

use std::time::Duration;

use netrt::background_transfer::{BackgroundDownloader, BackgroundTransferGroup, BackgroundUploader};
use netrt::error::hresult::E_CANCELLED;
use netrt::foundation::{AsyncOperation, Guid};

use crate::args::{TransfersAction, TransfersArgs};
use crate::failure::Failure;
use crate::output::{DIM, LABEL, json_line};
use crate::transfer_args::TransferTarget;
use crate::transfer_view::{Interrupt, Operation, follow};

/// How long `cancel` waits for netrt-brokerd to report the transfer Canceled.
const CANCEL_WAIT: Duration = Duration::from_secs(10);

pub async fn run(args: &TransfersArgs) -> Result<(), Failure> {
    match &args.action {
        None => list(args.group.as_deref(), args.output.json).await,
        Some(TransfersAction::List { group, output }) => {
            list(group.as_deref().or(args.group.as_deref()), output.json || args.output.json).await
        }
        Some(TransfersAction::Pause(target)) => pause_or_resume(target, true).await,
        Some(TransfersAction::Resume(target)) => pause_or_resume(target, false).await,
        Some(TransfersAction::Cancel(target)) => cancel(target).await,
        Some(TransfersAction::Attach(target)) => attach(target).await,
    }
}

/// Waits for an AsyncOperation's results (it is not a Future; its done listener is).
async fn results<T: Clone + Send + Sync + 'static>(op: AsyncOperation<T>) -> netrt::Result<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    if op.on_done(Box::new(move || {
        let _ = tx.send(());
    })) {
        let _ = rx.await;
    }
    op.results()
}

/// Every download and upload of no group (or of `group`), in creation order, downloads first.
async fn operations(group: Option<&str>) -> Result<Vec<Operation>, Failure> {
    let group = group.map(BackgroundTransferGroup::create_group);
    let (downloads, uploads) = match &group {
        None => (
            BackgroundDownloader::get_current_downloads_async()?,
            BackgroundUploader::get_current_uploads_async()?,
        ),
        Some(g) => (
            BackgroundDownloader::get_current_downloads_for_transfer_group_async(g)?,
            BackgroundUploader::get_current_uploads_for_transfer_group_async(g)?,
        ),
    };
    let mut all: Vec<Operation> = results(downloads).await?.into_iter().map(Operation::Download).collect();
    all.extend(results(uploads).await?.into_iter().map(Operation::Upload));
    Ok(all)
}

/// The transfer `target` names; an unknown GUID is a command-line error.
async fn find(target: &TransferTarget) -> Result<Operation, Failure> {
    let guid = Guid::parse(target.guid.trim()).map_err(|_| {
        Failure::Usage(format!("'{}' is not a GUID (netrt transfers list shows them)", target.guid))
    })?;
    let wanted = guid.to_string();
    operations(target.group.as_deref()).await?.into_iter().find(|op| op.guid() == wanted).ok_or_else(|| {
        let place = match &target.group {
            Some(g) => format!("in group {g:?}"),
            None => "of no group (add --group NAME for a grouped one)".to_owned(),
        };
        Failure::Usage(format!(
            "netrt-brokerd has no transfer {wanted} {place}; netrt transfers list shows them"
        ))
    })
}

async fn list(group: Option<&str>, json: bool) -> Result<(), Failure> {
    let all = operations(group).await?;
    if json {
        for op in &all {
            json_line(&op.row_json());
        }
        return Ok(());
    }
    if all.is_empty() {
        anstream::eprintln!("{DIM}no background transfers{DIM:#}");
        return Ok(());
    }
    anstream::println!(
        "{LABEL}{:<36}  {:<8}  {:<20}  {:>23}  URI -> FILE{LABEL:#}",
        "GUID",
        "KIND",
        "STATUS",
        "BYTES/TOTAL"
    );
    for op in &all {
        let uri = op.uri();
        let s = op.snapshot();
        let (done, total) = match op {
            Operation::Download(_) => (s.bytes_received, s.total_bytes_to_receive),
            Operation::Upload(_) => (s.bytes_sent, s.total_bytes_to_send),
        };
        let total = if total == 0 { "?".to_owned() } else { total.to_string() };
        let file = op.file().unwrap_or_else(|| "(stream)".to_owned());
        let (from, to) = match op {
            Operation::Download(_) => (uri, file),
            Operation::Upload(_) => (file, uri),
        };
        anstream::println!(
            "{:<36}  {:<8}  {:<20}  {:>23}  {from} -> {to}",
            op.guid(),
            op.kind(),
            s.status.name(),
            format!("{done}/{total}")
        );
    }
    Ok(())
}

fn report(op: &Operation, json: bool, done: &str) {
    if json {
        json_line(&op.row_json());
    } else {
        let uri = op.uri();
        anstream::eprintln!(
            "{LABEL}{done}{LABEL:#} {} {} ({uri}): now {}",
            op.kind(),
            op.guid(),
            op.snapshot().status.name()
        );
    }
}

async fn pause_or_resume(target: &TransferTarget, pause: bool) -> Result<(), Failure> {
    let op = find(target).await?;
    let Operation::Download(download) = &op else {
        return Err(Failure::Usage(format!(
            "{} is an upload; uploads cannot be paused or resumed (UploadOperation has no Pause)",
            op.guid()
        )));
    };
    if pause {
        download.pause()?;
    } else {
        download.resume()?;
    }
    report(&op, target.output.json, if pause { "Paused" } else { "Resumed" });
    Ok(())
}

/// Cancels as a WinRT app does: by cancelling AttachAsync, once it follows the transfer; then
/// waits (bounded) for the daemon's Canceled.
async fn cancel(target: &TransferTarget) -> Result<(), Failure> {
    let op = find(target).await?;
    let status = op.snapshot().status;
    if status.is_final() {
        return Err(Failure::Usage(format!(
            "{} {} has already ended ({})",
            op.kind(),
            op.guid(),
            status.name()
        )));
    }
    match &op {
        Operation::Download(d) => cancel_attached(d.attach_async()?, || d.attach_async()).await?,
        Operation::Upload(u) => cancel_attached(u.attach_async()?, || u.attach_async()).await?,
    }
    report(&op, target.output.json, "Cancelled");
    Ok(())
}

async fn cancel_attached<T: Clone + Send + Sync + 'static>(
    attached: netrt::foundation::AsyncOperationWithProgress<T, T>,
    attach_again: impl FnOnce() -> netrt::Result<netrt::foundation::AsyncOperationWithProgress<T, T>>,
) -> Result<(), Failure> {
    // Cancelling before the operation follows the transfer would only drop it: wait for its
    // first report (the daemon sends the state at once) or its end.
    let (tx, mut first) = tokio::sync::mpsc::unbounded_channel();
    attached.set_progress(std::sync::Arc::new(move |_: T| {
        let _ = tx.send(());
    }))?;
    let op = attached.operation().clone();
    tokio::select! {
        _ = first.recv() => {}
        _ = results(op.clone()) => {}
    }
    attached.cancel()?;
    // Following it again ends when the daemon has cancelled it.
    let again = attach_again()?;
    let outcome = tokio::time::timeout(CANCEL_WAIT, results(again.operation().clone())).await;
    match outcome {
        Err(_) => Err(Failure::Net(netrt::Error::new(
            netrt::error::hresult::E_FAIL,
            format!("netrt-brokerd did not report the transfer cancelled within {CANCEL_WAIT:?}"),
        ))),
        Ok(Err(e)) if e.hresult() == E_CANCELLED => Ok(()),
        Ok(Err(e)) => Err(Failure::Net(e)),
        Ok(Ok(_)) => Err(Failure::Usage("the transfer completed before it could be cancelled".to_owned())),
    }
}

async fn attach(target: &TransferTarget) -> Result<(), Failure> {
    let interrupt = Interrupt::listen()?;
    let op = find(target).await?;
    let json = target.output.json;
    match &op {
        Operation::Download(d) => {
            follow(d.attach_async()?, op.clone(), Operation::Download, interrupt, json).await?;
        }
        Operation::Upload(u) => {
            follow(u.attach_async()?, op.clone(), Operation::Upload, interrupt, json).await?;
        }
    }
    Ok(())
}
