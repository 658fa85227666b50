//! Long work (import, suggest, export, matrix merge) runs as a job: off the UI thread, with
//! progress on a channel, and a cancel flag the job checks between its stages.
//! `invoke` itself cannot be aborted, so the window cancels by job id.

use crate::error::{CmdResult, CommandError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One progress message: small, so a flood of them never clogs the IPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub stage: String,
}

/// The cancel flags of the running jobs, by the id the window gave each job.
#[derive(Default)]
pub struct Jobs {
    running: Mutex<HashMap<String, Arc<AtomicBool>>>,
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
        Ok(JobGuard {
            jobs: self,
            id: id.to_string(),
            flag,
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
}

impl JobGuard<'_> {
    pub fn flag(&self) -> Arc<AtomicBool> {
        self.flag.clone()
    }
}

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.jobs.running.lock() {
            running.remove(&self.id);
        }
    }
}

/// What a job's blocking closure reports through. The core reports no progress inside one
/// call yet, so messages are per stage: few, small, and never a flood.
pub struct Reporter<F: Fn(Progress)> {
    send: F,
    cancel: Arc<AtomicBool>,
}

impl<F: Fn(Progress)> Reporter<F> {
    pub fn new(send: F, cancel: Arc<AtomicBool>) -> Self {
        Reporter { send, cancel }
    }

    /// A new stage: always reported, and the point where a cancel request takes effect.
    pub fn stage(&mut self, stage: &str, done: u64, total: u64) -> CmdResult<()> {
        self.check()?;
        (self.send)(Progress {
            done,
            total,
            stage: stage.to_string(),
        });
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
