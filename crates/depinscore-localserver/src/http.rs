//! A tiny HTTP/1.0 client over `TcpStream`: enough to ping and query a local server without
//! pulling an HTTP stack into every test binary.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use crate::{Result, ServerError};

/// An HTTP answer: status code and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: String,
}

/// Sends one request to `127.0.0.1:port` and reads the whole answer (`Connection: close`).
pub(crate) fn request(method: &'static str, port: u16, target: &str, body: &[u8], timeout: Duration) -> Result<Answer> {
    let url = format!("http://127.0.0.1:{port}{target}");
    let fail = |message: String| ServerError::Http { method, url: url.clone(), message };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| fail(e.to_string()))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| fail(e.to_string()))?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| fail(e.to_string()))?;
    let head = format!(
        "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body)).map_err(|e| fail(e.to_string()))?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| fail(format!("malformed answer: {text:?}")))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| fail(format!("malformed status line: {head:?}")))?;
    Ok(Answer { status, body: body.to_string() })
}

/// Percent-encodes a query-string value.
pub(crate) fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode("SELECT version()"), "SELECT%20version%28%29");
        assert_eq!(encode("a-b_c.d~"), "a-b_c.d~");
    }
}
