//! A small SMTP server for the tests: it accepts every mail and keeps it for inspection.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One received mail.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and MIME body).
    pub data: String,
}

impl Received {
    /// The message with quoted-printable undone, so tests can read the Dutch text.
    pub fn decoded(&self) -> String {
        let bytes = self.data.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
                    i += 3;
                    continue;
                }
                if let Some(h) = self
                    .data
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(h);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    pub fn subject(&self) -> String {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or("")
            .to_string()
    }
}

/// The running sink; stops accepting when dropped.
pub struct SmtpSink {
    pub addr: SocketAddr,
    pub mails: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_on(0)
    }

    /// Listens on 127.0.0.1:`port` (0 for any free port).
    pub fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind the SMTP sink");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (mails.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let m = m.clone();
                        std::thread::spawn(move || {
                            let _ = serve(stream, m);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        SmtpSink { addr, mails, stop }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.mails.lock().unwrap().clone()
    }

    /// Waits until at least `n` mails arrived (or `secs` passed) and answers them all.
    pub fn wait_for(&self, n: usize, secs: u64) -> Vec<Received> {
        let until = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < until {
            if self.received().len() >= n {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.received()
    }

    /// Mails to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Let the accept loop see the flag and release the port.
        std::thread::sleep(Duration::from_millis(60));
    }
}

fn strip_angle(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_string()
}

fn serve(stream: TcpStream, mails: Arc<Mutex<Vec<Received>>>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    out.write_all(b"220 planloket-test-sink ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            out.write_all(b"250-planloket-test-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = strip_angle(&cmd[10..]);
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(strip_angle(&cmd[8..]));
            out.write_all(b"250 OK\r\n")?;
        } else if upper == "DATA" {
            out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(
                    line.strip_prefix('.')
                        .filter(|_| line.starts_with(".."))
                        .unwrap_or(&line),
                );
            }
            mails.lock().unwrap().push(Received {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            out.write_all(b"250 OK queued\r\n")?;
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            out.write_all(b"250 OK\r\n")?;
        } else if upper.starts_with("QUIT") {
            out.write_all(b"221 Bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"502 Command not implemented\r\n")?;
        }
    }
}
