//! The server's log writer: lines go to a shared in-memory buffer and reach stderr in
//! batches, not one `write(2)` per request (under load, that syscall was a visible share
//! of each request's cost; see BENCHMARKS.md, "Per-request cost").
//!
//! Nothing is lost: a background thread flushes the buffer every [`FLUSH_INTERVAL`], a
//! writer that finds more than [`FLUSH_BYTES`] buffered flushes it at once (so memory stays
//! bounded and a stuck stderr slows the server down instead of growing it), and dropping the
//! [`LogFlusher`] (at the end of `amzsig serve`, after a SIGTERM/Ctrl-C stop, on an error
//! return or a panic unwinding) writes out what is left. Flushes are serialised, so lines
//! keep their order. Each tracing event is one `write` of a whole line into the buffer, so
//! lines never interleave.

use std::io::Write;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a line may wait in the buffer.
pub(crate) const FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// Buffered bytes above which the writer that crossed it flushes at once.
pub(crate) const FLUSH_BYTES: usize = 64 * 1024;

/// Where flushed bytes go (stderr for `serve`; anything in tests).
pub(crate) type Sink = Box<dyn Write + Send>;

struct Shared {
    /// Lines not yet written.
    buffer: Mutex<Vec<u8>>,
    /// The destination; held for the whole of a flush, so flushes cannot reorder lines.
    sink: Mutex<Sink>,
}

impl Shared {
    fn flush(&self) {
        let mut sink = lock(&self.sink);
        let pending = std::mem::take(&mut *lock(&self.buffer));
        if !pending.is_empty() {
            // Stderr gone (closed pipe): nothing better to do with a log line than drop it.
            let _ = sink.write_all(&pending);
            let _ = sink.flush();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A `tracing_subscriber` writer (`MakeWriter`) that buffers: cheap to clone, shared by
/// every thread.
#[derive(Clone)]
pub(crate) struct BufferedLog {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for BufferedLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferedLog").finish_non_exhaustive()
    }
}

/// Flushes a [`BufferedLog`] periodically while alive, and what is left when dropped.
#[derive(Debug)]
pub(crate) struct LogFlusher {
    log: BufferedLog,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl BufferedLog {
    /// A buffered log to stderr and the flusher that must outlive its use.
    pub(crate) fn stderr() -> (BufferedLog, LogFlusher) {
        Self::to(Box::new(std::io::stderr()))
    }

    /// A buffered log to `sink`, flushed by the returned [`LogFlusher`].
    pub(crate) fn to(sink: Sink) -> (BufferedLog, LogFlusher) {
        let log = BufferedLog {
            shared: Arc::new(Shared { buffer: Mutex::new(Vec::with_capacity(FLUSH_BYTES)), sink: Mutex::new(sink) }),
        };
        let (stop, stopped) = mpsc::channel::<()>();
        let shared = log.shared.clone();
        // If the thread cannot start, every flush happens at FLUSH_BYTES and on drop.
        let thread = std::thread::Builder::new()
            .name("amzsig-log".to_owned())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(FLUSH_INTERVAL) {
                    shared.flush();
                }
            })
            .ok();
        let flusher = LogFlusher { log: log.clone(), stop: Some(stop), thread };
        (log, flusher)
    }
}

impl Drop for LogFlusher {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.log.shared.flush();
    }
}

/// One writer handle: holds the buffer for one tracing event.
#[derive(Debug)]
pub(crate) struct LogLine<'a> {
    log: &'a BufferedLog,
}

impl Write for LogLine<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let full = {
            let mut buffer = lock(&self.log.shared.buffer);
            buffer.extend_from_slice(bytes);
            buffer.len() >= FLUSH_BYTES
        };
        if full {
            self.log.shared.flush();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for BufferedLog {
    type Writer = LogLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LogLine { log: self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink the test can read.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn line(log: &BufferedLog, text: &str) {
        use tracing_subscriber::fmt::MakeWriter;
        log.make_writer().write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn every_line_is_written_in_order_when_the_flusher_drops() {
        let out = Capture::default();
        let (log, flusher) = BufferedLog::to(Box::new(out.clone()));
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let log = log.clone();
                std::thread::spawn(move || {
                    for i in 0..2000 {
                        line(&log, &format!("thread {t} line {i:05}\n"));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        drop(flusher);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 8000);
        for t in 0..4 {
            let mine: Vec<&str> = text.lines().filter(|l| l.starts_with(&format!("thread {t} "))).collect();
            let want: Vec<String> = (0..2000).map(|i| format!("thread {t} line {i:05}")).collect();
            assert_eq!(mine, want, "thread {t}'s lines, whole and in order");
        }
    }

    #[test]
    fn lines_reach_the_sink_within_the_interval_without_a_drop() {
        let out = Capture::default();
        let (log, _flusher) = BufferedLog::to(Box::new(out.clone()));
        line(&log, "one line\n");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while out.0.lock().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "the periodic flush never came");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(out.0.lock().unwrap().as_slice(), b"one line\n");
    }
}
