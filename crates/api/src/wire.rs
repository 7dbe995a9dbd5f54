//! The connections under the server. hyper answers a request it cannot read by itself,
//! before any route runs: 400 for a malformed request line or header (such as a
//! Content-Length that is not a number, or bytes a URL may not hold), 414 for a URL over
//! 64 KiB, 431 for a header section over its buffer. It offers no way to shape those
//! answers, so each connection is watched as it is written: such an answer (one of those
//! statuses, `connection: close`, an empty body, last on its connection) is replaced by
//! the same status with problem details, as every other error the server sends.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use crate::problem::Problem;

/// A listener whose connections are [`Guarded`].
pub struct Listener(pub TcpListener);

impl axum::serve::Listener for Listener {
    type Io = Guarded<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, address) = axum::serve::Listener::accept(&mut self.0).await;
        (Guarded { inner: io, pending: Vec::new(), written: 0 }, address)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A connection whose parse-error answers are rewritten as problem details.
pub struct Guarded<S> {
    inner: S,
    /// Bytes accepted from hyper and not yet written: the rewritten answer.
    pending: Vec<u8>,
    written: usize,
}

impl<S: AsyncWrite + Unpin> Guarded<S> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        ready!(this.drain(cx))?;
        if let Some(start) = parse_error_answer(buf) {
            let mut out = buf[..start].to_vec();
            out.extend_from_slice(&as_problem(&buf[start..]));
            this.pending = out;
            // Written now if the socket takes it, else by the flush hyper asks for next.
            if let Poll::Ready(Err(e)) = this.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Where hyper's own answer to a request it could not read starts in `buf`, if `buf` ends
/// with one: `HTTP/1.1 400|414|431 ...`, with `connection: close` and `content-length: 0`
/// among its headers and nothing after them. The routes never answer so: their errors
/// are problems, with a body.
fn parse_error_answer(buf: &[u8]) -> Option<usize> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let start = buf.windows(9).rposition(|w| w == b"HTTP/1.1 ")?;
    let head = std::str::from_utf8(&buf[start..]).ok()?;
    if head.find("\r\n\r\n") != Some(head.len() - 4) {
        return None;
    }
    let mut lines = head[..head.len() - 4].split("\r\n");
    let status = lines.next()?.get(9..12)?;
    if !matches!(status, "400" | "414" | "431") {
        return None;
    }
    let headers: Vec<String> = lines.map(str::to_ascii_lowercase).collect();
    let has = |line: &str| headers.iter().any(|h| h.split_whitespace().collect::<Vec<_>>().join(" ") == line);
    (has("connection: close") && has("content-length: 0")).then_some(start)
}

/// hyper's answer `head`, with problem details as its body.
fn as_problem(head: &[u8]) -> Vec<u8> {
    let head = String::from_utf8_lossy(head);
    let mut lines = head.trim_end().split("\r\n");
    let status_line = lines.next().unwrap_or("HTTP/1.1 400 Bad Request");
    let status = status_line
        .get(9..12)
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::BAD_REQUEST);
    let detail = match status.as_u16() {
        414 => "the URL is longer than the server reads (64 KiB)",
        431 => "the request's header section is larger than the server reads, or has too many headers",
        _ => {
            "the request could not be read: its request line or a header is malformed (such as a Content-Length \
             that is not a number, or bytes that a URL may not hold)"
        }
    };
    let body = serde_json::to_vec(&Problem::new(status, detail)).unwrap_or_default();
    let mut out = format!("{status_line}\r\n");
    for line in lines.filter(|l| !l.to_ascii_lowercase().starts_with("content-length:")) {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!("content-type: application/problem+json\r\ncontent-length: {}\r\n\r\n", body.len()));
    let mut out = out.into_bytes();
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_own_answers_are_rewritten() {
        let hyper = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Fri, 04 Dec 2026 16:08:02 GMT\r\n\r\n";
        assert_eq!(parse_error_answer(hyper), Some(0));
        let mut after_another = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec();
        after_another.extend_from_slice(hyper);
        assert_eq!(parse_error_answer(&after_another), Some(40));
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(parse_error_answer(ours), None, "no connection: close");
        let ok = b"HTTP/1.1 204 No Content\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(parse_error_answer(ok), None);
        let rewritten = String::from_utf8(as_problem(hyper)).expect("text");
        let (head, body) = rewritten.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ndate: "), "{head}");
        assert!(head.ends_with(&format!("content-type: application/problem+json\r\ncontent-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(problem["status"], 400);
    }
}
