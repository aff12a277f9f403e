//! The plaintext part of STARTTLS for the `--starttls` presets: what each protocol says before
//! the TLS handshake (RFC 3207 SMTP, RFC 2595 IMAP and POP3, RFC 4217 FTP, RFC 6120 XMPP).
//!
//! Replies are read through a `DataReader` on the socket and only as far as each reply goes.
//! Anything the server sends beyond its "go ahead" stays unread in that reader, so netrt's
//! `UpgradeToSslAsync` sees it and refuses with `NETRT_E_STARTTLS_PLAINTEXT_PENDING`: bytes
//! injected in plaintext are never taken as if they had come over TLS.

use netrt::error::hresult::WININET_E_INVALID_SERVER_RESPONSE;
use netrt::io::InputStreamOptions;
use netrt::{DataReader, StreamSocket};

use crate::args::StartTlsProtocol;

/// The longest reply line accepted; a server sending more is not speaking the protocol.
const MAX_LINE: usize = 8 * 1024;

/// A plaintext conversation: the lines sent (`C: `) and received (`S: `), for the report.
pub struct Exchange {
    socket: StreamSocket,
    reader: DataReader,
    pub transcript: Vec<String>,
}

impl Exchange {
    pub fn new(socket: &StreamSocket) -> netrt::Result<Exchange> {
        let reader = DataReader::new(socket.input_stream());
        // Load whatever has arrived rather than waiting for a fixed count.
        reader.set_input_stream_options(InputStreamOptions::Partial)?;
        Ok(Exchange { socket: socket.clone(), reader, transcript: Vec::new() })
    }

    /// Runs the protocol's exchange up to the server's permission to start TLS.
    pub async fn negotiate(&mut self, protocol: StartTlsProtocol, host: &str) -> netrt::Result<()> {
        match protocol {
            StartTlsProtocol::Smtp => {
                self.expect_reply("220").await?;
                self.send("EHLO netrt.invalid").await?;
                let capabilities = self.expect_reply("250").await?;
                if !capabilities
                    .iter()
                    .any(|l| l.get(4..).is_some_and(|c| c.eq_ignore_ascii_case("STARTTLS")))
                {
                    return Err(refused("smtp", "the server's EHLO reply does not offer STARTTLS"));
                }
                self.send("STARTTLS").await?;
                self.expect_reply("220").await?;
            }
            StartTlsProtocol::Ftp => {
                self.expect_reply("220").await?;
                self.send("AUTH TLS").await?;
                self.expect_reply("234").await?;
            }
            StartTlsProtocol::Pop3 => {
                self.expect_prefix("pop3", "+OK").await?;
                self.send("STLS").await?;
                self.expect_prefix("pop3", "+OK").await?;
            }
            StartTlsProtocol::Imap => {
                self.expect_prefix("imap", "* OK").await?;
                self.send("a1 STARTTLS").await?;
                // Untagged lines may come first; the tagged one is the answer.
                loop {
                    let line = self.line().await?;
                    if let Some(status) = line.strip_prefix("a1 ") {
                        if status.len() >= 2 && status[..2].eq_ignore_ascii_case("OK") {
                            break;
                        }
                        return Err(refused("imap", &format!("the server answered STARTTLS with {line:?}")));
                    }
                }
            }
            StartTlsProtocol::Xmpp => {
                self.send_raw(&format!(
                    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                     xmlns:stream='http://etherx.jabber.org/streams' to='{}' version='1.0'>",
                    xml_escape(host)
                ))
                .await?;
                let features = self.read_until("</stream:features>").await?;
                if !features.contains("<starttls") {
                    return Err(refused("xmpp", "the server's stream features do not offer <starttls>"));
                }
                self.send_raw("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>").await?;
                let answer = self.read_until("/>").await?;
                if !answer.contains("<proceed") {
                    return Err(refused("xmpp", &format!("the server answered <starttls> with {answer:?}")));
                }
            }
        }
        Ok(())
    }

    /// Ends the plaintext part after a successful upgrade: the socket stays open.
    pub fn finish(self) -> netrt::Result<()> {
        self.reader.detach_stream().map(|_| ())
    }

    async fn send(&mut self, line: &str) -> netrt::Result<()> {
        self.send_raw(&format!("{line}\r\n")).await
    }

    async fn send_raw(&mut self, text: &str) -> netrt::Result<()> {
        self.transcript.push(format!("C: {}", text.trim_end()));
        self.socket.write_all(text.as_bytes()).await
    }

    /// One byte, loading more when what was loaded is used up.
    async fn byte(&mut self) -> netrt::Result<u8> {
        if self.reader.unconsumed_buffer_length()? == 0 && self.reader.load(4096).await? == 0 {
            return Err(refused("starttls", "the server closed the connection before TLS started"));
        }
        self.reader.read_byte()
    }

    /// One line without its CR LF.
    async fn line(&mut self) -> netrt::Result<String> {
        let mut bytes = Vec::new();
        loop {
            match self.byte().await? {
                b'\n' => break,
                byte => bytes.push(byte),
            }
            if bytes.len() > MAX_LINE {
                return Err(refused("starttls", "the server sent a line longer than 8 KiB"));
            }
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        let line = String::from_utf8_lossy(&bytes).into_owned();
        self.transcript.push(format!("S: {line}"));
        Ok(line)
    }

    /// Bytes up to and including the first `end`.
    async fn read_until(&mut self, end: &str) -> netrt::Result<String> {
        let mut bytes = Vec::new();
        while !bytes.ends_with(end.as_bytes()) {
            bytes.push(self.byte().await?);
            if bytes.len() > 16 * MAX_LINE {
                return Err(refused("xmpp", &format!("no {end:?} in the server's first 128 KiB")));
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        self.transcript.push(format!("S: {text}"));
        Ok(text)
    }

    /// A reply `code` (multi-line `code-...` lines included, as SMTP and FTP send them).
    async fn expect_reply(&mut self, code: &str) -> netrt::Result<Vec<String>> {
        let mut lines = Vec::new();
        loop {
            let line = self.line().await?;
            let last = line.len() == 3 || line.as_bytes().get(3) == Some(&b' ');
            lines.push(line);
            if last {
                break;
            }
        }
        let answer = lines.last().map(String::as_str).unwrap_or_default();
        if !answer.starts_with(code) {
            return Err(refused("starttls", &format!("expected a {code} reply, the server said {answer:?}")));
        }
        Ok(lines)
    }

    async fn expect_prefix(&mut self, protocol: &str, prefix: &str) -> netrt::Result<()> {
        let line = self.line().await?;
        if line.starts_with(prefix) {
            Ok(())
        } else {
            Err(refused(protocol, &format!("expected {prefix:?}, the server said {line:?}")))
        }
    }
}

/// The server did not follow the protocol (or declined STARTTLS): an invalid server response.
fn refused(protocol: &str, what: &str) -> netrt::Error {
    netrt::Error::new(WININET_E_INVALID_SERVER_RESPONSE, format!("{protocol} STARTTLS: {what}"))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('\'', "&apos;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_cannot_break_out_of_the_xmpp_attribute() {
        assert_eq!(xml_escape("a'b<c>&"), "a&apos;b&lt;c&gt;&amp;");
    }
}
