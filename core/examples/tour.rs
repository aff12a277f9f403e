//! `make demo`: a self-contained tour of netrt on loopback, printing what happens.
//!
//! 1. A StreamSocketListener and a StreamSocket exchange the seed sample's length-prefixed
//!    hello with DataWriter / DataReader.
//! 2. Two DatagramSockets exchange a datagram through MessageReceived.
//! 3. A connection to a closed port fails: HRESULT + SocketErrorStatus, as an app sees it.

use std::sync::Arc;
use std::time::Duration;

use netrt::error::{SocketErrorStatus, hresult_message};
use netrt::net::{DatagramSocket, StreamSocketListener};
use netrt::{DataReader, DataWriter, HostName, StreamSocket};
use tokio::sync::mpsc;

type BoxError = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    println!("netrt {} — a tour on loopback\n", env!("CARGO_PKG_VERSION"));
    tokio::time::timeout(Duration::from_secs(30), async {
        stream_hello().await?;
        datagram_exchange().await?;
        refused_connection().await;
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
    }));
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

    // The seed sample: Int32 length (UTF-8 bytes) + the string, then DetachStream.
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
    }));
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
    println!("[3] errors as HRESULTs");
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
