//! Long work (import, suggest, export, matrix merge) runs as a job: off the UI thread, with
//! progress on a channel, and a cancel flag the job checks between its stages.
//! `invoke` itself cannot be aborted, so the window cancels by job id.
//!
//! Progress goes on a per-job `Channel` (not a window-wide event): the window hears only of the
//! jobs it started, and a [`Throttle`] keeps it to about ten messages a second whatever the
//! core reports, plus one at each change of stage and at the end of each stage.

use crate::error::{CmdResult, CommandError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One progress message: small, so a flood of them never clogs the IPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// What the job is doing, in words the window shows ("Deriving coverage").
    pub stage: String,
    /// A stable name of the stage ("rows"; "done" once finished), for the window and the tests.
    pub key: String,
    /// Stages finished before this one, of `steps` in all (`step == steps`: the job is done).
    pub step: u32,
    pub steps: u32,
    /// Units of this stage done, of `total` (0 of 0 when the stage is not counted; `total` 0
    /// with `done` above 0 when the count is open-ended, as rows read from a sheet).
    pub done: u64,
    pub total: u64,
    /// What the units are ("rows", "gaps"); empty when the stage is not counted.
    pub unit: String,
}

impl Progress {
    /// A stage of a job that counts stages only.
    pub fn step(stage: &str, step: u32, steps: u32) -> Self {
        Progress {
            stage: stage.to_string(),
            key: if step >= steps { "done" } else { "working" }.to_string(),
            step,
            steps,
            done: 0,
            total: 0,
            unit: String::new(),
        }
    }

    /// The last message of a job that finished.
    pub fn finished(steps: u32) -> Self {
        Progress::step("Done", steps, steps)
    }

    /// True at the end of a counted stage (always passed on, so the window sees each stage end).
    fn ends_stage(&self) -> bool {
        self.total > 0 && self.done >= self.total
    }
}

/// The progress messages a job lets through: every change of stage and every stage's end, and
/// otherwise at most one per `every`; never a count lower than one already sent for the stage
/// (the export reports from several threads, so reports can come out of order).
#[derive(Debug)]
pub struct Throttle {
    every: Duration,
    last: Option<(u32, u64, Instant)>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(Duration::from_millis(100))
    }
}

impl Throttle {
    pub fn new(every: Duration) -> Self {
        Throttle { every, last: None }
    }

    /// Whether to send `p`, reported at `now`.
    pub fn admit(&mut self, p: &Progress, now: Instant) -> bool {
        let pass = match self.last {
            None => true,
            Some((step, _, _)) if step != p.step => true,
            Some((_, done, _)) if p.done < done => false,
            Some((_, done, _)) if p.ends_stage() && p.done > done => true,
            Some((_, _, at)) => now.saturating_duration_since(at) >= self.every,
        };
        if pass {
            self.last = Some((p.step, p.done, now));
        }
        pass
    }
}

/// The cancel flags of the running jobs, by the id the window gave each job.
#[derive(Default)]
pub struct Jobs {
    running: Mutex<HashMap<String, Arc<AtomicBool>>>,
    /// End-to-end tests only: the stage key at which the next job started waits for its cancel.
    hold_next: Mutex<Option<String>>,
}

impl Jobs {
    /// Registers a job; an id already running is refused so two jobs never share a flag.
    pub fn start(&self, id: &str) -> CmdResult<JobGuard<'_>> {
        let mut running = self.running.lock().map_err(|_| poisoned())?;
        if running.contains_key(id) {
            return Err(CommandError::new(
                "invalid",
                format!("job {id} is already running"),
            ));
        }
        let flag = Arc::new(AtomicBool::new(false));
        running.insert(id.to_string(), flag.clone());
        let hold = self.hold_next.lock().ok().and_then(|mut h| h.take());
        Ok(JobGuard {
            jobs: self,
            id: id.to_string(),
            flag,
            hold,
        })
    }

    /// Asks a job to stop; returns false when no job has that id (it already finished).
    pub fn cancel(&self, id: &str) -> CmdResult<bool> {
        let running = self.running.lock().map_err(|_| poisoned())?;
        Ok(match running.get(id) {
            Some(flag) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        })
    }

    /// End-to-end tests only (the command that calls this checks the test hooks are on): the
    /// next job to start, once it reports the stage `key`, sends that report and waits until it
    /// is cancelled, so a test can press Cancel at a known point without racing the job.
    pub fn hold_next(&self, key: &str) -> CmdResult<()> {
        *self.hold_next.lock().map_err(|_| poisoned())? = Some(key.to_string());
        Ok(())
    }

    #[cfg(test)]
    pub fn is_running(&self, id: &str) -> bool {
        self.running
            .lock()
            .map(|r| r.contains_key(id))
            .unwrap_or(false)
    }
}

fn poisoned() -> CommandError {
    CommandError::new(
        "internal",
        "the job list is unusable after a crash in another job",
    )
}

/// Removes the job from the list when it ends, however it ends.
pub struct JobGuard<'a> {
    jobs: &'a Jobs,
    id: String,
    flag: Arc<AtomicBool>,
    hold: Option<String>,
}

impl JobGuard<'_> {
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }

    /// The test hold this job took, if one was queued (see [`Jobs::hold_next`]).
    pub fn hold(&self) -> Option<String> {
        self.hold.clone()
    }
}

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.jobs.running.lock() {
            running.remove(&self.id);
        }
    }
}

/// How long a test hold waits for the cancel before it lets the job go on regardless.
const HOLD_AT_MOST: Duration = Duration::from_secs(120);

/// Where a job whose core call reports progress sends it: through a [`Throttle`], from any
/// thread (the callback the core calls must be `Sync`).
pub struct Feed<F: Fn(Progress) + Sync> {
    send: F,
    throttle: Mutex<Throttle>,
    cancel: Arc<AtomicBool>,
    hold: Mutex<Option<String>>,
}

impl<F: Fn(Progress) + Sync> Feed<F> {
    pub fn new(send: F, cancel: Arc<AtomicBool>, hold: Option<String>) -> Self {
        Feed {
            send,
            throttle: Mutex::new(Throttle::default()),
            cancel,
            hold: Mutex::new(hold),
        }
    }

    /// The cancel flag to hand to the core.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    /// Passes `p` on if the throttle lets it through.
    pub fn report(&self, p: Progress) {
        let held = self
            .hold
            .lock()
            .ok()
            .and_then(|mut h| (h.as_deref() == Some(p.key.as_str())).then(|| h.take()))
            .is_some();
        if held {
            (self.send)(p);
            self.wait_for_cancel();
            return;
        }
        // Sent under the lock, so two threads' messages reach the channel in the order admitted.
        if let Ok(mut t) = self.throttle.lock() {
            if t.admit(&p, Instant::now()) {
                (self.send)(p);
            }
        }
    }

    /// The last message, always sent.
    pub fn finish(&self, steps: u32) {
        (self.send)(Progress::finished(steps));
    }

    fn wait_for_cancel(&self) {
        let since = Instant::now();
        while !self.cancel.load(Ordering::SeqCst) && since.elapsed() < HOLD_AT_MOST {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// What a job's blocking closure reports through when the core reports no progress inside its
/// call: one message per stage, few and small.
pub struct Reporter<F: Fn(Progress)> {
    send: F,
    cancel: Arc<AtomicBool>,
}

impl<F: Fn(Progress)> Reporter<F> {
    pub fn new(send: F, cancel: Arc<AtomicBool>) -> Self {
        Reporter { send, cancel }
    }

    /// Stage `step` of `steps` (0-based; `step == steps` is the end): always reported, and the
    /// point where a cancel request takes effect.
    pub fn stage(&mut self, stage: &str, step: u64, steps: u64) -> CmdResult<()> {
        self.check()?;
        (self.send)(Progress::step(stage, step as u32, steps as u32));
        Ok(())
    }

    pub fn check(&self) -> CmdResult<()> {
        if self.cancel.load(Ordering::SeqCst) {
            Err(CommandError::cancelled())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[test]
    fn a_cancelled_job_stops_at_its_next_stage() {
        let jobs = Jobs::default();
        let guard = jobs.start("j1").expect("a new id starts");
        let sent = RefCell::new(Vec::new());
        let mut r = Reporter::new(|p| sent.borrow_mut().push(p), guard.flag());
        r.stage("reading", 0, 2).expect("not cancelled yet");
        assert!(
            jobs.cancel("j1").expect("lock"),
            "the job is running, so cancel finds it"
        );
        let e = r
            .stage("storing", 1, 2)
            .expect_err("cancel takes effect at the next stage");
        assert_eq!(e.code, "cancelled");
        assert_eq!(
            sent.borrow().len(),
            1,
            "nothing is reported after the cancel"
        );
    }

    #[test]
    fn a_finished_job_leaves_the_list_and_cannot_be_cancelled() {
        let jobs = Jobs::default();
        {
            let _g = jobs.start("j2").expect("start");
            assert!(jobs.is_running("j2"));
        }
        assert!(
            !jobs.is_running("j2"),
            "the guard removes the job when it ends"
        );
        assert!(
            !jobs.cancel("j2").expect("lock"),
            "nothing to cancel once finished"
        );
    }

    fn at(step: u32, done: u64, total: u64) -> Progress {
        Progress {
            stage: format!("stage {step}"),
            key: format!("s{step}"),
            step,
            steps: 5,
            done,
            total,
            unit: "rows".into(),
        }
    }

    #[test]
    fn the_throttle_passes_stage_changes_and_ends_and_ten_a_second_otherwise() {
        let mut t = Throttle::default();
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        assert!(t.admit(&at(1, 0, 1000), ms(0)), "the first message");
        assert!(
            !t.admit(&at(1, 256, 1000), ms(40)),
            "40 ms later: held back"
        );
        assert!(
            !t.admit(&at(1, 512, 1000), ms(99)),
            "99 ms later: held back"
        );
        assert!(
            t.admit(&at(1, 768, 1000), ms(100)),
            "100 ms after the last sent"
        );
        assert!(
            t.admit(&at(1, 1000, 1000), ms(110)),
            "the end of a stage always"
        );
        assert!(t.admit(&at(2, 0, 300), ms(111)), "a new stage always");
        assert!(
            !t.admit(&at(2, 0, 300), ms(112)),
            "the same again soon after: held back"
        );
        // A late report from another thread never moves the count back.
        assert!(t.admit(&at(2, 200, 300), ms(300)));
        assert!(
            !t.admit(&at(2, 100, 300), ms(900)),
            "lower than what was sent"
        );
        // Over a second of reports every millisecond, about ten get through.
        let mut t = Throttle::default();
        let sent = (0..1000u64)
            .filter(|&i| t.admit(&at(3, i, 100_000), ms(i)))
            .count();
        assert_eq!(sent, 10);
    }

    #[test]
    fn a_feed_throttles_and_a_held_stage_is_sent_and_waits_for_the_cancel() {
        let sent = Mutex::new(Vec::new());
        let flag = Arc::new(AtomicBool::new(false));
        let feed = Feed::new(
            |p: Progress| sent.lock().unwrap().push(p.key.clone()),
            flag.clone(),
            Some("s2".into()),
        );
        feed.report(at(1, 0, 10));
        feed.report(at(1, 1, 10)); // within 100 ms of the first: dropped
                                   // Cancelled already, so the hold returns at once instead of waiting.
        flag.store(true, Ordering::SeqCst);
        feed.report(at(2, 0, 10));
        feed.report(at(2, 0, 10)); // the hold is used up; the throttle takes this one
        feed.finish(5);
        assert_eq!(*sent.lock().unwrap(), ["s1", "s2", "s2", "done"]);
        assert!(feed.cancel_flag().load(Ordering::SeqCst));
    }

    #[test]
    fn a_queued_hold_goes_to_the_next_job_only() {
        let jobs = Jobs::default();
        jobs.hold_next("rows").unwrap();
        let first = jobs.start("a").unwrap();
        let second = jobs.start("b").unwrap();
        assert_eq!(first.hold().as_deref(), Some("rows"));
        assert_eq!(second.hold(), None);
    }

    #[test]
    fn two_jobs_cannot_share_an_id() {
        let jobs = Jobs::default();
        let _g = jobs.start("same").expect("first start");
        assert!(
            jobs.start("same").is_err(),
            "a second job with the id would share the cancel flag"
        );
    }
}
