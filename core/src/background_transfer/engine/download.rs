//! A download attempt: the request (with `Range` / `If-Range` when bytes are already on disk),
//! what the status means for those bytes (206 appends, 200 starts again, 416 may mean done),
//! then the body appended to the partial file.

use std::fs::{File, OpenOptions};
use std::io::{Seek as _, SeekFrom, Write as _};
use std::path::Path;

use http_body_util::BodyExt as _;

use super::attempt::{Answer, Attempt, IDLE_LIMIT};
use super::body::BodySource;
use super::resume::{self, ContentRange};
use super::spec::{Outcome, ResumeState};
use crate::error::{Error, hresult};
use crate::web::client;

/// What a response means for the bytes already on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Write the body from this offset on.
    WriteFrom(u64),
    /// The file already holds the whole resource.
    AlreadyComplete,
    /// The server cannot serve the range: ask again for the whole resource.
    AskAgainWhole,
}

fn io_error(e: &std::io::Error, what: &str, path: &Path) -> Error {
    Error::from_io(e, format!("{what} {}", path.display()))
}

/// Runs a download into `partial`.
pub(crate) async fn download(
    attempt: &mut Attempt<'_>,
    partial: &Path,
    body: Option<&BodySource>,
) -> Outcome {
    let mut file = match OpenOptions::new().create(true).write(true).truncate(false).open(partial) {
        Ok(f) => f,
        Err(e) => return Outcome::failed(io_error(&e, "open the partial file", partial), None),
    };
    // The file is the truth: fewer bytes than the state says means resuming from what is there.
    let on_disk = file.metadata().map(|m| m.len()).unwrap_or(0);
    if attempt.resume.offset > on_disk {
        attempt.resume.offset = on_disk;
    }
    if attempt.resume.validator.is_none() && attempt.resume.offset > 0 {
        // Bytes that nothing identifies cannot be resumed safely.
        attempt.resume.offset = 0;
        attempt.snapshot.has_restarted = true;
    }
    let previous = attempt.resume.validator.clone();
    let mut asked_whole = false;
    loop {
        attempt.snapshot.bytes_received = attempt.resume.offset;
        let ranges = resume::range_headers(&attempt.resume);
        let answer = match attempt.request(&ranges, body).await {
            Ok(a) => a,
            Err(e) => return attempt.end_with(e),
        };
        attempt.headers_arrived(&answer);
        let status = answer.response.status().as_u16();
        if status >= 300 {
            let unsatisfiable = status == 416 && attempt.resume.offset > 0;
            if !unsatisfiable {
                let error =
                    Error::from_http_status(status, format!("{} {}", attempt.spec.method, answer.url));
                return Outcome::failed(error, attempt.response.clone());
            }
        }
        let headers = answer.response.headers();
        let plan =
            plan(status, headers, &answer.url, &mut attempt.resume, previous.as_ref(), &mut attempt.snapshot);
        match plan {
            Ok(Plan::WriteFrom(offset)) => {
                attempt.report();
                return receive(attempt, answer, &mut file, partial, offset).await;
            }
            Ok(Plan::AlreadyComplete) => {
                attempt.snapshot.bytes_received = attempt.resume.offset;
                attempt.snapshot.total_bytes_to_receive = attempt.resume.offset;
                return completed(attempt);
            }
            Ok(Plan::AskAgainWhole) if !asked_whole => {
                asked_whole = true;
                attempt.close();
                attempt.resume = ResumeState::default();
                attempt.snapshot.has_restarted = true;
            }
            Ok(Plan::AskAgainWhole) => {
                let error = Error::from_http_status(416, format!("{} {}", attempt.spec.method, answer.url));
                return Outcome::failed(error, attempt.response.clone());
            }
            Err(e) => return Outcome::failed(e, attempt.response.clone()),
        }
    }
}

/// Decides what the response's body is, updating the resume state and the snapshot's totals
/// and flags.
fn plan(
    status: u16,
    headers: &hyper::HeaderMap,
    url: &url::Url,
    state: &mut ResumeState,
    previous: Option<&super::spec::Validator>,
    snapshot: &mut super::spec::Snapshot,
) -> Result<Plan, Error> {
    if status == 416 {
        let complete = match resume::content_range(headers) {
            Some(ContentRange::Unsatisfied { complete }) => Some(complete),
            _ => state.total,
        };
        return Ok(if complete == Some(state.offset) { Plan::AlreadyComplete } else { Plan::AskAgainWhole });
    }
    let validator = resume::validator_of(headers);
    if status == 206 {
        let Some(ContentRange::Bytes { first, last, complete }) = resume::content_range(headers) else {
            return Err(Error::new(
                hresult::WININET_E_INVALID_SERVER_RESPONSE,
                format!("{url}: a 206 response without a valid single Content-Range"),
            ));
        };
        if first != state.offset {
            return Err(Error::new(
                hresult::WININET_E_INVALID_SERVER_RESPONSE,
                format!("{url}: asked for bytes from {} and got {first}-{last}", state.offset),
            ));
        }
        state.total = complete;
        // `bytes 0-18446744073709551615/*` is valid syntax; its size does not fit a u64.
        snapshot.total_bytes_to_receive = complete.unwrap_or(last.saturating_add(1));
        // If-Range promised the same version; keep the validator we resumed with.
        if validator.is_some() {
            state.validator = validator;
        }
        return Ok(Plan::WriteFrom(first));
    }
    // A whole body (200 and other 2xx): what was on disk is discarded.
    if state.offset > 0 {
        snapshot.has_restarted = true;
    }
    if previous.is_some() && validator.as_ref() != previous {
        snapshot.has_response_changed = true;
    }
    state.offset = 0;
    state.total = resume::content_length(headers);
    state.validator = validator;
    snapshot.total_bytes_to_receive = state.total.unwrap_or(0);
    Ok(Plan::WriteFrom(0))
}

/// What a download attempt makes of a response's status and headers (`Content-Range`, `ETag`,
/// `Last-Modified`, `Content-Length`; a pair that is no valid header is left out, as hyper
/// would refuse it) given the bytes already on disk: the fuzz harness's way in to the engine's
/// response decoding (fuzz/, docs/fuzzing.md). Not API.
///
/// # Errors
/// `WININET_E_INVALID_SERVER_RESPONSE` for a 206 without a valid single range from the offset.
#[doc(hidden)]
pub fn plan_for_fuzzing(
    status: u16,
    headers: &[(&str, &[u8])],
    state: &mut ResumeState,
    snapshot: &mut super::spec::Snapshot,
) -> Result<Plan, Error> {
    let mut map = hyper::HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_bytes(value),
        ) {
            map.append(name, value);
        }
    }
    let url = url::Url::parse("http://fuzz.invalid/").expect("a fixed URL");
    let previous = state.validator.clone();
    plan(status, &map, &url, state, previous.as_ref(), snapshot)
}

/// Writes the response body into `file` from `offset`, counting only what reached the file.
async fn receive(
    attempt: &mut Attempt<'_>,
    answer: Answer,
    file: &mut File,
    partial: &Path,
    offset: u64,
) -> Outcome {
    let positioned = file.set_len(offset).and_then(|()| file.seek(SeekFrom::Start(offset)));
    if let Err(e) = positioned {
        return Outcome::failed(io_error(&e, "position in", partial), attempt.response.clone());
    }
    attempt.resume.offset = offset;
    attempt.snapshot.bytes_received = offset;
    let mut incoming = answer.response.into_body();
    loop {
        let frame = match tokio::time::timeout(IDLE_LIMIT, incoming.frame()).await {
            Err(_) => {
                let what = format!("{}: no data for {} s", answer.url, IDLE_LIMIT.as_secs());
                return attempt.end_with(Error::new(hresult::WININET_E_TIMEOUT, what));
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => return attempt.end_with(client::body_error(&e).context(answer.url.as_str())),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else { continue };
        // A page-cache write of one frame (one socket read): quicker than handing it to a
        // blocking thread, and the offset counted is then what the file holds.
        if let Err(e) = file.write_all(&data) {
            return Outcome::failed(io_error(&e, "write", partial), attempt.response.clone());
        }
        attempt.resume.offset += data.len() as u64;
        attempt.snapshot.bytes_received = attempt.resume.offset;
        attempt.report_if_due();
    }
    if attempt.resume.total.is_none() {
        attempt.resume.total = Some(attempt.resume.offset);
        attempt.snapshot.total_bytes_to_receive = attempt.resume.offset;
    }
    completed(attempt)
}

fn completed(attempt: &mut Attempt<'_>) -> Outcome {
    match attempt.response.clone() {
        Some(response) => Outcome::Completed { response },
        None => Outcome::failed(Error::new(hresult::E_UNEXPECTED, "completed without a response"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::background_transfer::engine::spec::{Snapshot, Validator};

    /// The size of a range ending at the largest offset, without a complete length, overflowed
    /// (found while writing the `transfer` fuzz target; fuzz/corpus/transfer/range-ends-at-u64-max
    /// replays it through the harness).
    #[test]
    fn a_range_ending_at_u64_max_without_a_size_does_not_overflow() {
        let mut state =
            ResumeState { offset: 5, validator: Some(Validator::ETag("\"v\"".into())), total: None };
        let mut snapshot = Snapshot::default();
        let h: &[(&str, &[u8])] = &[("content-range", b"bytes 5-18446744073709551615/*")];
        let plan = plan_for_fuzzing(206, h, &mut state, &mut snapshot).expect("a valid range");
        assert_eq!(plan, Plan::WriteFrom(5));
        assert_eq!(snapshot.total_bytes_to_receive, u64::MAX);
        assert_eq!(state.total, None);
    }
}
