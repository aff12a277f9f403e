//! What the engine is asked to do and what it reports back: plain data, so the daemon can
//! persist it between attempts.

use std::path::PathBuf;

use crate::error::{Error, WebErrorStatus};
use crate::security::PasswordCredential;

/// One transfer: the request to send and where its bytes go.
#[derive(Clone)]
pub struct TransferSpec {
    /// The HTTP method (`GET` for downloads, `POST` for uploads unless the app chose another).
    pub method: String,
    /// The requested URL (http or https).
    pub url: url::Url,
    /// The app's request headers, in order (`SetRequestHeader`).
    pub headers: Vec<(String, String)>,
    /// Answers a 401 from the request's own origin (never sent to another origin).
    pub server_credential: Option<PasswordCredential>,
    /// Answers a 407 from the proxy.
    pub proxy_credential: Option<PasswordCredential>,
    /// The request body.
    pub body: RequestBody,
    /// Where the response body goes.
    pub target: Target,
}

/// A request body, streamed from disk (never read into memory whole).
#[derive(Debug, Clone, Default)]
pub enum RequestBody {
    /// No body.
    #[default]
    None,
    /// A file's bytes, with its length as Content-Length.
    File(PathBuf),
    /// A multipart body (RFC 2046; RFC 7578 for `form-data`).
    Multipart(MultipartSpec),
}

/// A multipart body: `Content-Type: multipart/<sub_type>; boundary=<boundary>`.
#[derive(Debug, Clone)]
pub struct MultipartSpec {
    /// The parts, in order.
    pub parts: Vec<PartSpec>,
    /// The multipart subtype (`form-data` unless the app chose another).
    pub sub_type: String,
    /// The boundary; a random one when `None`.
    pub boundary: Option<String>,
}

/// One part of a multipart body (`BackgroundTransferContentPart`).
#[derive(Debug, Clone, Default)]
pub struct PartSpec {
    /// The `name` parameter of its Content-Disposition.
    pub name: Option<String>,
    /// The `filename` parameter of its Content-Disposition.
    pub file_name: Option<String>,
    /// The part's own headers (`SetHeader`), in order.
    pub headers: Vec<(String, String)>,
    /// The part's content.
    pub body: PartBody,
}

/// The content of one part.
#[derive(Debug, Clone, Default)]
pub enum PartBody {
    /// No content.
    #[default]
    Empty,
    /// Text, sent as UTF-8 (`SetText`).
    Text(String),
    /// A file's bytes (`SetFile`).
    File(PathBuf),
}

/// Where the response body goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A download: the body is written to `partial` (appended to from the resume offset);
    /// the caller moves it to the result file once the transfer completes.
    Download {
        /// The partial file.
        partial: PathBuf,
    },
    /// An upload: the server's response body is written (whole, replaced on each attempt) here.
    Upload {
        /// The file for the server's response body.
        response_body: PathBuf,
    },
}

/// Where a download stands between attempts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumeState {
    /// Bytes of the response body already in the partial file.
    pub offset: u64,
    /// What identifies the version of the resource those bytes belong to.
    pub validator: Option<Validator>,
    /// The full size of the resource, when the server said.
    pub total: Option<u64>,
}

/// A validator for `If-Range` (RFC 9110 §13.1.5): a strong ETag, else a Last-Modified date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validator {
    /// A strong entity tag, quotes included (`"abc"`).
    ETag(String),
    /// A Last-Modified HTTP date.
    LastModified(String),
}

/// The progress of an attempt, as BackgroundDownloadProgress / BackgroundUploadProgress count it.
/// The flags are this attempt's: the caller keeps them set across attempts (WinRT reports them
/// for the whole operation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Response body bytes in the target, earlier attempts included.
    pub bytes_received: u64,
    /// The response body's full size; 0 while unknown.
    pub total_bytes_to_receive: u64,
    /// Request body bytes sent in this attempt (uploads start again from zero on every attempt).
    pub bytes_sent: u64,
    /// The request body's size.
    pub total_bytes_to_send: u64,
    /// The server ignored the range request and the download started again from zero.
    pub has_restarted: bool,
    /// The resource changed since the bytes already downloaded (another validator).
    pub has_response_changed: bool,
}

/// The final response of an attempt (after redirects): what ResponseInformation reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSummary {
    /// The HTTP status code.
    pub status_code: u32,
    /// The URL that answered (the last redirect's target).
    pub actual_url: url::Url,
    /// The response headers, in order (repeated names repeated).
    pub headers: Vec<(String, String)>,
    /// The server accepts byte ranges and sent a validator, so a download can resume.
    pub is_resumable: bool,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The body is complete in the target (a download's partial file is the whole result).
    Completed {
        /// The final response.
        response: ResponseSummary,
    },
    /// A failure that another attempt would not fix as is: an HTTP error status, a refused
    /// redirect, a refused credential, a certificate problem, bad input.
    Failed {
        /// What failed, with its HRESULT.
        error: Error,
        /// `WebError.GetStatus(error.hresult())`: the manager pauses instead of failing when the
        /// app listed it in RecoverableWebErrorStatuses.
        status: WebErrorStatus,
        /// The response that failed, when there was one.
        response: Option<ResponseSummary>,
    },
    /// The network failed (connection refused, reset or closed early, silent for too long):
    /// the caller retries with `resume`.
    Interrupted {
        /// What happened.
        error: Error,
        /// Where to resume.
        resume: ResumeState,
    },
    /// The stop token fired (pause, cancel, shutdown).
    Stopped {
        /// Where to resume.
        resume: ResumeState,
    },
}

impl Outcome {
    /// `Failed` for `error`, with its WebErrorStatus.
    pub(crate) fn failed(error: Error, response: Option<ResponseSummary>) -> Self {
        let status = error.web_error_status();
        Self::Failed { error, status, response }
    }
}
