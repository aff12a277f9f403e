//! Background transfers on the wire: what an app asks the daemon to download or upload, and the
//! state the daemon reports back (and persists). Enumerations travel as their WinRT values.

use super::DecodeError;
use super::codec::{Reader, Writer};

/// A transfer's GUID: 16 bytes in the Windows in-memory layout, as [`super::TaskId`].
pub type TransferId = [u8; 16];

/// Download or upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferKind {
    /// A `DownloadOperation`.
    Download = 0,
    /// An `UploadOperation`.
    Upload = 1,
}

impl TransferKind {
    pub(crate) fn from_u8(v: u8) -> Result<Self, DecodeError> {
        match v {
            0 => Ok(Self::Download),
            1 => Ok(Self::Upload),
            _ => Err(DecodeError::Malformed("unknown transfer kind")),
        }
    }
}

/// A user name and password (`PasswordCredential`). Only the daemon's private state directory
/// ever stores one; the daemon never sends one back.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credential {
    /// `Resource`.
    pub resource: String,
    /// `UserName`.
    pub user_name: String,
    /// `Password`.
    pub password: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential").field("user_name", &self.user_name).finish_non_exhaustive()
    }
}

/// One part of a multipart upload (`BackgroundTransferContentPart`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartSource {
    /// The form field name.
    pub name: Option<String>,
    /// The file name sent in Content-Disposition.
    pub file_name: Option<String>,
    /// The part's headers, in order.
    pub headers: Vec<(String, String)>,
    /// Text content (`SetText`).
    pub text: Option<String>,
    /// File content (`SetFile`): an absolute path.
    pub file: Option<String>,
}

/// Where a request body comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BodySource {
    /// No body.
    #[default]
    None,
    /// A file (an absolute path).
    File(String),
    /// A multipart body.
    Multipart {
        /// The parts, in order.
        parts: Vec<PartSource>,
        /// `multipart/<sub_type>`.
        sub_type: String,
        /// The boundary; the daemon picks one when absent.
        boundary: Option<String>,
    },
}

/// What `CreateDownload`/`CreateUpload` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    /// The operation's GUID (chosen by the client).
    pub guid: TransferId,
    /// Download or upload.
    pub kind: TransferKind,
    /// The HTTP method.
    pub method: String,
    /// The requested URI.
    pub uri: String,
    /// Request headers, in order.
    pub headers: Vec<(String, String)>,
    /// `ServerCredential`.
    pub server_credential: Option<Credential>,
    /// `ProxyCredential`.
    pub proxy_credential: Option<Credential>,
    /// The request body.
    pub body: BodySource,
    /// A download's result file; an upload's source file (empty for other bodies).
    pub path: String,
    /// The transfer group's name (None: no group).
    pub group: Option<String>,
    /// `BackgroundTransferBehavior` of the group (0 Parallel, 1 Serialized).
    pub group_behavior: u8,
    /// `BackgroundTransferPriority`.
    pub priority: u8,
    /// `BackgroundTransferCostPolicy`.
    pub cost_policy: u8,
    /// `RecoverableWebErrorStatuses`, as `WebErrorStatus` values.
    pub recoverable: Vec<u32>,
    /// `IsRandomAccessRequired`.
    pub random_access_required: bool,
}

/// The final response of a transfer (`ResponseInformation`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseInfo {
    /// The HTTP status code.
    pub status_code: u32,
    /// The URI that answered (after redirects).
    pub actual_uri: String,
    /// The response headers, in order.
    pub headers: Vec<(String, String)>,
    /// Whether a download can resume from where it stopped.
    pub is_resumable: bool,
}

/// Where a transfer stands: what `DownloadOperation`/`UploadOperation` read, what the daemon
/// pushes to subscribers and persists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferState {
    /// The request (credentials only in the daemon's own files, never on the wire back).
    pub request: TransferRequest,
    /// `BackgroundTransferStatus`.
    pub status: u32,
    /// Progress counters.
    pub bytes_received: u64,
    /// The response size (0 unknown).
    pub total_bytes_to_receive: u64,
    /// Request body bytes sent.
    pub bytes_sent: u64,
    /// The request body's size.
    pub total_bytes_to_send: u64,
    /// The resource changed since the bytes already downloaded.
    pub has_response_changed: bool,
    /// The download started again from zero.
    pub has_restarted: bool,
    /// `GetResponseInformation`.
    pub response: Option<ResponseInfo>,
    /// `CurrentWebErrorStatus`.
    pub web_error: Option<u32>,
    /// Why the transfer failed: HRESULT and message (status Error).
    pub error: Option<(i32, String)>,
    /// Whether `StartAsync` was called.
    pub started: bool,
    /// The file the response body goes to while running: a download's partial file, an
    /// upload's response body.
    pub body_path: String,
    /// The validator resuming needs: `E<etag>` or `L<date>` (empty: none).
    pub validator: String,
}

fn write_pairs(w: &mut Writer, pairs: &[(String, String)]) {
    w.count(pairs.len());
    for (k, v) in pairs {
        w.str(k);
        w.str(v);
    }
}

fn read_pairs(r: &mut Reader<'_>) -> Result<Vec<(String, String)>, DecodeError> {
    let n = r.count(8)?;
    (0..n).map(|_| Ok((r.str()?, r.str()?))).collect()
}

fn write_opt_str(w: &mut Writer, v: &Option<String>) {
    w.u8(u8::from(v.is_some()));
    if let Some(v) = v {
        w.str(v);
    }
}

fn read_opt_str(r: &mut Reader<'_>) -> Result<Option<String>, DecodeError> {
    Ok(if r.bool()? { Some(r.str()?) } else { None })
}

fn write_credential(w: &mut Writer, c: &Option<Credential>) {
    w.u8(u8::from(c.is_some()));
    if let Some(c) = c {
        w.str(&c.resource);
        w.str(&c.user_name);
        w.str(&c.password);
    }
}

fn read_credential(r: &mut Reader<'_>) -> Result<Option<Credential>, DecodeError> {
    if !r.bool()? {
        return Ok(None);
    }
    Ok(Some(Credential { resource: r.str()?, user_name: r.str()?, password: r.str()? }))
}

impl PartSource {
    fn write(&self, w: &mut Writer) {
        write_opt_str(w, &self.name);
        write_opt_str(w, &self.file_name);
        write_pairs(w, &self.headers);
        write_opt_str(w, &self.text);
        write_opt_str(w, &self.file);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            name: read_opt_str(r)?,
            file_name: read_opt_str(r)?,
            headers: read_pairs(r)?,
            text: read_opt_str(r)?,
            file: read_opt_str(r)?,
        })
    }
}

impl BodySource {
    fn write(&self, w: &mut Writer) {
        match self {
            BodySource::None => w.u8(0),
            BodySource::File(path) => {
                w.u8(1);
                w.str(path);
            }
            BodySource::Multipart { parts, sub_type, boundary } => {
                w.u8(2);
                w.count(parts.len());
                parts.iter().for_each(|p| p.write(w));
                w.str(sub_type);
                write_opt_str(w, boundary);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(BodySource::None),
            1 => Ok(BodySource::File(r.str()?)),
            2 => {
                let n = r.count(9)?;
                let parts = (0..n).map(|_| PartSource::read(r)).collect::<Result<_, _>>()?;
                Ok(BodySource::Multipart { parts, sub_type: r.str()?, boundary: read_opt_str(r)? })
            }
            _ => Err(DecodeError::Malformed("unknown request body kind")),
        }
    }
}

impl TransferRequest {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.raw(&self.guid);
        w.u8(self.kind as u8);
        w.str(&self.method);
        w.str(&self.uri);
        write_pairs(w, &self.headers);
        write_credential(w, &self.server_credential);
        write_credential(w, &self.proxy_credential);
        self.body.write(w);
        w.str(&self.path);
        write_opt_str(w, &self.group);
        w.u8(self.group_behavior);
        w.u8(self.priority);
        w.u8(self.cost_policy);
        w.count(self.recoverable.len());
        self.recoverable.iter().for_each(|s| w.u32(*s));
        w.u8(u8::from(self.random_access_required));
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            guid: r.array()?,
            kind: TransferKind::from_u8(r.u8()?)?,
            method: r.str()?,
            uri: r.str()?,
            headers: read_pairs(r)?,
            server_credential: read_credential(r)?,
            proxy_credential: read_credential(r)?,
            body: BodySource::read(r)?,
            path: r.str()?,
            group: read_opt_str(r)?,
            group_behavior: r.u8()?,
            priority: r.u8()?,
            cost_policy: r.u8()?,
            recoverable: {
                let n = r.count(4)?;
                (0..n).map(|_| r.u32()).collect::<Result<_, _>>()?
            },
            random_access_required: r.bool()?,
        })
    }

    /// The request without its passwords (what the daemon sends back).
    pub fn without_secrets(&self) -> Self {
        let strip =
            |c: &Option<Credential>| c.as_ref().map(|c| Credential { password: String::new(), ..c.clone() });
        Self {
            server_credential: strip(&self.server_credential),
            proxy_credential: strip(&self.proxy_credential),
            ..self.clone()
        }
    }
}

impl TransferState {
    /// A new transfer's state: Idle, nothing transferred.
    pub fn new(request: TransferRequest) -> Self {
        Self {
            request,
            status: 0,
            bytes_received: 0,
            total_bytes_to_receive: 0,
            bytes_sent: 0,
            total_bytes_to_send: 0,
            has_response_changed: false,
            has_restarted: false,
            response: None,
            web_error: None,
            error: None,
            started: false,
            body_path: String::new(),
            validator: String::new(),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        self.request.write(w);
        w.u32(self.status);
        for v in [self.bytes_received, self.total_bytes_to_receive, self.bytes_sent, self.total_bytes_to_send]
        {
            w.u64(v);
        }
        w.u8(u8::from(self.has_response_changed));
        w.u8(u8::from(self.has_restarted));
        w.u8(u8::from(self.response.is_some()));
        if let Some(resp) = &self.response {
            w.u32(resp.status_code);
            w.str(&resp.actual_uri);
            write_pairs(w, &resp.headers);
            w.u8(u8::from(resp.is_resumable));
        }
        w.u8(u8::from(self.web_error.is_some()));
        if let Some(s) = self.web_error {
            w.u32(s);
        }
        w.u8(u8::from(self.error.is_some()));
        if let Some((hr, message)) = &self.error {
            w.i32(*hr);
            w.str(message);
        }
        w.u8(u8::from(self.started));
        w.str(&self.body_path);
        w.str(&self.validator);
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let request = TransferRequest::read(r)?;
        let status = r.u32()?;
        let (bytes_received, total_bytes_to_receive, bytes_sent, total_bytes_to_send) =
            (r.u64()?, r.u64()?, r.u64()?, r.u64()?);
        let has_response_changed = r.bool()?;
        let has_restarted = r.bool()?;
        let response = if r.bool()? {
            Some(ResponseInfo {
                status_code: r.u32()?,
                actual_uri: r.str()?,
                headers: read_pairs(r)?,
                is_resumable: r.bool()?,
            })
        } else {
            None
        };
        let web_error = if r.bool()? { Some(r.u32()?) } else { None };
        let error = if r.bool()? { Some((r.i32()?, r.str()?)) } else { None };
        Ok(Self {
            request,
            status,
            bytes_received,
            total_bytes_to_receive,
            bytes_sent,
            total_bytes_to_send,
            has_response_changed,
            has_restarted,
            response,
            web_error,
            error,
            started: r.bool()?,
            body_path: r.str()?,
            validator: r.str()?,
        })
    }
}

/// What a `TransferCommand` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferAction {
    /// `StartAsync` (also `AttachAsync` of a transfer never started, as Windows does not).
    Start = 0,
    /// `Pause`.
    Pause = 1,
    /// `Resume`.
    Resume = 2,
    /// Cancel (cancelling the start/attach operation).
    Cancel = 3,
}

impl TransferAction {
    pub(crate) fn from_u8(v: u8) -> Result<Self, DecodeError> {
        match v {
            0 => Ok(Self::Start),
            1 => Ok(Self::Pause),
            2 => Ok(Self::Resume),
            3 => Ok(Self::Cancel),
            _ => Err(DecodeError::Malformed("unknown transfer action")),
        }
    }
}

/// A change to a transfer's settings (`TransferChange` message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferChange {
    /// `RequestedUri` (only while paused).
    RequestedUri(String),
    /// `SetRequestHeader` (value `Some`) or `RemoveRequestHeader` (`None`).
    Header(String, Option<String>),
    /// `Priority`.
    Priority(u8),
    /// `CostPolicy`.
    CostPolicy(u8),
    /// `RecoverableWebErrorStatuses`, replaced whole.
    Recoverable(Vec<u32>),
    /// `IsRandomAccessRequired` (only before start).
    RandomAccess(bool),
}

impl TransferChange {
    pub(crate) fn write(&self, w: &mut Writer) {
        match self {
            Self::RequestedUri(uri) => {
                w.u8(0);
                w.str(uri);
            }
            Self::Header(name, value) => {
                w.u8(1);
                w.str(name);
                write_opt_str(w, value);
            }
            Self::Priority(p) => {
                w.u8(2);
                w.u8(*p);
            }
            Self::CostPolicy(p) => {
                w.u8(3);
                w.u8(*p);
            }
            Self::Recoverable(list) => {
                w.u8(4);
                w.count(list.len());
                list.iter().for_each(|s| w.u32(*s));
            }
            Self::RandomAccess(on) => {
                w.u8(5);
                w.u8(u8::from(*on));
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.u8()? {
            0 => Self::RequestedUri(r.str()?),
            1 => Self::Header(r.str()?, read_opt_str(r)?),
            2 => Self::Priority(r.u8()?),
            3 => Self::CostPolicy(r.u8()?),
            4 => {
                let n = r.count(4)?;
                Self::Recoverable((0..n).map(|_| r.u32()).collect::<Result<_, _>>()?)
            }
            5 => Self::RandomAccess(r.bool()?),
            _ => return Err(DecodeError::Malformed("unknown transfer change")),
        })
    }
}
