//! Opening an HTTP/1.1 exchange to a URI over netrt's transport, through a proxy tunnel when
//! one applies, answering authentication challenges, and taking the connection over after a
//! `101 Switching Protocols` (the WebSocket handshake).
//!
//! Credentials are sent only in answer to a challenge (never preemptively), each at most once
//! per connect, and only to the origin (or proxy) that asked: redirects are never followed here,
//! so a credential cannot reach another origin (a caller that follows redirects decides which
//! credential each hop gets).

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;

use super::auth::{self, Target};
use super::io::{SocketIo, netrt_error};
use super::proxy::Proxy;
use crate::error::{Error, Result, hresult};
use crate::io::stream::BoxFuture;
use crate::net::{HostName, SocketProtectionLevel, StreamSocket, StreamSocketControl};
use crate::security::PasswordCredential;

/// Called once the server's certificate passed validation, before any HTTP is sent
/// (ServerCustomValidationRequested); an error refuses the server.
pub(crate) type ValidationHook = Arc<dyn Fn(&StreamSocket) -> BoxFuture<'static, Result<()>> + Send + Sync>;

/// How a request reaches its origin.
#[derive(Debug, Clone, Default)]
pub enum ProxyChoice {
    /// The environment decides (`https_proxy`, `http_proxy`, `all_proxy`, `no_proxy`).
    #[default]
    Environment,
    /// Always through this proxy.
    Explicit(Proxy),
    /// Never through a proxy.
    Direct,
}

impl ProxyChoice {
    /// The text form the C and Python projections use: no text is the environment, `""`
    /// direct, anything else a proxy URL ([`Proxy::parse`]; `E_INVALIDARG` when it is not one).
    pub fn from_text(text: Option<&str>) -> Result<Self> {
        Ok(match text {
            None => Self::Environment,
            Some("") => Self::Direct,
            Some(url) => Self::Explicit(Proxy::parse(url)?),
        })
    }

    /// The inverse of [`ProxyChoice::from_text`]: an explicit proxy as `http://host:port`
    /// (an IPv6 host in brackets).
    pub fn to_text(&self) -> Option<String> {
        match self {
            Self::Environment => None,
            Self::Direct => Some(String::new()),
            Self::Explicit(p) if p.host.contains(':') => Some(format!("http://[{}]:{}", p.host, p.port)),
            Self::Explicit(p) => Some(format!("http://{}:{}", p.host, p.port)),
        }
    }
}

/// Everything a request needs from its control, taken when the request starts.
#[derive(Clone, Default)]
pub(crate) struct RequestSettings {
    /// Socket settings (client certificate, ignorable errors, trusted roots, buffer sizes,
    /// timeouts) copied into every connection this request opens.
    pub socket: Option<StreamSocketControl>,
    pub server_credential: Option<PasswordCredential>,
    pub proxy_credential: Option<PasswordCredential>,
    pub proxy: ProxyChoice,
    /// Extra request headers, in order.
    pub headers: Vec<(String, String)>,
    pub validation: Option<ValidationHook>,
}

/// The origin a URI names.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub host: String,
    pub port: u16,
    pub secure: bool,
}

impl Origin {
    pub(crate) fn of(url: &url::Url) -> Result<Self> {
        let secure = match url.scheme() {
            "ws" | "http" => false,
            "wss" | "https" => true,
            other => {
                return Err(Error::invalid_arg(format!(
                    "the URI scheme must be ws, wss, http or https, not {other}"
                )));
            }
        };
        let host =
            url.host_str().ok_or_else(|| Error::invalid_arg(format!("the URI '{url}' has no host")))?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let port = url.port_or_known_default().unwrap_or(if secure { 443 } else { 80 });
        Ok(Self { host, port, secure })
    }

    /// `host:port` with IPv6 brackets: the CONNECT target and the Host header.
    pub(crate) fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    fn host_header(&self) -> String {
        let default = if self.secure { 443 } else { 80 };
        if self.port == default {
            if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() }
        } else {
            self.authority()
        }
    }
}

/// A request whose response came back 101: the connection to keep using.
pub(crate) struct Switched {
    pub socket: StreamSocket,
    pub response: hyper::Response<hyper::body::Incoming>,
    pub io: TokioIo<Upgraded>,
}

/// Checks that `name: value` is a header HTTP allows (`E_INVALIDARG` naming the problem).
pub(crate) fn check_header(name: &str, value: &str) -> Result<()> {
    if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(Error::invalid_arg(format!("'{name}' is not a valid HTTP header name")));
    }
    if hyper::header::HeaderValue::from_str(value).is_err() {
        return Err(Error::invalid_arg(format!(
            "the value of header '{name}' contains characters HTTP does not allow"
        )));
    }
    Ok(())
}

/// The headers of the request, beyond Host and the ones the caller's control adds.
pub(crate) type HeaderList = Vec<(String, String)>;

fn hyper_error(e: &hyper::Error, what: &str) -> Error {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return netrt_error(io, what);
        }
        source = s.source();
    }
    let hr = if e.is_incomplete_message() || e.is_canceled() {
        hresult::WININET_E_CONNECTION_RESET
    } else {
        hresult::WININET_E_INVALID_SERVER_RESPONSE
    };
    Error::new(hr, format!("{what}: {e}"))
}

fn new_socket(settings: &RequestSettings) -> Result<StreamSocket> {
    let socket = StreamSocket::new();
    if let Some(template) = &settings.socket {
        // The settings as stored, not as the getters report them: an unset send buffer size
        // must stay unset (reading it gives the system default, and setting that explicitly
        // would switch off the kernel's buffer autotuning).
        *socket.control().shared.lock() = template.shared.snapshot();
    }
    Ok(socket)
}

/// Sends one request on a fresh hyper connection over `socket`; the connection task runs on
/// the netrt runtime and hands the socket back on an upgrade.
async fn exchange<B>(
    socket: &StreamSocket,
    request: hyper::Request<B>,
) -> Result<hyper::Response<hyper::body::Incoming>>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let io = TokioIo::new(SocketIo::new(socket.clone()));
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(io).await.map_err(|e| hyper_error(&e, "HTTP handshake"))?;
    crate::runtime::handle().spawn(async move {
        // Its errors reach the caller through send_request.
        let _ = conn.with_upgrades().await;
    });
    sender.send_request(request).await.map_err(|e| hyper_error(&e, "HTTP request"))
}

fn challenges(response: &hyper::Response<hyper::body::Incoming>, header: &str) -> Vec<auth::Challenge> {
    let values: Vec<&str> =
        response.headers().get_all(header).iter().filter_map(|v| v.to_str().ok()).collect();
    auth::parse_challenges(&values)
}

/// The credential answering a challenge, computed once; `None` when there is nothing to send
/// (no credential, a scheme netrt does not speak, or this credential was already refused).
fn answer_challenge(
    response: &hyper::Response<hyper::body::Incoming>,
    header: &str,
    credential: Option<&PasswordCredential>,
    already_sent: bool,
    target: &Target<'_>,
) -> Option<String> {
    if already_sent {
        return None;
    }
    auth::answer(&challenges(response, header), credential?, target, &auth::fresh_cnonce())
}

/// A connection through `proxy` with a CONNECT tunnel to `origin`, answering one 407.
async fn tunnel(origin: &Origin, proxy: &Proxy, settings: &RequestSettings) -> Result<StreamSocket> {
    let credential = settings.proxy_credential.clone().or_else(|| proxy.url_credential.clone());
    let authority = origin.authority();
    let mut authorization: Option<String> = None;
    loop {
        let socket = new_socket(settings)?;
        let proxy_host = HostName::new(&proxy.host)?;
        socket
            .connect(&proxy_host, &proxy.port.to_string())
            .await
            .map_err(|e| e.context(format!("connect to the proxy {}:{}", proxy.host, proxy.port)))?;
        let mut request = hyper::Request::builder().method(hyper::Method::CONNECT).uri(authority.as_str());
        request = request.header(hyper::header::HOST, authority.as_str());
        if let Some(value) = &authorization {
            request = request.header(hyper::header::PROXY_AUTHORIZATION, value.as_str());
        }
        let request =
            request.body(Empty::new()).map_err(|e| Error::invalid_arg(format!("CONNECT request: {e}")))?;
        let response = exchange(&socket, request).await?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            let upgraded =
                hyper::upgrade::on(response).await.map_err(|e| hyper_error(&e, "CONNECT tunnel"))?;
            let parts = upgraded.downcast::<TokioIo<SocketIo>>().map_err(|_| {
                Error::new(hresult::E_UNEXPECTED, "the CONNECT tunnel did not hand back netrt's connection")
            })?;
            if !parts.read_buf.is_empty() || parts.io.inner().has_unread() {
                socket.close();
                return Err(Error::new(
                    hresult::WININET_E_INVALID_SERVER_RESPONSE,
                    "the proxy sent data after its CONNECT response, before the tunnel was used",
                ));
            }
            return Ok(socket);
        }
        socket.close();
        if status == 407 {
            let target = Target { method: "CONNECT", uri: &authority };
            let answer = answer_challenge(
                &response,
                "proxy-authenticate",
                credential.as_ref(),
                authorization.is_some(),
                &target,
            );
            if let Some(value) = answer {
                authorization = Some(value);
                continue;
            }
        }
        return Err(Error::from_http_status(status, format!("CONNECT {authority} through the proxy")));
    }
}

/// Opens a connection to `origin` (direct or tunnelled, TLS for a secure origin) and runs the
/// validation hook on it.
async fn open(origin: &Origin, url: &url::Url, settings: &RequestSettings) -> Result<StreamSocket> {
    let proxy = match &settings.proxy {
        ProxyChoice::Direct => None,
        ProxyChoice::Explicit(p) => Some(p.clone()),
        ProxyChoice::Environment => super::proxy::from_env(url, |n| std::env::var(n).ok())?,
    };
    let level = if origin.secure { SocketProtectionLevel::Tls12 } else { SocketProtectionLevel::PlainSocket };
    let host = HostName::new(&origin.host)?;
    let socket = match proxy {
        None => {
            let socket = new_socket(settings)?;
            socket.connect_with_protection_level(&host, &origin.port.to_string(), level).await?;
            socket
        }
        Some(proxy) => {
            let socket = tunnel(origin, &proxy, settings).await?;
            if origin.secure {
                socket.upgrade_to_ssl(level, &host).await?;
            }
            socket
        }
    };
    if origin.secure
        && let Some(hook) = &settings.validation
        && let Err(e) = hook(&socket).await
    {
        socket.close();
        return Err(e);
    }
    Ok(socket)
}

/// A request body (empty for GET and DELETE).
pub(crate) type RequestBody = http_body_util::Full<Bytes>;

/// One request: what [`send`] sends, before authentication adds its header.
pub(crate) struct Outgoing<'a> {
    pub method: hyper::Method,
    pub url: &'a url::Url,
    /// Headers beyond Host, the control's and Authorization, in order.
    pub headers: &'a HeaderList,
    pub body: Bytes,
}

/// Sends `request` (plus Host, the control's headers and any Authorization a challenge asked
/// for) on a new connection and returns the connection and the response, whatever its status:
/// one 401 is answered when a server credential is set, and its answer's status is returned.
pub(crate) async fn send(
    request: &Outgoing<'_>,
    settings: &RequestSettings,
) -> Result<(StreamSocket, hyper::Response<hyper::body::Incoming>)> {
    let head = RequestHead { method: request.method.clone(), url: request.url, headers: request.headers };
    send_streaming(&head, &|| Ok(RequestBody::new(request.body.clone())), settings).await
}

/// The method, URL and headers of a request whose body [`send_streaming`] makes.
pub(crate) struct RequestHead<'a> {
    pub method: hyper::Method,
    pub url: &'a url::Url,
    /// Headers beyond Host, the control's and Authorization, in order.
    pub headers: &'a HeaderList,
}

/// [`send`] with a body made by `make_body` for each request on the wire (a 401 answered with
/// a credential sends the body again), so a large body can be streamed from disk.
pub(crate) async fn send_streaming<B>(
    request: &RequestHead<'_>,
    make_body: &(dyn Fn() -> Result<B> + Send + Sync),
    settings: &RequestSettings,
) -> Result<(StreamSocket, hyper::Response<hyper::body::Incoming>)>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let url = request.url;
    let origin = Origin::of(url)?;
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let mut authorization: Option<String> = None;
    loop {
        let socket = open(&origin, url, settings).await?;
        let mut builder = hyper::Request::builder().method(request.method.clone()).uri(path.as_str());
        builder = builder.header(hyper::header::HOST, origin.host_header());
        for (name, value) in settings.headers.iter().chain(request.headers) {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(value) = &authorization {
            builder = builder.header(hyper::header::AUTHORIZATION, value.as_str());
        }
        let body = match make_body() {
            Ok(body) => body,
            Err(e) => {
                socket.close();
                return Err(e);
            }
        };
        let built = builder.body(body).map_err(|e| Error::invalid_arg(format!("request header: {e}")))?;
        let response = match exchange(&socket, built).await {
            Ok(r) => r,
            Err(e) => {
                socket.close();
                return Err(e);
            }
        };
        if response.status().as_u16() == 401 {
            let target = Target { method: request.method.as_str(), uri: &path };
            let answer = answer_challenge(
                &response,
                "www-authenticate",
                settings.server_credential.as_ref(),
                authorization.is_some(),
                &target,
            );
            if let Some(value) = answer {
                socket.close();
                authorization = Some(value);
                continue;
            }
        }
        return Ok((socket, response));
    }
}

/// Sends `GET url` with `headers` (plus Host and any Authorization a challenge asked for)
/// and returns the connection once the server switches protocols. Any other final status is
/// an `HTTP_E_STATUS_*` error; one 401 is answered when a server credential is set.
pub(crate) async fn upgrade(
    url: &url::Url,
    headers: &HeaderList,
    settings: &RequestSettings,
) -> Result<Switched> {
    let request = Outgoing { method: hyper::Method::GET, url, headers, body: Bytes::new() };
    let (socket, mut response) = send(&request, settings).await?;
    let status = response.status().as_u16();
    if status == 101 {
        let upgraded =
            hyper::upgrade::on(&mut response).await.map_err(|e| hyper_error(&e, "protocol switch"))?;
        return Ok(Switched { socket, response, io: TokioIo::new(upgraded) });
    }
    socket.close();
    Err(Error::from_http_status(status, format!("GET {url}")))
}

/// Maps a failure reading a response body.
pub(crate) fn body_error(e: &hyper::Error) -> Error {
    hyper_error(e, "HTTP response body")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let o = Origin::of(&url::Url::parse("wss://[::1]:9443/x").unwrap()).unwrap();
        assert_eq!(
            (o.authority(), o.host_header(), o.secure),
            ("[::1]:9443".into(), "[::1]:9443".into(), true)
        );
        let o = Origin::of(&url::Url::parse("ws://h/").unwrap()).unwrap();
        assert_eq!((o.authority(), o.host_header()), ("h:80".into(), "h".into()));
        let e = Origin::of(&url::Url::parse("ftp://h/").unwrap()).unwrap_err();
        assert_eq!(e.hresult(), hresult::E_INVALIDARG);
    }
}
