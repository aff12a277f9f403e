//! One HTTP transfer attempt for the background-transfer daemon, over netrt's web layer
//! (TCP/TLS, proxies from the environment, Basic/Digest): a download resumed with `Range` +
//! `If-Range`, or an upload streamed from a file or built as multipart; redirects, progress and
//! a stop token.
//!
//! Not API: the daemon's transfer manager is the only caller. It owns retries: an
//! [`Outcome::Interrupted`] attempt is run again with the [`ResumeState`] it returned.

mod attempt;
mod body;
mod download;
mod multipart;
mod progress;
mod redirect;
mod resume;
mod spec;
mod upload;

#[doc(hidden)]
pub use download::{Plan, plan_for_fuzzing};
pub use spec::{
    MultipartSpec, Outcome, PartBody, PartSpec, RequestBody, ResponseSummary, ResumeState, Snapshot, Target,
    TransferSpec, Validator,
};

use tokio_util::sync::CancellationToken;

use attempt::Attempt;
use body::{BodySource, Segment};

/// Runs one attempt of `spec` from `resume` until it completes, fails, is interrupted or
/// `stop` fires (then promptly, whatever the peer does). `progress` hears the snapshot at most
/// every 1 MiB or 250 ms, once the final response's headers arrive (with that response from
/// then on) and once at the end.
pub async fn run(
    spec: &TransferSpec,
    resume: ResumeState,
    progress: &(dyn Fn(&Snapshot, Option<&ResponseSummary>) + Send + Sync),
    stop: CancellationToken,
) -> Outcome {
    let mut attempt = Attempt::new(spec, resume, progress);
    let finished = {
        let work = execute(&mut attempt);
        tokio::pin!(work);
        tokio::select! {
            outcome = &mut work => Some(outcome),
            () = stop.cancelled() => None,
        }
    };
    attempt.close();
    let outcome = finished.unwrap_or_else(|| Outcome::Stopped { resume: attempt.resume.clone() });
    attempt.report();
    outcome
}

async fn execute(attempt: &mut Attempt<'_>) -> Outcome {
    let spec = attempt.spec;
    let body = match &spec.body {
        RequestBody::None => None,
        RequestBody::File(path) => match Segment::file(path) {
            Ok(segment) => Some(BodySource::new(vec![segment], None)),
            Err(e) => return Outcome::failed(e, None),
        },
        RequestBody::Multipart(parts) => match multipart::build(parts) {
            Ok(source) => Some(source),
            Err(e) => return Outcome::failed(e, None),
        },
    };
    match &spec.target {
        Target::Download { partial } => download::download(attempt, partial, body.as_ref()).await,
        Target::Upload { response_body } => upload::upload(attempt, response_body, body.as_ref()).await,
    }
}
