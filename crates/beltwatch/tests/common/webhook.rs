//! A webhook receiver on a loopback port, recording every delivery it is sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Received {
    pub delivery: String,
    pub signature: String,
    pub body: String,
    pub answered: u16,
}

/// A webhook receiver on `port` answering `status` until stopped.
pub struct Receiver {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    pub fn start(listener: TcpListener, status: u16, log: Arc<Mutex<Vec<Received>>>) -> Self {
        Self::start_slow(listener, status, Duration::ZERO, 0, log)
    }

    /// A receiver that takes `delay` over each post before it answers, and answers 503 to
    /// the first `failing` posts.
    pub fn start_slow(
        listener: TcpListener,
        status: u16,
        delay: Duration,
        failing: usize,
        log: Arc<Mutex<Vec<Received>>>,
    ) -> Self {
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let status = if log.lock().expect("log").len() < failing { 503 } else { status };
                        handle(stream, status, delay, &log)
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Receiver { stop, thread: Some(thread) }
    }

    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn handle(stream: TcpStream, status: u16, delay: Duration, log: &Mutex<Vec<Received>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim_end().to_owned());
    }
    let header = |name: &str| {
        headers
            .iter()
            .find_map(|h| {
                h.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let length: usize = header("content-length").parse().unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    log.lock().expect("log").push(Received {
        delivery: header("x-beltwatch-delivery"),
        signature: header("x-beltwatch-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered: status,
    });
    std::thread::sleep(delay);
    let mut stream = reader.into_inner();
    let _ = write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = stream.flush();
}
