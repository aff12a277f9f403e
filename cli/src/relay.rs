//! stdin → socket and socket → stdout, as `nc` and `openssl s_client` do.

use std::time::Duration;

use netrt::StreamSocket;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::failure::Failure;

/// How long to go on reading after stdin ends: `None` waits for the peer to close.
#[derive(Debug, Clone, Copy)]
pub struct AfterEof(pub Option<Duration>);

impl AfterEof {
    pub fn from_seconds(seconds: Option<u32>) -> Self {
        AfterEof(seconds.map(|s| Duration::from_secs(u64::from(s))))
    }
}

/// Relays until the peer closes the connection, or until `input` (stdin, possibly with bytes
/// already buffered before a STARTTLS upgrade) has ended and `after_eof` has passed. The socket
/// is closed at the end.
pub async fn relay(
    socket: &StreamSocket,
    input: &mut (impl AsyncRead + Unpin),
    after_eof: AfterEof,
) -> Result<(), Failure> {
    let outcome = tokio::select! {
        r = socket_to_stdout(socket) => r,
        r = input_to_socket(socket, input, after_eof) => r,
    };
    socket.close();
    outcome
}

/// Copies what the peer sends to stdout until it closes the connection.
pub async fn socket_to_stdout(socket: &StreamSocket) -> Result<(), Failure> {
    let mut stdout = tokio::io::stdout();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = socket.read_some(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        // stdout closed (e.g. `| head -1`): nothing left to relay to.
        if stdout.write_all(&buf[..n]).await.is_err() || stdout.flush().await.is_err() {
            return Ok(());
        }
    }
}

/// Copies `input` to the socket; at end of file waits as `after_eof` says, then returns.
async fn input_to_socket(
    socket: &StreamSocket,
    input: &mut (impl AsyncRead + Unpin),
    after_eof: AfterEof,
) -> Result<(), Failure> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        // A read error on stdin (e.g. a closed terminal) ends the input like end of file.
        let n = input.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        socket.write_all(&buf[..n]).await?;
    }
    match after_eof.0 {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending::<()>().await,
    }
    Ok(())
}
