//! The unit of work: every write opens one, says what it changed (a case before and after, a
//! wait in a queue, cases a later contact turned, a counter visit served), and the unit runs what
//! follows — the case's deadline, the charter's measures and the consequences of a crossing,
//! survey scheduling — then writes what it gathered, commits, and only then wakes the workers.
//! No service calls another's follow-ups by hand.

mod surveys;

use super::charter::evaluate::{self, Measures, Wait};
use super::charter::{Charter, due_after};
use super::wake::{self, Worker};
use super::{Result, now_ms};
use crate::domain::case::CaseState;
use crate::store::{self, Conn, Store, Tx};
use std::collections::HashMap;
use std::sync::Arc;

pub struct Work {
    tx: Tx,
    /// The time the write is made at (one instant for the whole unit).
    pub now: i64,
    /// Each organisation's charter, read once per unit (evaluation runs in the transaction).
    charters: HashMap<i64, Arc<Charter>>,
    /// Site codes met so far, per organisation.
    sites: HashMap<(i64, String), i64>,
    /// Measures decided so far, written together just before commit.
    measures: Measures,
    wakes: Vec<Worker>,
}

impl Work {
    /// Opens a write transaction at the current time.
    pub async fn begin(store: &Store) -> Result<Work> {
        Self::begin_at(store, now_ms()).await
    }

    /// Opens a write transaction whose follow-ups take `now` as the present.
    pub async fn begin_at(store: &Store, now: i64) -> Result<Work> {
        Ok(Work {
            tx: store.begin().await?,
            now,
            charters: HashMap::new(),
            sites: HashMap::new(),
            measures: Measures::default(),
            wakes: Vec::new(),
        })
    }

    /// Writes what the unit gathered, makes due the jobs it left work for, commits, and only
    /// then wakes the workers (and the search indexer).
    pub async fn commit(mut self) -> Result<()> {
        self.measures.flush(&mut self.tx).await?;
        for w in &self.wakes {
            store::job::nudge(&mut self.tx, w.job_kind(), self.now).await?;
        }
        self.tx.commit().await?;
        if !self.wakes.is_empty() {
            wake::wake();
        }
        wake::written();
        Ok(())
    }

    /// A standing job has something to do once this unit commits (a mail queued, an alert raised).
    pub fn wake(&mut self, w: Worker) {
        if !self.wakes.contains(&w) {
            self.wakes.push(w);
        }
    }

    /// The organisation's charter as this unit sees it.
    pub async fn charter(&mut self, org_id: i64) -> Result<Arc<Charter>> {
        if let Some(ch) = self.charters.get(&org_id) {
            return Ok(ch.clone());
        }
        let ch = Arc::new(Charter::load(&mut self.tx, org_id).await?);
        self.charters.insert(org_id, ch.clone());
        Ok(ch)
    }

    /// The id of a site given by its code; an unknown code is a refused field.
    pub async fn site_id(&mut self, org_id: i64, code: &str) -> Result<i64> {
        if let Some(id) = self.sites.get(&(org_id, code.to_string())) {
            return Ok(*id);
        }
        let id = super::site_id(&mut self.tx, org_id, code).await?;
        self.sites.insert((org_id, code.to_string()), id);
        Ok(id)
    }

    /// The deadline a case has after a change, to write with its clock: the nearest commitment
    /// deadline, kept from before when nothing it depends on moved.
    pub async fn deadline(
        &mut self,
        org_id: i64,
        before: Option<&CaseState>,
        after: &CaseState,
    ) -> Result<Option<i64>> {
        let charter = self.charter(org_id).await?;
        Ok(due_after(&charter, before, after))
    }

    /// Writes an existing case's clock after a change, with its deadline, and runs what follows.
    pub async fn save_case(
        &mut self,
        org_id: i64,
        before: &CaseState,
        after: &mut CaseState,
    ) -> Result<()> {
        after.clock.due_at = self.deadline(org_id, Some(before), after).await?;
        store::case::save_clock(&mut self.tx, after.id, &after.clock).await?;
        self.case_changed(org_id, Some(before), after).await
    }

    /// A case was written (`before`: as it was, None when new): the charter measures it and a
    /// case turning solved schedules its survey.
    pub async fn case_changed(
        &mut self,
        org_id: i64,
        before: Option<&CaseState>,
        after: &CaseState,
    ) -> Result<()> {
        let now = self.now;
        if surveys::case_changed(&mut self.tx, org_id, before, after, now).await? {
            self.wake(Worker::Surveys);
        }
        let charter = self.charter(org_id).await?;
        if !charter.active.is_empty() {
            let crossed = evaluate::case_changed(
                &mut self.tx,
                &mut self.measures,
                &charter,
                before,
                after,
                now,
            )
            .await?;
            self.crossed(crossed);
        }
        Ok(())
    }

    /// Cases changed behind the writer's back (a later contact turned their once & done).
    pub async fn cases_turned(&mut self, org_id: i64, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let charter = self.charter(org_id).await?;
        let crossed =
            evaluate::recheck_cases(&mut self.tx, &mut self.measures, &charter, ids, self.now)
                .await?;
        self.crossed(crossed);
        Ok(())
    }

    /// A wait in a queue ended or was recorded (a call, a counter visit).
    pub async fn wait_recorded(&mut self, org_id: i64, wait: &Wait) -> Result<()> {
        let charter = self.charter(org_id).await?;
        if !charter.active.is_empty() {
            let crossed =
                evaluate::wait_recorded(&mut self.tx, &mut self.measures, &charter, wait, self.now)
                    .await?;
            self.crossed(crossed);
        }
        Ok(())
    }

    /// A counter visit was served on this case at `at`: its survey is scheduled.
    pub async fn visit_served(&mut self, org_id: i64, case_id: i64, at: i64) -> Result<()> {
        if surveys::counter_visit(&mut self.tx, org_id, case_id, at, self.now).await? {
            self.wake(Worker::Surveys);
        }
        Ok(())
    }

    /// An unacceptable crossing queued an alert.
    fn crossed(&mut self, alerted: bool) {
        if alerted {
            self.wake(Worker::Alerts);
        }
    }
}

impl std::ops::Deref for Work {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl std::ops::DerefMut for Work {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}
