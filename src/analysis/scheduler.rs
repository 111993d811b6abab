//! The scheduler: one dedicated worker thread that debounces, orders and runs heavy work.
//!
//! Heavy work (prose extraction, tokenization, ONNX Runtime, model loading) never runs on an async
//! runtime thread. The server hands the scheduler closures; the worker thread runs them one at a
//! time, so at most one model run is in flight and memory stays bounded.
//!
//! Per key (a document), [`Scheduler::schedule`] replaces any pending job, restarts the debounce
//! delay, and bumps a generation counter. A job whose generation is no longer current is dropped
//! before it starts, and a running job sees [`Ticket::is_current`] turn false and can stop early.
//! Every job runs inside `catch_unwind`: a panic is logged and the worker keeps serving.
//!
//! Background work (the project index) runs at the lowest priority through
//! [`Scheduler::run_when_idle`]: only while no task is queued and no debounced job is waiting, and
//! only [`BACKGROUND_QUIET`] after the last job or task arrived (a pause in typing); it is told
//! through [`Idle::interrupted`] as soon as other work arrives, so it can stop at its next checkpoint
//! and let a keystroke's job run first.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::hash::Hash;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::lock;

type Job<K> = Box<dyn FnOnce(&Ticket<K>) + Send>;
type Task = Box<dyn FnOnce() + Send>;
/// Background work starts only after this long without a new job or task: while the user types
/// (a keystroke every 100-300 ms) it waits for a pause instead of competing with every keystroke
/// for the worker and the CPU.
pub const BACKGROUND_QUIET: Duration = Duration::from_millis(300);

/// Background work: returns `true` when it is finished, `false` when it stopped early (it was
/// interrupted) and must run again later.
type IdleTask = Box<dyn FnMut(&Idle) -> bool + Send>;

enum Command<K> {
    Schedule {
        key: K,
        generation: u64,
        delay: Duration,
        job: Job<K>,
    },
    Run(Task),
    Idle(IdleTask),
    Shutdown,
}

/// Handed to background work: whether other work arrived since it started.
pub struct Idle {
    activity: Arc<AtomicU64>,
    started: u64,
}

impl Idle {
    /// True once a job was scheduled or a task queued after this background work began.
    pub fn interrupted(&self) -> bool {
        self.activity.load(Ordering::SeqCst) != self.started
    }
}

/// Generation counters per key, shared by the scheduler's callers and its worker.
struct Generations<K> {
    current: Mutex<HashMap<K, u64>>,
}

impl<K: Eq + Hash + Clone> Generations<K> {
    fn bump(&self, key: &K) -> u64 {
        let mut current = lock(&self.current);
        let generation = current.get(key).map_or(1, |generation| generation + 1);
        current.insert(key.clone(), generation);
        generation
    }

    fn is_current(&self, key: &K, generation: u64) -> bool {
        lock(&self.current).get(key) == Some(&generation)
    }

    fn forget(&self, key: &K) {
        lock(&self.current).remove(key);
    }
}

/// Handed to a running job: which key and generation it works for, and whether that is still the
/// newest one.
pub struct Ticket<K> {
    key: K,
    generation: u64,
    generations: Arc<Generations<K>>,
}

impl<K: Eq + Hash + Clone> Ticket<K> {
    pub fn key(&self) -> &K {
        &self.key
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// False once the key was scheduled again or forgotten: the job's result would be stale.
    pub fn is_current(&self) -> bool {
        self.generations.is_current(&self.key, self.generation)
    }
}

/// A handle to the worker thread. Dropping it stops the worker after the job in progress.
pub struct Scheduler<K> {
    commands: mpsc::Sender<Command<K>>,
    generations: Arc<Generations<K>>,
    /// Counts every `schedule` and `run`: background work compares it to see it was interrupted.
    activity: Arc<AtomicU64>,
    worker: Option<JoinHandle<()>>,
}

impl<K: Eq + Hash + Clone + Send + Sync + 'static> Scheduler<K> {
    /// Starts the worker thread.
    pub fn new(thread_name: &str) -> std::io::Result<Scheduler<K>> {
        let (commands, receiver) = mpsc::channel();
        let generations = Arc::new(Generations {
            current: Mutex::new(HashMap::new()),
        });
        let worker_generations = generations.clone();
        let activity = Arc::new(AtomicU64::new(0));
        let worker_activity = activity.clone();
        let worker = std::thread::Builder::new()
            .name(thread_name.to_owned())
            .spawn(move || worker_loop(&receiver, &worker_generations, &worker_activity))?;
        Ok(Scheduler {
            commands,
            generations,
            activity,
            worker: Some(worker),
        })
    }

    /// Runs `job` for `key` once `delay` has passed without another `schedule` for the same key.
    /// Returns the job's generation. The previous job for `key`, pending or running, becomes stale.
    pub fn schedule(
        &self,
        key: K,
        delay: Duration,
        job: impl FnOnce(&Ticket<K>) + Send + 'static,
    ) -> u64 {
        let generation = self.generations.bump(&key);
        self.activity.fetch_add(1, Ordering::SeqCst);
        let command = Command::Schedule {
            key,
            generation,
            delay,
            job: Box::new(job),
        };
        if self.commands.send(command).is_err() {
            tracing::error!("the analysis worker has stopped; a job was dropped");
        }
        generation
    }

    /// Runs `task` on the worker thread as soon as the job in progress (if any) is done, before
    /// any debounced job that is still waiting.
    pub fn run(&self, task: impl FnOnce() + Send + 'static) {
        self.activity.fetch_add(1, Ordering::SeqCst);
        if self.commands.send(Command::Run(Box::new(task))).is_err() {
            tracing::error!("the analysis worker has stopped; a task was dropped");
        }
    }

    /// Runs `task` in the background: when no task is queued and no debounced job is waiting,
    /// after the background work queued before it. The task should return early (with `false`)
    /// once [`Idle::interrupted`] is true; it then runs again when the worker is idle again, until
    /// it returns `true`.
    pub fn run_when_idle(&self, task: impl FnMut(&Idle) -> bool + Send + 'static) {
        if self.commands.send(Command::Idle(Box::new(task))).is_err() {
            tracing::error!("the analysis worker has stopped; background work was dropped");
        }
    }

    /// A handle that queues background work from another thread (see [`Scheduler::run_when_idle`]).
    pub fn background(&self) -> Background<K> {
        Background {
            commands: self.commands.clone(),
        }
    }

    /// Makes every pending or running job for `key` stale.
    pub fn forget(&self, key: &K) {
        self.generations.forget(key);
    }

    /// Whether `generation` is the newest one scheduled for `key`.
    pub fn is_current(&self, key: &K, generation: u64) -> bool {
        self.generations.is_current(key, generation)
    }
}

/// Queues background work on a scheduler's worker from any thread (a thread that found files to
/// index, say). Once the scheduler is dropped, queued work is dropped with a log line.
pub struct Background<K> {
    commands: mpsc::Sender<Command<K>>,
}

impl<K> Background<K> {
    /// As [`Scheduler::run_when_idle`].
    pub fn run_when_idle(&self, task: impl FnMut(&Idle) -> bool + Send + 'static) {
        if self.commands.send(Command::Idle(Box::new(task))).is_err() {
            tracing::debug!("the analysis worker has stopped; background work was dropped");
        }
    }
}

impl<K> Drop for Scheduler<K> {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(worker) = self.worker.take() {
            // Joining would block an async caller on a long model run; the thread exits by itself.
            drop(worker);
        }
    }
}

struct Pending<K> {
    deadline: Instant,
    generation: u64,
    job: Job<K>,
}

fn worker_loop<K: Eq + Hash + Clone>(
    receiver: &mpsc::Receiver<Command<K>>,
    generations: &Arc<Generations<K>>,
    activity: &Arc<AtomicU64>,
) {
    let mut pending: HashMap<K, Pending<K>> = HashMap::new();
    let mut background: VecDeque<IdleTask> = VecDeque::new();
    // When the last job or task arrived: background work waits for a quiet spell after it.
    let mut last_work = Instant::now();
    loop {
        let next_deadline = pending.values().map(|job| job.deadline).min();
        let quiet = last_work.elapsed();
        let command = match next_deadline {
            // Nothing waits, but work came in lately: wait for the rest of the quiet spell.
            None if !background.is_empty() && quiet < BACKGROUND_QUIET => {
                match receiver.recv_timeout(BACKGROUND_QUIET - quiet) {
                    Ok(command) => Some(command),
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            // Nothing waits: background work runs unless a command is already there.
            None if !background.is_empty() => match receiver.try_recv() {
                Ok(command) => Some(command),
                Err(mpsc::TryRecvError::Empty) => {
                    let started = activity.load(Ordering::SeqCst);
                    let idle = Idle {
                        activity: activity.clone(),
                        started,
                    };
                    if let Some(mut task) = background.pop_front() {
                        let mut finished = true;
                        guarded("background task", || finished = task(&idle));
                        if !finished {
                            background.push_front(task);
                        }
                    }
                    continue;
                }
                Err(mpsc::TryRecvError::Disconnected) => return,
            },
            None => match receiver.recv() {
                Ok(command) => Some(command),
                Err(_) => return,
            },
            Some(deadline) => {
                match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(command) => Some(command),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        };
        let mut next = command;
        // Take every command that is already waiting before running anything, so a burst of edits
        // collapses into one job.
        while let Some(command) = next {
            if matches!(command, Command::Run(_) | Command::Schedule { .. }) {
                last_work = Instant::now();
            }
            match command {
                Command::Shutdown => return,
                Command::Run(task) => guarded("task", task),
                Command::Idle(task) => background.push_back(task),
                Command::Schedule {
                    key,
                    generation,
                    delay,
                    job,
                } => {
                    if generations.is_current(&key, generation) {
                        pending.insert(
                            key,
                            Pending {
                                deadline: Instant::now() + delay,
                                generation,
                                job,
                            },
                        );
                    }
                }
            }
            next = receiver.try_recv().ok();
        }
        let now = Instant::now();
        let due = pending
            .iter()
            .filter(|(_, job)| job.deadline <= now)
            .min_by_key(|(_, job)| job.deadline)
            .map(|(key, _)| key.clone());
        let Some(key) = due else { continue };
        let Some(job) = pending.remove(&key) else {
            continue;
        };
        let ticket = Ticket {
            key,
            generation: job.generation,
            generations: generations.clone(),
        };
        if !ticket.is_current() {
            continue;
        }
        let run = job.job;
        guarded("job", move || run(&ticket));
    }
}

/// How many worker threads are running a job or task right now, in the whole process.
static BUSY_WORKERS: AtomicUsize = AtomicUsize::new(0);

/// Waits (at most `timeout`) until no worker thread of this process is running a job or task.
///
/// For the end of the process: the C runtime's exit handlers tear ONNX Runtime down, and a
/// worker still inside it (creating its environment while the model loads) then crashes the
/// process (SIGSEGV) instead of letting it exit cleanly. Returns whether the workers went idle.
pub fn wait_for_idle_workers(timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while BUSY_WORKERS.load(Ordering::SeqCst) > 0 {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

fn guarded(what: &str, work: impl FnOnce()) {
    BUSY_WORKERS.fetch_add(1, Ordering::SeqCst);
    let outcome = catch_unwind(AssertUnwindSafe(work));
    BUSY_WORKERS.fetch_sub(1, Ordering::SeqCst);
    if let Err(panic) = outcome {
        let message = panic
            .downcast_ref::<&str>()
            .map(|message| (*message).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        tracing::error!("analysis {what} panicked: {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::Receiver;

    fn wait(receiver: &Receiver<String>) -> String {
        receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("the worker answered")
    }

    #[test]
    fn a_burst_of_schedules_runs_only_the_last_job() {
        let scheduler = Scheduler::new("test-worker").unwrap();
        let (sender, receiver) = mpsc::channel();
        for index in 0..20 {
            let sender = sender.clone();
            scheduler.schedule("doc", Duration::from_millis(50), move |_| {
                sender.send(format!("job {index}")).unwrap()
            });
        }
        assert_eq!(wait(&receiver), "job 19");
        assert!(receiver.recv_timeout(Duration::from_millis(200)).is_err());
    }

    #[test]
    fn keys_are_debounced_independently() {
        let scheduler = Scheduler::new("test-worker").unwrap();
        let (sender, receiver) = mpsc::channel();
        let first = sender.clone();
        scheduler.schedule("a", Duration::from_millis(10), move |ticket| {
            first.send(format!("a{}", ticket.generation())).unwrap()
        });
        scheduler.schedule("b", Duration::from_millis(10), move |ticket| {
            sender.send(format!("b{}", ticket.generation())).unwrap()
        });
        let mut results = [wait(&receiver), wait(&receiver)];
        results.sort();
        assert_eq!(results, ["a1", "b1"]);
    }

    #[test]
    fn a_running_job_sees_that_it_became_stale() {
        let scheduler = Arc::new(Scheduler::new("test-worker").unwrap());
        let (sender, receiver) = mpsc::channel();
        let (started_sender, started) = mpsc::channel();
        scheduler.schedule("doc", Duration::ZERO, move |ticket| {
            started_sender.send(()).unwrap();
            let begun = Instant::now();
            while ticket.is_current() && begun.elapsed() < Duration::from_secs(10) {
                std::thread::sleep(Duration::from_millis(1));
            }
            sender
                .send(format!("current: {}", ticket.is_current()))
                .unwrap();
        });
        started.recv_timeout(Duration::from_secs(10)).unwrap();
        scheduler.forget(&"doc");
        assert_eq!(wait(&receiver), "current: false");
    }

    #[test]
    fn a_panicking_job_does_not_stop_the_worker() {
        let scheduler = Scheduler::new("test-worker").unwrap();
        let (sender, receiver) = mpsc::channel();
        scheduler.schedule("a", Duration::ZERO, |_| panic!("boom"));
        scheduler.run(move || sender.send("still here".to_owned()).unwrap());
        assert_eq!(wait(&receiver), "still here");
    }

    #[test]
    fn background_work_waits_for_jobs_and_yields_when_interrupted() {
        let scheduler = Arc::new(Scheduler::new("test-worker").unwrap());
        let (sender, receiver) = mpsc::channel();
        // A debounced job is waiting: background work must not start before it has run.
        let job_sender = sender.clone();
        scheduler.schedule("doc", Duration::from_millis(100), move |_| {
            job_sender.send("job".to_owned()).unwrap()
        });
        let background_sender = sender.clone();
        let interrupter = scheduler.clone();
        let mut runs = 0;
        scheduler.run_when_idle(move |idle| {
            runs += 1;
            background_sender
                .send(format!("background {runs}"))
                .unwrap();
            if runs == 1 {
                // Other work arrives while this runs: the background work stops and resumes later.
                let task_sender = background_sender.clone();
                interrupter.run(move || task_sender.send("task".to_owned()).unwrap());
                assert!(idle.interrupted());
                return false;
            }
            assert!(!idle.interrupted());
            true
        });
        assert_eq!(
            [
                wait(&receiver),
                wait(&receiver),
                wait(&receiver),
                wait(&receiver)
            ],
            ["job", "background 1", "task", "background 2"]
        );
        assert!(receiver.recv_timeout(Duration::from_millis(100)).is_err());
    }

    #[test]
    fn tasks_run_in_order_before_waiting_jobs() {
        let scheduler = Scheduler::new("test-worker").unwrap();
        let (sender, receiver) = mpsc::channel();
        let job_sender = sender.clone();
        scheduler.schedule("doc", Duration::from_millis(100), move |_| {
            job_sender.send("job".to_owned()).unwrap()
        });
        let task_sender = sender.clone();
        scheduler.run(move || task_sender.send("task 1".to_owned()).unwrap());
        scheduler.run(move || sender.send("task 2".to_owned()).unwrap());
        assert_eq!(
            [wait(&receiver), wait(&receiver), wait(&receiver)],
            ["task 1", "task 2", "job"]
        );
    }
}
