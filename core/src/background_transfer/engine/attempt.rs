//! The state of one attempt and its request loop: the request on the wire (through the web
//! layer: proxy, TLS, one answered 401), redirects followed by hand so that each hop gets only
//! the credentials its origin may see, request-body progress, and the idle limit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;

use super::body::{BodySource, SentCounter};
use super::progress::{INTERVAL, Throttle};
use super::redirect::{self, MAX_REDIRECTS};
use super::resume;
use super::spec::{Outcome, ResponseSummary, ResumeState, Snapshot, TransferSpec};
use crate::error::{Error, WebErrorStatus, hresult};
use crate::net::StreamSocket;
use crate::web::client::{self, HeaderList, RequestHead, RequestSettings};

/// How long an attempt may go without any progress (no connection, no response, no body
/// bytes either way) before it counts as interrupted, as WinRT's transfers time out.
pub(crate) const IDLE_LIMIT: Duration = Duration::from_secs(120);

/// Headers that carry the app's identity and go only to the request's original origin.
const ORIGIN_ONLY_HEADERS: [&str; 2] = ["authorization", "cookie"];

/// The progress callback `run` receives.
pub(crate) type ProgressFn<'a> = &'a (dyn Fn(&Snapshot, Option<&ResponseSummary>) + Send + Sync);

/// An attempt in progress; what `run` reads back when the stop token interrupts it.
pub(crate) struct Attempt<'a> {
    pub spec: &'a TransferSpec,
    progress: ProgressFn<'a>,
    throttle: Throttle,
    pub snapshot: Snapshot,
    pub response: Option<ResponseSummary>,
    /// Where a later attempt would resume (a download's bytes on disk).
    pub resume: ResumeState,
    /// The connection of the current request, closed when the attempt ends however it ends.
    pub socket: Option<StreamSocket>,
}

/// The final response of the request loop, with the URL that gave it.
pub(crate) struct Answer {
    pub response: hyper::Response<Incoming>,
    pub url: url::Url,
}

impl<'a> Attempt<'a> {
    pub(crate) fn new(spec: &'a TransferSpec, resume: ResumeState, progress: ProgressFn<'a>) -> Self {
        Self {
            spec,
            progress,
            throttle: Throttle::new(),
            snapshot: Snapshot::default(),
            response: None,
            resume,
            socket: None,
        }
    }

    /// Reports progress now.
    pub(crate) fn report(&mut self) {
        self.throttle.reported(self.counted());
        (self.progress)(&self.snapshot, self.response.as_ref());
    }

    /// Reports progress if the throttle allows.
    pub(crate) fn report_if_due(&mut self) {
        if self.throttle.due(self.counted()) {
            (self.progress)(&self.snapshot, self.response.as_ref());
        }
    }

    fn counted(&self) -> u64 {
        self.snapshot.bytes_received + self.snapshot.bytes_sent
    }

    /// Closes the connection of the current request, if any.
    pub(crate) fn close(&mut self) {
        if let Some(socket) = self.socket.take() {
            socket.close();
        }
    }

    /// How `error` ends the attempt: interrupted when the network failed (another attempt may
    /// succeed), else failed.
    pub(crate) fn end_with(&self, error: Error) -> Outcome {
        use WebErrorStatus as W;
        let network = matches!(
            error.web_error_status(),
            W::CannotConnect
                | W::ConnectionReset
                | W::ConnectionAborted
                | W::Disconnected
                | W::ServerUnreachable
                | W::Timeout
                | W::HostNameNotResolved
        );
        if network {
            Outcome::Interrupted { error, resume: self.resume.clone() }
        } else {
            Outcome::failed(error, self.response.clone())
        }
    }

    /// Records the final response's summary and reports it.
    pub(crate) fn headers_arrived(&mut self, answer: &Answer) {
        let headers = answer
            .response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        self.response = Some(ResponseSummary {
            status_code: u32::from(answer.response.status().as_u16()),
            actual_url: answer.url.clone(),
            headers,
            is_resumable: resume::is_resumable(answer.response.headers()),
        });
    }

    /// Sends the request (with `extra` headers and `body`), following redirects, and returns
    /// the final response whatever its status.
    pub(crate) async fn request(
        &mut self,
        extra: &HeaderList,
        body: Option<&BodySource>,
    ) -> Result<Answer, Error> {
        let spec = self.spec;
        let mut method = hyper::Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| Error::invalid_arg(format!("'{}' is not a valid HTTP method", spec.method)))?;
        for (name, value) in spec.headers.iter().chain(extra) {
            client::check_header(name, value)?;
        }
        let mut url = spec.url.clone();
        // A method that carries a body says so even when it is empty (Content-Length: 0).
        let empty = BodySource::default();
        let bodiless = method == hyper::Method::GET || method == hyper::Method::HEAD;
        let mut body = body.or((!bodiless).then_some(&empty));
        for _ in 0..=MAX_REDIRECTS {
            let home = redirect::same_origin(&url, &spec.url);
            let settings = RequestSettings {
                server_credential: spec.server_credential.clone().filter(|_| home),
                proxy_credential: spec.proxy_credential.clone(),
                ..RequestSettings::default()
            };
            let mut headers: HeaderList = spec
                .headers
                .iter()
                .filter(|(n, _)| home || !ORIGIN_ONLY_HEADERS.iter().any(|o| n.eq_ignore_ascii_case(o)))
                .chain(extra)
                .cloned()
                .collect();
            if let Some(b) = body {
                let app_type = spec.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
                if let Some(content_type) = b.content_type.as_ref().filter(|_| !app_type) {
                    headers.push(("Content-Type".into(), content_type.clone()));
                }
                headers.retain(|(n, _)| !n.eq_ignore_ascii_case("content-length"));
                headers.push(("Content-Length".into(), b.len().to_string()));
                self.snapshot.total_bytes_to_send = b.len();
            }
            let head = RequestHead { method: method.clone(), url: &url, headers: &headers };
            let (socket, response) = self.send(&head, body, &settings).await?;
            self.socket = Some(socket);
            let status = response.status().as_u16();
            if !redirect::is_redirect(status) {
                return Ok(Answer { response, url });
            }
            self.close();
            let location = response.headers().get("location").and_then(|v| v.to_str().ok());
            let hop = redirect::follow(status, location, &url, &method)?;
            if !hop.keep_body {
                body = None;
                self.snapshot.total_bytes_to_send = 0;
            }
            (url, method) = (hop.url, hop.method);
        }
        Err(Error::new(
            hresult::WININET_E_REDIRECT_FAILED,
            format!("{}: more than {MAX_REDIRECTS} redirects", spec.url),
        ))
    }

    /// One request on the wire, reporting the body's progress while it goes out and failing
    /// with a timeout when nothing moves for [`IDLE_LIMIT`].
    async fn send(
        &mut self,
        head: &RequestHead<'_>,
        body: Option<&BodySource>,
        settings: &RequestSettings,
    ) -> Result<(StreamSocket, hyper::Response<Incoming>), Error> {
        let sent = Arc::new(SentCounter::default());
        let source = body.cloned().unwrap_or_default();
        let make_body = {
            let sent = sent.clone();
            move || Ok(source.open(&sent))
        };
        let request = client::send_streaming(head, &make_body, settings);
        tokio::pin!(request);
        let mut ticker = tokio::time::interval(INTERVAL);
        let (mut last_sent, mut last_move) = (0, Instant::now());
        loop {
            tokio::select! {
                outcome = &mut request => {
                    self.snapshot.bytes_sent = sent.get();
                    return outcome;
                }
                () = sent.step.notified() => {}
                _ = ticker.tick() => {}
            }
            let now_sent = sent.get();
            if now_sent != last_sent {
                (last_sent, last_move) = (now_sent, Instant::now());
                self.snapshot.bytes_sent = now_sent;
                self.report_if_due();
            } else if last_move.elapsed() >= IDLE_LIMIT {
                return Err(Error::new(
                    hresult::WININET_E_TIMEOUT,
                    format!("{} {}: no progress for {} s", head.method, head.url, IDLE_LIMIT.as_secs()),
                ));
            }
        }
    }
}
