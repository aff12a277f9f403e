//! One HTTP transfer attempt for the background-transfer daemon, over netrt's web layer
//! (TCP/TLS, proxies, Basic/Digest): a download resumed with `Range` + `If-Range`, or an upload
//! streamed from a file or built as multipart; redirects, progress, a stop token.
//!
//! Not API: the daemon's transfer manager is the only caller.

mod spec;

pub use spec::{
    MultipartSpec, Outcome, PartBody, PartSpec, RequestBody, ResponseSummary, ResumeState, Snapshot, Target,
    TransferSpec, Validator,
};

use tokio_util::sync::CancellationToken;

use crate::error::{Error, hresult};

/// Runs one attempt of `spec` from `resume` until it completes, fails, is interrupted or
/// `stop` fires. `progress` hears the snapshot at most every 1 MiB or 250 ms, when the final
/// response's headers arrive (with that response) and at the end.
pub async fn run(
    spec: &TransferSpec,
    resume: ResumeState,
    progress: &(dyn Fn(&Snapshot, Option<&ResponseSummary>) + Send + Sync),
    stop: CancellationToken,
) -> Outcome {
    let _ = (spec, resume, progress, stop);
    Outcome::failed(Error::new(hresult::E_NOTIMPL, "the transfer engine is not built yet"), None)
}
