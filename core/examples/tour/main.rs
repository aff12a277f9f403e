//! `make demo`: a self-contained tour of netrt on loopback, printing what happens.
//!
//! 1. A StreamSocketListener and a StreamSocket exchange the samples' length-prefixed
//!    hello with DataWriter / DataReader.
//! 2. Two DatagramSockets exchange a datagram through MessageReceived.
//! 3. A local TLS server (certificate generated with the `openssl` command) and ConnectAsync
//!    with Tls12, printing what was negotiated; then the STARTTLS sample: plain connect,
//!    length-prefixed hello, UpgradeToSslAsync; then an untrusted certificate as an app sees it.
//! 4. A secure WebSocket (`wss://`) to a local tokio-tungstenite server: refused without a
//!    credential (401 → WebErrorStatus), then connected with a PasswordCredential, a subprotocol
//!    chosen by the server, a message echoed and a close handshake with code and reason.
//! 5. A connection to a closed port fails: HRESULT + SocketErrorStatus, as an app sees it.
//! 6. An app manifest with only `internetClient`, in a child process: `localhost` and
//!    listening are denied, with the HRESULT and message an app sees.

mod capabilities;
mod ws_server;

use std::sync::Arc;
use std::time::Duration;

use netrt::error::{SocketErrorStatus, hresult_message};
use netrt::foundation::Uri;
use netrt::net::{DatagramSocket, SocketProtectionLevel, StreamSocketListener};
use netrt::security::PasswordCredential;
use netrt::tls::Certificate;
use netrt::ws::MessageWebSocket;
use netrt::{DataReader, DataWriter, HostName, StreamSocket};
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    if std::env::var_os(capabilities::CHILD_ENV).is_some() {
        return capabilities::child().await;
    }
    println!("netrt {} — a tour on loopback\n", env!("CARGO_PKG_VERSION"));
    tokio::time::timeout(Duration::from_secs(30), async {
        stream_hello().await?;
        datagram_exchange().await?;
        let pki = generate_certificate()?;
        tls_tour(&pki).await?;
        websocket_tour(&pki).await?;
        refused_connection().await;
        capabilities::tour()?;
        Ok::<_, BoxError>(())
    })
    .await??;
    println!("\ntour finished");
    Ok(())
}

async fn stream_hello() -> Result<(), BoxError> {
    println!("[1] StreamSocketListener + StreamSocket + DataWriter/DataReader");
    let listener = StreamSocketListener::new();
    let (tx, mut accepted) = mpsc::unbounded_channel();
    listener.add_connection_received(Arc::new(move |_listener, args| {
        let _ = tx.send(args.socket());
    }))?;
    listener.bind_service_name("").await?;
    let port = listener.information().local_port();
    println!("    listener bound to port {port} (IPv4 and IPv6)");

    let client = StreamSocket::new();
    client.connect(&HostName::new("localhost")?, &port).await?;
    let info = client.information();
    println!(
        "    client connected {}:{} -> {}:{}",
        info.local_address().map(|h| h.to_string()).unwrap_or_default(),
        info.local_port(),
        info.remote_address().map(|h| h.to_string()).unwrap_or_default(),
        info.remote_port()
    );

    // The sample's hello: Int32 length (UTF-8 bytes) + the string, then DetachStream.
    let writer = DataWriter::with_stream(client.output_stream());
    let hello = "Hello, World! ☺ ";
    let len = writer.measure_string(hello)?;
    writer.write_int32(len as i32)?;
    writer.write_string(hello)?;
    let stored = writer.store().await?;
    writer.detach_stream()?;
    println!("    client: sent hello ({stored} bytes: 4-byte length + {len} bytes UTF-8)");

    let server = accepted.recv().await.ok_or("no connection received")?;
    let reader = DataReader::new(server.input_stream());
    reader.load(4).await?;
    let n = reader.read_int32()? as u32;
    reader.load(n).await?;
    let text = reader.read_string(n)?;
    reader.detach_stream()?;
    println!("    server: received {text:?} ({n} bytes)");

    let rtt = info.round_trip_time_statistics()?;
    println!("    TCP_INFO round trip: min {} µs, max {} µs, variance {} µs", rtt.min, rtt.max, rtt.variance);
    client.close();
    server.close();
    listener.close();
    Ok(())
}

async fn datagram_exchange() -> Result<(), BoxError> {
    println!("[2] DatagramSocket + MessageReceived");
    let receiver = DatagramSocket::new();
    let (tx, mut messages) = mpsc::unbounded_channel();
    receiver.add_message_received(Arc::new(move |_socket, args| {
        let _ = tx.send((args.data().to_vec(), args.remote_address().to_string(), args.remote_port()));
    }))?;
    receiver.bind_endpoint(Some(&HostName::new("127.0.0.1")?), "").await?;
    let port = receiver.information().local_port();
    let sender = DatagramSocket::new();
    let out = sender.get_output_stream(&HostName::new("127.0.0.1")?, &port).await?;
    out.write(b"one datagram").await?;
    let (data, from, from_port) = messages.recv().await.ok_or("no datagram")?;
    println!("    received {:?} from {from}:{from_port} on port {port}", String::from_utf8_lossy(&data));
    Ok(())
}

async fn refused_connection() {
    println!("[5] errors as HRESULTs");
    // Nothing listens on a port we just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    let socket = StreamSocket::new();
    let host = HostName::new("127.0.0.1").expect("literal");
    match socket.connect(&host, &port.to_string()).await {
        Ok(()) => println!("    unexpectedly connected to port {port}"),
        Err(e) => {
            let status = e.socket_error_status();
            println!("    connect to port {port} failed: HRESULT 0x{:08X}", e.hresult() as u32);
            println!("    SocketError.GetStatus -> {status} ({})", status as i32);
            println!("    detail: {}", e.message());
            println!("    system message: {}", hresult_message(e.hresult()));
            if status == SocketErrorStatus::Unknown {
                println!("    (Unknown would mean: fatal, do not retry)");
            }
        }
    }
    match StreamSocket::new().connect(&HostName::new("no-such-host.invalid").expect("name"), "http").await {
        Ok(()) => println!("    unexpectedly resolved a .invalid name"),
        Err(e) => println!(
            "    connect to no-such-host.invalid: HRESULT 0x{:08X} -> {}",
            e.hresult() as u32,
            e.socket_error_status()
        ),
    }
}

/// The tour's server certificate, with its PEM forms (for the WebSocket server).
struct TourPki {
    certificate: Certificate,
    cert_pem: String,
    key_pem: String,
}

/// A self-signed certificate for localhost, made by the `openssl` command line.
fn generate_certificate() -> Result<TourPki, BoxError> {
    let dir = std::env::temp_dir().join(format!("netrt-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
        ])
        .args(["-subj", "/CN=localhost/O=netrt tour"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        return Err("openssl req failed".into());
    }
    let (cert_pem, key_pem) = (std::fs::read_to_string(&cert)?, std::fs::read_to_string(&key)?);
    let certificate = Certificate::from_pem(&cert_pem, Some(&key_pem))?;
    std::fs::remove_dir_all(&dir)?;
    Ok(TourPki { certificate, cert_pem, key_pem })
}

async fn tls_tour(pki: &TourPki) -> Result<(), BoxError> {
    println!("[3] TLS");
    let certificate = pki.certificate.clone();
    println!("    generated a certificate for '{}' with openssl", certificate.subject());
    let public_only = Certificate::from_der(&certificate.to_der())?;

    // A netrt TLS listener (a netrt extension: WinRT listeners are plaintext only).
    let listener = StreamSocketListener::new();
    listener.control().set_server_certificate(Some(certificate.clone()))?;
    let (tx, mut accepted) = mpsc::unbounded_channel();
    listener.add_connection_received(Arc::new(move |_l, args| {
        let _ = tx.send(args.socket());
    }))?;
    listener.bind_service_name_with_protection_level("", SocketProtectionLevel::Tls12).await?;
    let port = listener.information().local_port();

    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![public_only.clone()])?;
    client
        .connect_with_protection_level(&HostName::new("localhost")?, &port, SocketProtectionLevel::Tls12)
        .await?;
    let info = client.information();
    let version = match info.negotiated_tls_version() {
        netrt::tls::TlsVersion::Tls13 => "TLS 1.3",
        netrt::tls::TlsVersion::Tls12 => "TLS 1.2",
        netrt::tls::TlsVersion::None => "?",
    };
    println!(
        "    ConnectAsync(localhost, {port}, Tls12): {version} (Tls12 allows 1.2 and 1.3), {}, server certificate '{}'",
        info.cipher_suite(),
        info.server_certificate().map(|c| c.subject().to_string()).unwrap_or_default()
    );
    let server = accepted.recv().await.ok_or("no TLS connection")?;
    client.write_all(b"encrypted hello").await?;
    let mut buf = [0u8; 15];
    let mut got = 0;
    while got < buf.len() {
        got += server.read_some(&mut buf[got..]).await?;
    }
    println!("    server read {:?} over TLS", String::from_utf8_lossy(&buf));
    client.close();
    listener.close();

    // The STARTTLS sample: plain connect, hello, then UpgradeToSslAsync.
    let plain = StreamSocketListener::new();
    let (tx, mut accepted) = mpsc::unbounded_channel();
    plain.add_connection_received(Arc::new(move |_l, args| {
        let _ = tx.send(args.socket());
    }))?;
    plain.bind_service_name("").await?;
    let port = plain.information().local_port();
    let server_side = {
        let certificate = certificate.clone();
        tokio::spawn(async move {
            let server = accepted.recv().await.ok_or("no connection")?;
            let reader = DataReader::new(server.input_stream());
            reader.load(4).await?;
            let n = reader.read_int32()? as u32;
            reader.load(n).await?;
            let hello = reader.read_string(n)?;
            reader.detach_stream()?;
            server.upgrade_to_ssl_as_server(SocketProtectionLevel::Tls12, &certificate).await?;
            Ok::<_, BoxError>((server, hello))
        })
    };
    let client = StreamSocket::new();
    client.control().set_trusted_root_certificates(vec![public_only])?;
    let host = HostName::new("localhost")?;
    client.connect_with_protection_level(&host, &port, SocketProtectionLevel::PlainSocket).await?;
    let writer = DataWriter::with_stream(client.output_stream());
    let hello = "Hello, World! ☺ ";
    writer.write_int32(writer.measure_string(hello)? as i32)?;
    writer.write_string(hello)?;
    writer.store().await?;
    writer.detach_stream()?;
    println!("    Client: sent hello in plaintext");
    client.upgrade_to_ssl(SocketProtectionLevel::Tls12, &host).await?;
    let (server, received) = server_side.await??;
    println!(
        "    Client: upgrade to SSL completed ({}); the server had read {received:?} before upgrading",
        client.information().cipher_suite()
    );
    client.close();
    server.close();
    plain.close();

    // An untrusted certificate, as an app sees it.
    let listener = StreamSocketListener::new();
    listener.control().set_server_certificate(Some(certificate))?;
    listener.bind_service_name_with_protection_level("", SocketProtectionLevel::Tls12).await?;
    let untrusting = StreamSocket::new();
    let port = listener.information().local_port();
    match untrusting.connect_with_protection_level(&host, &port, SocketProtectionLevel::Tls12).await {
        Ok(()) => println!("    unexpectedly trusted a self-signed certificate"),
        Err(e) => {
            let info = untrusting.information();
            println!(
                "    without trusting it: HRESULT 0x{:08X} -> {}; ServerCertificateErrors {:?}, severity {:?}",
                e.hresult() as u32,
                e.socket_error_status(),
                info.server_certificate_errors(),
                info.server_certificate_error_severity()
            );
        }
    }
    listener.close();
    Ok(())
}

/// A MessageWebSocket trusting the tour's certificate and offering two subprotocols.
fn tour_web_socket(pki: &TourPki) -> Result<MessageWebSocket, BoxError> {
    let socket = MessageWebSocket::new();
    let control = socket.control();
    control.trusted_root_certificates().append(Certificate::from_der(&pki.certificate.to_der())?)?;
    for protocol in ["chat.v1", "chat.v2"] {
        control.supported_protocols().append(protocol.to_owned())?;
    }
    Ok(socket)
}

async fn websocket_tour(pki: &TourPki) -> Result<(), BoxError> {
    println!("[4] Secure WebSocket");
    let port = ws_server::start(&pki.cert_pem, &pki.key_pem).await?;
    let uri = Uri::new(&format!("wss://localhost:{port}/chat"))?;

    let anonymous = tour_web_socket(pki)?;
    match anonymous.connect(&uri).await {
        Ok(()) => println!("    unexpectedly connected without a credential"),
        Err(e) => println!(
            "    ConnectAsync({}) without a credential: HRESULT 0x{:08X} -> WebErrorStatus {:?}",
            uri.absolute_uri(),
            e.hresult() as u32,
            e.web_error_status()
        ),
    }

    let socket = tour_web_socket(pki)?;
    let credential =
        PasswordCredential::with_fields(&uri.absolute_uri(), ws_server::USER, ws_server::PASSWORD)?;
    socket.control().set_server_credential(Some(credential))?;
    let (tx, mut messages) = mpsc::unbounded_channel();
    socket.add_message_received(Arc::new(move |_socket, args| {
        let _ = tx.send(args.data());
    }))?;
    let (tx, mut closed) = mpsc::unbounded_channel();
    socket.add_closed(Arc::new(move |_socket, args| {
        let _ = tx.send((args.code(), args.reason().to_owned()));
    }))?;
    socket.connect(&uri).await?;
    println!(
        "    with a PasswordCredential (sent only after the 401): connected, offered [chat.v1, chat.v2], server chose {:?}",
        socket.information().protocol().unwrap_or_default()
    );
    socket.send_message("hello over wss".as_bytes()).await?;
    let echo = messages.recv().await.ok_or("no message")??;
    println!("    MessageReceived: {:?}", String::from_utf8_lossy(&echo));
    socket.close_with_status(1000, "tour finished")?;
    let (code, reason) = closed.recv().await.ok_or("no Closed event")?;
    println!(
        "    Close(1000, \"tour finished\"): the server answered; Closed raised with code {code}, reason {reason:?}"
    );
    Ok(())
}
