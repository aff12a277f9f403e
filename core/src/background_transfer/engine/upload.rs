//! An upload attempt: the body streamed from a file or built as multipart, and the server's
//! response body written to the response file (also for an error status, whose body often
//! explains it).

use std::fs::File;
use std::io::Write as _;
use std::path::Path;

use http_body_util::BodyExt as _;

use super::attempt::{Attempt, IDLE_LIMIT};
use super::body::BodySource;
use super::spec::Outcome;
use crate::error::{Error, hresult};
use crate::web::client;

/// Runs an upload of `body`, writing the response body to `response_body`.
pub(crate) async fn upload(
    attempt: &mut Attempt<'_>,
    response_body: &Path,
    body: Option<&BodySource>,
) -> Outcome {
    attempt.snapshot.total_bytes_to_send = body.map_or(0, BodySource::len);
    attempt.report();
    let answer = match attempt.request(&Vec::new(), body).await {
        Ok(a) => a,
        Err(e) => return attempt.end_with(e),
    };
    attempt.headers_arrived(&answer);
    let status = answer.response.status().as_u16();
    let length = super::resume::content_length(answer.response.headers());
    attempt.snapshot.total_bytes_to_receive = length.unwrap_or(0);
    attempt.report();
    let mut file = match File::create(response_body) {
        Ok(f) => f,
        Err(e) => {
            let error = Error::from_io(&e, format!("create {}", response_body.display()));
            return Outcome::failed(error, attempt.response.clone());
        }
    };
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
        if let Err(e) = file.write_all(&data) {
            let error = Error::from_io(&e, format!("write {}", response_body.display()));
            return Outcome::failed(error, attempt.response.clone());
        }
        attempt.snapshot.bytes_received += data.len() as u64;
        attempt.report_if_due();
    }
    if length.is_none() {
        attempt.snapshot.total_bytes_to_receive = attempt.snapshot.bytes_received;
    }
    match attempt.response.clone() {
        Some(response) if status < 300 => Outcome::Completed { response },
        response => Outcome::failed(
            Error::from_http_status(status, format!("{} {}", attempt.spec.method, answer.url)),
            response,
        ),
    }
}
