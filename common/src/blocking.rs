//! A bounded pool for blocking work: zip checks, hashing, module cache and tile cache
//! writes. tokio's own blocking pool starts a thread for every task that finds no idle
//! one (up to 512), so hundreds of modules finishing together meant hundreds of
//! threads, each with its stack and its malloc arena; here a fixed set of one thread per
//! core takes the tasks in turn and the others wait in a queue, without a thread of
//! their own. The work is CPU or disk bound, so more of it at once would not finish
//! sooner.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

/// A piece of blocking work, with the way back for its result.
type Job = Box<dyn FnOnce() + Send>;

/// How many blocking tasks run at once: the number of cores (at least one).
pub fn limit() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The queue of the pool's threads, started at the first use: [`limit`] threads that
/// take jobs one at a time for as long as the process runs (tokio's own pool would
/// start a new thread whenever a job arrives just before the last one's thread is idle
/// again). None when no thread could be started.
fn queue() -> Option<&'static Mutex<Sender<Job>>> {
    static QUEUE: OnceLock<Option<Mutex<Sender<Job>>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (sender, receiver) = channel::<Job>();
            let receiver = Arc::new(Mutex::new(receiver));
            let started = (0..limit())
                .filter(|i| {
                    let receiver = Arc::clone(&receiver);
                    std::thread::Builder::new()
                        .name(format!("gomod-blocking-{i}"))
                        .spawn(move || {
                            loop {
                                let job = match receiver.lock() {
                                    Ok(queue) => queue.recv(),
                                    Err(_) => return,
                                };
                                match job {
                                    Ok(job) => job(),
                                    Err(_) => return,
                                }
                            }
                        })
                        .is_ok()
                })
                .count();
            (started > 0).then(|| Mutex::new(sender))
        })
        .as_ref()
}

/// Runs `work` on one of the pool's [`limit`] threads once one is free, and waits for
/// its result. Err when the work panicked; where no thread could be started, the work
/// runs on the caller's thread.
pub async fn run<T, F>(work: F) -> Result<T, String>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let caught = |work: F| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .map_err(|_| "the blocking work panicked".to_string())
    };
    let Some(queue) = queue() else {
        return caught(work);
    };
    let (done, result) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = done.send(caught(work));
    });
    let sent = queue
        .lock()
        .map_err(|_| "the blocking pool is broken".to_string())?
        .send(job);
    if sent.is_err() {
        return Err("the blocking pool stopped".to_string());
    }
    result
        .await
        .unwrap_or_else(|_| Err("the blocking work was dropped".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn no_more_than_the_limit_run_at_once() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        runtime.block_on(async {
            let tasks: Vec<_> = (0..64)
                .map(|_| {
                    let running = Arc::clone(&running);
                    let most = Arc::clone(&most);
                    tokio::spawn(run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(2));
                        running.fetch_sub(1, Ordering::SeqCst);
                    }))
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
        });
        let most = most.load(Ordering::SeqCst);
        assert!(
            most >= 1 && most <= limit(),
            "{most} at once, limit {}",
            limit()
        );
    }
}
