//! A live exporter for tests: an HTTP server on 127.0.0.1 that serves a Zeebe counter in
//! Prometheus's text format, its value the integral of a rate given as a function of the
//! seconds since the exporter started — what a real Prometheus then scrapes. It can be
//! killed (the target goes down, as a crashed pod's would).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running exporter.
pub struct Exporter {
    /// `host:port`, for a scrape config.
    pub address: String,
    /// When it started (its clock's zero).
    pub started: Instant,
    dead: Arc<AtomicBool>,
}

impl Exporter {
    /// Serves `zeebe_element_instance_events_total{namespace, action="completed",
    /// type="PROCESS"}` counting at `rate(seconds since start)` per second.
    pub fn start(namespace: &str, rate: impl Fn(f64) -> f64 + Send + 'static) -> Exporter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let started = Instant::now();
        let dead = Arc::new(AtomicBool::new(false));
        // (seconds, total) at the last scrape: the counter integrates the rate between them.
        let state = Arc::new(Mutex::new((0.0f64, 0.0f64)));
        let namespace = namespace.to_string();
        {
            let dead = dead.clone();
            std::thread::spawn(move || loop {
                if dead.load(Ordering::SeqCst) {
                    return; // the listener is dropped: connections are refused
                }
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                        let mut request = [0u8; 2048];
                        let _ = stream.read(&mut request);
                        let now = started.elapsed().as_secs_f64();
                        let total = {
                            let mut s = state.lock().unwrap();
                            // trapezoids of at most 50 ms
                            let steps = (((now - s.0) / 0.05).ceil() as usize).max(1);
                            let dt = (now - s.0) / steps as f64;
                            for k in 0..steps {
                                let a = s.0 + k as f64 * dt;
                                s.1 += (rate(a) + rate(a + dt)) / 2.0 * dt;
                            }
                            s.0 = now;
                            s.1
                        };
                        let body = format!(
                            "# TYPE zeebe_element_instance_events_total counter\nzeebe_element_instance_events_total{{namespace=\"{namespace}\",action=\"completed\",type=\"PROCESS\"}} {total}\n"
                        );
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            });
        }
        Exporter {
            address,
            started,
            dead,
        }
    }

    /// Takes the target down: connections are refused from now on.
    pub fn kill(&self) {
        self.dead.store(true, Ordering::SeqCst);
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The time `started` + `seconds` as whole seconds since the epoch, rounded down to a
/// multiple of `step` seconds.
pub fn epoch_seconds_at(started: Instant, seconds: f64, step: i64) -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let at = now - started.elapsed().as_secs_f64() + seconds;
    (at as i64).div_euclid(step) * step
}
