//! A non-blocking UDP sender that packs lines into datagrams.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What a client has sent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendStats {
    /// Lines handed to the socket.
    pub lines: u64,
    /// Datagrams handed to the socket.
    pub datagrams: u64,
    /// Datagrams the socket refused (buffer full, network down): their lines are lost, as UDP
    /// allows.
    pub failed_datagrams: u64,
    /// Lines not sent because of a sample rate.
    pub sampled_out: u64,
}

/// Sends lines to one address. Never blocks and never fails: a datagram the socket refuses is
/// counted and dropped.
#[derive(Debug)]
pub(crate) struct Client {
    socket: UdpSocket,
    target: SocketAddr,
    max_packet_size: usize,
    buffer: Mutex<String>,
    random: AtomicU64,
    lines: AtomicU64,
    datagrams: AtomicU64,
    failed_datagrams: AtomicU64,
    sampled_out: AtomicU64,
    warned: AtomicBool,
}

impl Client {
    /// Resolves `host:port` once and opens a non-blocking socket.
    pub(crate) fn connect(host: &str, port: u16, max_packet_size: usize) -> io::Result<Self> {
        let target = (host, port).to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, "the name resolves to no address")
        })?;
        let bind: SocketAddr = if target.is_ipv4() {
            ([0, 0, 0, 0], 0).into()
        } else {
            (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
        };
        let socket = UdpSocket::bind(bind)?;
        socket.set_nonblocking(true)?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0x9E37_79B9, |d| d.as_nanos() as u64);
        Ok(Self {
            socket,
            target,
            max_packet_size,
            buffer: Mutex::new(String::with_capacity(max_packet_size)),
            random: AtomicU64::new(seed),
            lines: AtomicU64::new(0),
            datagrams: AtomicU64::new(0),
            failed_datagrams: AtomicU64::new(0),
            sampled_out: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        })
    }

    /// The daemon's address.
    pub(crate) fn target(&self) -> SocketAddr {
        self.target
    }

    /// Whether a metric with sample rate `rate` is sent this time (counted when not).
    pub(crate) fn sample(&self, rate: f64) -> bool {
        if rate >= 1.0 {
            return true;
        }
        // SplitMix64 over an atomic counter: uniform, lock-free, good enough for sampling.
        let mut z = self
            .random
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let uniform = (z >> 11) as f64 / (1u64 << 53) as f64;
        let keep = uniform < rate;
        if !keep {
            self.sampled_out.fetch_add(1, Ordering::Relaxed);
        }
        keep
    }

    /// Adds a line written by `write` straight into the buffer, sending the lines buffered
    /// before it first if it would not fit in the same datagram.
    pub(crate) fn push_with(&self, write: impl FnOnce(&mut String)) {
        let full = {
            let mut buffer = self.lock();
            let start = buffer.len();
            if start > 0 {
                buffer.push('\n');
            }
            write(&mut buffer);
            if start > 0 && buffer.len() > self.max_packet_size {
                let line = buffer[start + 1..].to_owned();
                buffer.truncate(start);
                Some(std::mem::replace(&mut *buffer, line))
            } else {
                None
            }
        };
        self.lines.fetch_add(1, Ordering::Relaxed);
        if let Some(datagram) = full {
            self.send(&datagram);
        }
    }

    /// Adds a line.
    #[cfg(test)]
    pub(crate) fn push(&self, line: &str) {
        self.push_with(|buffer| buffer.push_str(line));
    }

    /// Sends what is buffered.
    pub(crate) fn flush(&self) {
        let datagram = {
            let mut buffer = self.lock();
            if buffer.is_empty() {
                return;
            }
            std::mem::replace(&mut *buffer, String::with_capacity(self.max_packet_size))
        };
        self.send(&datagram);
    }

    /// What was sent so far.
    pub(crate) fn stats(&self) -> SendStats {
        SendStats {
            lines: self.lines.load(Ordering::Relaxed),
            datagrams: self.datagrams.load(Ordering::Relaxed),
            failed_datagrams: self.failed_datagrams.load(Ordering::Relaxed),
            sampled_out: self.sampled_out.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, String> {
        // A panic while holding the lock leaves a valid String: keep using it.
        self.buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn send(&self, datagram: &str) {
        self.datagrams.fetch_add(1, Ordering::Relaxed);
        if let Err(error) = self.socket.send_to(datagram.as_bytes(), self.target) {
            self.failed_datagrams.fetch_add(1, Ordering::Relaxed);
            if !self.warned.swap(true, Ordering::Relaxed) {
                tracing::debug!(
                    "StatsD: a datagram to {} was dropped ({error}); metrics are best effort",
                    self.target
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn listener() -> UdpSocket {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        socket
    }

    fn receive(socket: &UdpSocket) -> String {
        let mut buffer = [0u8; 65_536];
        let n = socket.recv(&mut buffer).unwrap();
        String::from_utf8(buffer[..n].to_vec()).unwrap()
    }

    #[test]
    fn lines_are_packed_into_datagrams_no_larger_than_the_limit() {
        let server = listener();
        let port = server.local_addr().unwrap().port();
        let client = Client::connect("127.0.0.1", port, 64).unwrap();
        for i in 0..5 {
            client.push(&format!("weir.metric.number{i}:1|c"));
        }
        client.flush();
        let mut lines = Vec::new();
        while lines.len() < 5 {
            let datagram = receive(&server);
            assert!(datagram.len() <= 64, "{datagram:?}");
            lines.extend(datagram.lines().map(str::to_owned));
        }
        let expected: Vec<String> = (0..5)
            .map(|i| format!("weir.metric.number{i}:1|c"))
            .collect();
        assert_eq!(lines, expected);
        let stats = client.stats();
        assert_eq!(stats.lines, 5);
        assert_eq!(
            stats.datagrams, 3,
            "two 25-byte lines fit in 64 bytes: {stats:?}"
        );
        client.flush();
        assert_eq!(
            client.stats().datagrams,
            3,
            "nothing buffered, nothing sent"
        );
    }

    #[test]
    fn sampling_keeps_about_the_rate() {
        let client = Client::connect("127.0.0.1", 9, 1432).unwrap();
        let kept = (0..20_000).filter(|_| client.sample(0.25)).count();
        assert!(
            (4_000..6_000).contains(&kept),
            "{kept} of 20000 kept at 0.25"
        );
        assert_eq!(client.stats().sampled_out, 20_000 - kept as u64);
        assert!((0..100).all(|_| client.sample(1.0)));
    }
}
