//! What the app keeps on the device, in IndexedDB: the session, the outbox of
//! unsynced mutations, the pulled updates and report events, the cached plan, the
//! sync cursor and the working copies of reports being written. It all survives
//! reloads and browser restarts. Beside it, one `localStorage` flag says that the
//! device holds a session (`flag_signed_in`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tiendo_shared::ids::{ClientId, PlanCode, Uuid};
use tiendo_shared::protocol::{
    AgencyChange, AgencyRef, Cursor, Mutation, MutationBody, PlanListing, PlanView, ProgressUpdate,
    Rejection, ReportWrite, UserInfo,
};
#[cfg(feature = "workspace")]
use tiendo_shared::report::ReportEvent;
use wasm_bindgen::JsValue;
use web_sys::IdbDatabase;

use crate::api::PullPage;
use crate::idb::{self, META, OUTBOX, REPORTS, SENT, Tx, UPDATES};
use tiendo_shared::json::from_value;

/// The feed this build pulls: 2 has report events beside progress updates; 3 applies
/// agency changes (renames and merges) to what the device holds. A device that pulled
/// an older feed never received the report events, or skipped the agency changes,
/// before its cursor, so it starts over from the beginning once.
const FEED_VERSION: u32 = 3;

/// The `localStorage` key that says, synchronously, that the device holds a session:
/// `index.html` reads it before its first paint, to show "Đang tải…" rather than its
/// sign-in form while the app loads. The session in IndexedDB stays the record; the
/// flag follows it (and is set right at each start, for sessions older than it).
const SIGNED_IN_KEY: &str = "tiendo.signed-in";

/// Sets or clears the flag that the device holds a session.
pub fn flag_signed_in(signed_in: bool) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let _ = storage.set_item(SIGNED_IN_KEY, if signed_in { "1" } else { "" });
}

/// A signed-in session, kept so the app opens offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: UserInfo,
}

/// This device's sync identity for one person.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClientState {
    client_id: ClientId,
    next_seq: u64,
}

/// A mutation waiting to be acknowledged by the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub client_id: ClientId,
    #[serde(deserialize_with = "read_mutation")]
    pub mutation: Mutation,
}

/// How long a device keeps what the server acknowledged, so that it can send it again
/// to a server restored from a backup made before (docs/sync.md, "After a restore").
const KEEP_SENT_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

/// A mutation the server acknowledged, kept for [`KEEP_SENT_MS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SentEntry {
    client_id: ClientId,
    #[serde(deserialize_with = "read_mutation")]
    mutation: Mutation,
    /// When the server acknowledged it (ms since the epoch, the device's clock).
    acked_at: f64,
}

/// A mutation the server refused for good, kept so the person can see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedEntry {
    #[serde(deserialize_with = "read_mutation")]
    pub mutation: Mutation,
    pub rejection: Rejection,
}

/// Reads back a mutation this device stored (the JSON it pushes): its `seq` and `id`,
/// and its body by its `kind` from the same object. Mutation's derived reader (the
/// server's, whose messages it answers with) goes through serde's buffered `Content`
/// twice, for the flattened body and for the tag; this one reads every body type
/// through `serde_json::Value`, as the rest of the app's JSON is read.
fn read_mutation<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Mutation, D::Error> {
    use serde::de::Error;
    let value = Value::deserialize(deserializer)?;
    let seq = value
        .get("seq")
        .and_then(Value::as_u64)
        .ok_or_else(|| D::Error::missing_field("seq"))?;
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse(id).ok())
        .ok_or_else(|| D::Error::missing_field("id"))?;
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let body = match kind {
        "progress.record" => from_value(value).map(MutationBody::ProgressRecord),
        "report.save" => ReportWrite::from_json(value).map(MutationBody::ReportSave),
        "report.submit" => ReportWrite::from_json(value).map(MutationBody::ReportSubmit),
        "report.review" => from_value(value).map(MutationBody::ReportReview),
        _ => return Err(D::Error::custom("not a mutation kind")),
    };
    Ok(Mutation {
        seq,
        id,
        body: body.ok_or_else(|| D::Error::custom("not a mutation"))?,
    })
}

/// Which person the pulled changes and the cursor belong to, and which feed they
/// came from ([`FEED_VERSION`]; absent in what earlier builds stored, so 0).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PullState {
    owner: String,
    cursor: Cursor,
    #[serde(default)]
    feed: u32,
}

impl PullState {
    /// Whether the cache and cursor can be carried on for `username`.
    fn continues(&self, username: &str) -> bool {
        self.owner == username && self.feed >= FEED_VERSION
    }
}

/// The local database.
#[derive(Clone)]
pub struct Store {
    db: IdbDatabase,
}

type Result<T> = std::result::Result<T, JsValue>;

fn key(s: &str) -> JsValue {
    JsValue::from_str(s)
}

fn decode<T: DeserializeOwned>(json: &str) -> Result<T> {
    crate::api::read_json(json).ok_or_else(|| JsValue::from_str("unreadable stored data"))
}

/// A stored update (see [`ProgressUpdate::from_json`]).
fn read_update(json: &str) -> Result<ProgressUpdate> {
    crate::api::parse_json(json)
        .as_ref()
        .and_then(ProgressUpdate::from_json)
        .ok_or_else(|| JsValue::from_str("unreadable stored data"))
}

/// `value` as JSON text (see `tiendo_shared::json::to_string`). Writing the app's types
/// cannot fail; were it to, the error is not worded.
fn encode<T: Serialize>(value: &T) -> Result<String> {
    tiendo_shared::json::to_string(value).ok_or_else(|| JsValue::from_str("unwritable data"))
}

impl Store {
    pub async fn open() -> Result<Store> {
        Ok(Store {
            db: idb::open().await?,
        })
    }

    async fn meta<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        let tx = Tx::read(&self.db, &[META])?;
        tx.get(META, &key(name))
            .await?
            .map(|json| decode(&json))
            .transpose()
    }

    async fn set_meta<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        let tx = Tx::write(&self.db, &[META])?;
        tx.put(META, &key(name), &encode(value)?).await?;
        tx.commit().await
    }

    pub async fn session(&self) -> Result<Option<Session>> {
        self.meta("session").await
    }

    pub async fn set_session(&self, session: &Session) -> Result<()> {
        self.set_meta("session", session).await?;
        flag_signed_in(true);
        Ok(())
    }

    /// Signs out on this device. The outbox stays: it is sent at the next sign-in of
    /// the same person.
    pub async fn clear_session(&self) -> Result<()> {
        flag_signed_in(false);
        let tx = Tx::write(&self.db, &[META])?;
        tx.delete(META, &key("session")).await?;
        tx.commit().await
    }

    pub async fn plan(&self, username: &str) -> Result<Option<PlanView>> {
        self.meta(&format!("plan:{username}")).await
    }

    pub async fn set_plan(&self, username: &str, plan: &PlanView) -> Result<()> {
        self.set_meta(&format!("plan:{username}"), plan).await
    }

    /// The plans of the person's province, as last listed.
    pub async fn plans(&self, username: &str) -> Vec<PlanListing> {
        self.meta(&format!("plans:{username}"))
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    pub async fn set_plans(&self, username: &str, plans: &[PlanListing]) -> Result<()> {
        self.set_meta(&format!("plans:{username}"), &plans).await
    }

    /// The plan the person chose to work on; `None` for the current one.
    pub async fn plan_choice(&self, username: &str) -> Option<PlanCode> {
        self.meta(&format!("plan_choice:{username}"))
            .await
            .ok()
            .flatten()
    }

    pub async fn set_plan_choice(&self, username: &str, choice: Option<&PlanCode>) -> Result<()> {
        self.set_meta(&format!("plan_choice:{username}"), &choice)
            .await
    }

    /// The client id this person uses on this device, made on first use.
    pub async fn client_id(&self, username: &str) -> Result<ClientId> {
        let name = format!("client:{username}");
        let tx = Tx::write(&self.db, &[META])?;
        let state = match tx.get(META, &key(&name)).await? {
            Some(json) => decode::<ClientState>(&json)?,
            None => {
                let state = ClientState {
                    client_id: new_uuid()?,
                    next_seq: 1,
                };
                tx.put(META, &key(&name), &encode(&state)?).await?;
                state
            }
        };
        tx.commit().await?;
        Ok(state.client_id)
    }

    /// Numbers a new mutation and puts it in the outbox, in one transaction, so that
    /// two tabs never give out the same number.
    pub async fn enqueue(&self, username: &str, body: MutationBody) -> Result<OutboxEntry> {
        let name = format!("client:{username}");
        let tx = Tx::write(&self.db, &[META, OUTBOX])?;
        let mut state = match tx.get(META, &key(&name)).await? {
            Some(json) => decode::<ClientState>(&json)?,
            None => ClientState {
                client_id: new_uuid()?,
                next_seq: 1,
            },
        };
        let entry = OutboxEntry {
            client_id: state.client_id.clone(),
            mutation: Mutation {
                seq: state.next_seq,
                id: new_uuid()?,
                body,
            },
        };
        state.next_seq += 1;
        tx.put(
            OUTBOX,
            &idb::outbox_key(entry.client_id.as_str(), entry.mutation.seq),
            &encode(&entry)?,
        )
        .await?;
        tx.put(META, &key(&name), &encode(&state)?).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Gives this person a new client id and numbers the outbox again from 1 under it,
    /// keeping each mutation's id, in one transaction. Returns the new client id.
    pub async fn renumber(&self, username: &str) -> Result<ClientId> {
        let name = format!("client:{username}");
        let tx = Tx::write(&self.db, &[META, OUTBOX])?;
        let old = match tx.get(META, &key(&name)).await? {
            Some(json) => Some(decode::<ClientState>(&json)?),
            None => None,
        };
        let mut state = ClientState {
            client_id: new_uuid()?,
            next_seq: 1,
        };
        if let Some(old) = old {
            let range = idb::outbox_range(old.client_id.as_str(), f64::MAX)?;
            let entries: Vec<OutboxEntry> = tx
                .get_all(OUTBOX, Some(&range))
                .await?
                .iter()
                .map(|json| decode(json))
                .collect::<Result<_>>()?;
            tx.delete(OUTBOX, &range.into()).await?;
            for mut entry in entries {
                entry.client_id = state.client_id.clone();
                entry.mutation.seq = state.next_seq;
                state.next_seq += 1;
                let key = idb::outbox_key(entry.client_id.as_str(), entry.mutation.seq);
                tx.put(OUTBOX, &key, &encode(&entry)?).await?;
            }
        }
        tx.put(META, &key(&name), &encode(&state)?).await?;
        tx.commit().await?;
        Ok(state.client_id)
    }

    /// Forgets what was pulled (on sign-out: a shared device keeps no one's data).
    pub async fn clear_pulled(&self) -> Result<()> {
        let tx = Tx::write(&self.db, &[META, UPDATES, REPORTS])?;
        let everything = web_sys::IdbKeyRange::lower_bound(&JsValue::from_f64(f64::MIN))?;
        tx.delete(UPDATES, &everything.clone().into()).await?;
        tx.delete(REPORTS, &everything.into()).await?;
        tx.delete(META, &key("pull")).await?;
        tx.commit().await
    }

    /// The mutations of `client_id` not yet acknowledged, in order.
    pub async fn outbox(&self, client_id: &ClientId) -> Result<Vec<OutboxEntry>> {
        let tx = Tx::read(&self.db, &[OUTBOX])?;
        let range = idb::outbox_range(client_id.as_str(), f64::MAX)?;
        tx.get_all(OUTBOX, Some(&range))
            .await?
            .iter()
            .map(|json| decode(json))
            .collect()
    }

    /// Drops the mutations the server holds (`seq <= last_seq`) and keeps the rejected
    /// ones aside for the person to see.
    pub async fn acknowledge(
        &self,
        username: &str,
        client_id: &ClientId,
        last_seq: u64,
        rejected: Vec<RejectedEntry>,
    ) -> Result<()> {
        let name = format!("rejected:{username}");
        let tx = Tx::write(&self.db, &[META, OUTBOX, SENT])?;
        // What the server now holds is kept aside, refused ones too (the numbers must
        // stay without gaps, and after a restore they are judged again), with the
        // highest number the server acknowledged for this client id.
        let range = idb::outbox_range(client_id.as_str(), last_seq as f64)?;
        let now = js_sys::Date::now();
        for json in tx.get_all(OUTBOX, Some(&range)).await? {
            let entry: OutboxEntry = decode(&json)?;
            let sent = SentEntry {
                client_id: entry.client_id,
                mutation: entry.mutation,
                acked_at: now,
            };
            let key = idb::outbox_key(sent.client_id.as_str(), sent.mutation.seq);
            tx.put(SENT, &key, &encode(&sent)?).await?;
        }
        let acked_name = format!("acked:{client_id}");
        let acked: u64 = match tx.get(META, &key(&acked_name)).await? {
            Some(json) => decode(&json)?,
            None => 0,
        };
        if last_seq > acked {
            tx.put(META, &key(&acked_name), &encode(&last_seq)?).await?;
        }
        if !rejected.is_empty() {
            let mut all: Vec<RejectedEntry> = match tx.get(META, &key(&name)).await? {
                Some(json) => decode(&json)?,
                None => Vec::new(),
            };
            all.extend(rejected);
            tx.put(META, &key(&name), &encode(&all)?).await?;
        }
        let range = idb::outbox_range(client_id.as_str(), last_seq as f64)?;
        tx.delete(OUTBOX, &range.into()).await?;
        tx.commit().await
    }

    /// The highest `last_seq` the server acknowledged for `client_id`.
    pub async fn acked(&self, client_id: &ClientId) -> Result<u64> {
        Ok(self.meta(&format!("acked:{client_id}")).await?.unwrap_or(0))
    }

    /// The server no longer holds `client_id`'s mutations after `last_seq` (it was
    /// restored from a backup): those this device kept go back to the outbox, under
    /// the same client id, numbers and ids, to be sent again. Whether it kept all of
    /// them (`last_seq + 1` onwards without a gap); if not, the caller numbers again.
    pub async fn resend_after(&self, client_id: &ClientId, last_seq: u64) -> Result<bool> {
        let tx = Tx::write(&self.db, &[META, OUTBOX, SENT])?;
        let acked_name = format!("acked:{client_id}");
        let acked: u64 = match tx.get(META, &key(&acked_name)).await? {
            Some(json) => decode(&json)?,
            None => 0,
        };
        let lower: js_sys::Array = [
            JsValue::from_str(client_id.as_str()),
            JsValue::from_f64(last_seq as f64 + 0.5),
        ]
        .into_iter()
        .collect();
        let upper: js_sys::Array = [
            JsValue::from_str(client_id.as_str()),
            JsValue::from_f64(acked as f64),
        ]
        .into_iter()
        .collect();
        let range = web_sys::IdbKeyRange::bound(&lower, &upper)?;
        let kept: Vec<SentEntry> = tx
            .get_all(SENT, Some(&range))
            .await?
            .iter()
            .map(|json| decode(json))
            .collect::<Result<_>>()?;
        let whole = kept
            .iter()
            .zip(last_seq + 1..)
            .all(|(entry, seq)| entry.mutation.seq == seq)
            && kept.len() as u64 == acked.saturating_sub(last_seq);
        for entry in kept {
            let back = OutboxEntry {
                client_id: entry.client_id,
                mutation: entry.mutation,
            };
            let key = idb::outbox_key(back.client_id.as_str(), back.mutation.seq);
            tx.put(OUTBOX, &key, &encode(&back)?).await?;
        }
        tx.delete(SENT, &range.into()).await?;
        tx.put(META, &key(&acked_name), &encode(&last_seq)?).await?;
        tx.commit().await?;
        Ok(whole)
    }

    /// Forgets what the server acknowledged more than [`KEEP_SENT_MS`] ago.
    pub async fn prune_sent(&self) -> Result<()> {
        let tx = Tx::write(&self.db, &[SENT])?;
        let everything = web_sys::IdbKeyRange::lower_bound(&js_sys::Array::new())?;
        let old = js_sys::Date::now() - KEEP_SENT_MS;
        for json in tx.get_all(SENT, Some(&everything)).await? {
            let entry: SentEntry = decode(&json)?;
            if entry.acked_at < old {
                let key = idb::outbox_key(entry.client_id.as_str(), entry.mutation.seq);
                tx.delete(SENT, &key).await?;
            }
        }
        tx.commit().await
    }

    pub async fn rejected(&self, username: &str) -> Result<Vec<RejectedEntry>> {
        Ok(self
            .meta(&format!("rejected:{username}"))
            .await?
            .unwrap_or_default())
    }

    /// Drops a refused mutation the person has taken back to correct and send again.
    pub async fn discard_rejected(&self, username: &str, id: &str) -> Result<Vec<RejectedEntry>> {
        let mut rejected = self.rejected(username).await?;
        rejected.retain(|entry| entry.mutation.id.as_str() != id);
        self.set_meta(&format!("rejected:{username}"), &rejected)
            .await?;
        Ok(rejected)
    }

    /// Where pulling resumes for this person (the start when the cache belongs to
    /// someone else).
    pub async fn cursor(&self, username: &str) -> Result<Cursor> {
        // A pull state this version cannot read counts as none: start over.
        let state: Option<PullState> = self.meta("pull").await.unwrap_or_default();
        Ok(state
            .filter(|s| s.continues(username))
            .map_or(Cursor::START, |s| s.cursor))
    }

    /// Whether the pulled changes on the device are `username`'s (from any feed: a
    /// device that has not yet pulled the newer feed still shows what it has).
    pub async fn holds_pulled(&self, username: &str) -> bool {
        let state: Option<PullState> = self.meta("pull").await.unwrap_or_default();
        state.is_some_and(|s| s.owner == username && s.cursor != Cursor::START)
    }

    /// Stores a pulled page and its cursor in one transaction. A reset, or a page for
    /// another person or an older feed than the cache holds, first empties the cache.
    /// Each change is read by its `kind` (a kind from a newer server is skipped); a
    /// change this build cannot read fails the page. Whether the page renamed or merged
    /// agencies.
    pub async fn apply_pull(&self, username: &str, page: PullPage) -> Result<bool> {
        let unreadable = || JsValue::from_str("unreadable pulled change");
        // Every change is read before anything is written: a transaction commits what
        // it wrote when it ends, even on an early return, and a page half stored
        // (after a reset, half a history) must not stand in for the whole.
        let mut updates: Vec<(f64, String)> = Vec::new();
        let mut reports: Vec<(f64, String)> = Vec::new();
        let mut agencies: Vec<AgencyChange> = Vec::new();
        for change in page.changes {
            let kind = match change.get("kind") {
                Some(Value::String(kind)) => kind.clone(),
                _ => return Err(unreadable()),
            };
            match kind.as_str() {
                "progress" => {
                    let update = ProgressUpdate::from_json(&change).ok_or_else(unreadable)?;
                    updates.push((update.id as f64, encode(&update)?));
                }
                "report" => {
                    let (id, json) = report_json(change).ok_or_else(unreadable)?;
                    reports.push((id as f64, json));
                }
                // Applied once the page's other changes are stored.
                "agency" => agencies.push(from_value(change).ok_or_else(unreadable)?),
                // A kind from a newer server: this build has nothing to show for it.
                _ => {}
            }
        }
        let tx = Tx::write(&self.db, &[META, UPDATES, REPORTS])?;
        // A pull state this version cannot read counts as none: start over.
        let previous: Option<PullState> = tx
            .get(META, &key("pull"))
            .await?
            .and_then(|json| decode(&json).ok());
        if page.reset || previous.is_none_or(|p| !p.continues(username)) {
            let everything = web_sys::IdbKeyRange::lower_bound(&JsValue::from_f64(f64::MIN))?;
            tx.delete(UPDATES, &everything.clone().into()).await?;
            tx.delete(REPORTS, &everything.into()).await?;
        }
        for (id, json) in &updates {
            tx.put(UPDATES, &JsValue::from_f64(*id), json).await?;
        }
        for (id, json) in &reports {
            tx.put(REPORTS, &JsValue::from_f64(*id), json).await?;
        }
        if !agencies.is_empty() {
            apply_agency_changes(&tx, &agencies).await?;
        }
        let state = PullState {
            owner: username.to_owned(),
            cursor: page.cursor,
            feed: FEED_VERSION,
        };
        tx.put(META, &key("pull"), &encode(&state)?).await?;
        tx.commit().await?;
        Ok(!agencies.is_empty())
    }

    /// Every pulled update, oldest first.
    pub async fn updates(&self) -> Result<Vec<ProgressUpdate>> {
        let tx = Tx::read(&self.db, &[UPDATES])?;
        tx.get_all(UPDATES, None)
            .await?
            .iter()
            .map(|json| read_update(json))
            .collect()
    }

    /// Every pulled report event, in the server's order.
    #[cfg(feature = "workspace")]
    pub async fn reports(&self) -> Result<Vec<ReportEvent>> {
        let tx = Tx::read(&self.db, &[REPORTS])?;
        // The field app stores report events as they come, unread: one this build
        // cannot read (stored by a newer field app) is left out rather than hiding
        // every report. A newer shape of the feed comes with a new FEED_VERSION, which
        // pulls everything again.
        Ok(tx
            .get_all(REPORTS, None)
            .await?
            .iter()
            .filter_map(|json| decode(json).ok())
            .collect())
    }

    /// The working copy kept under `name` (a report being written, in the workspace's
    /// report editor), if any. One this
    /// version cannot read counts as none.
    pub async fn working_copy<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        self.meta(&format!("report-draft:{name}"))
            .await
            .ok()
            .flatten()
    }

    pub async fn set_working_copy<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        self.set_meta(&format!("report-draft:{name}"), value).await
    }

    pub async fn clear_working_copy(&self, name: &str) -> Result<()> {
        let tx = Tx::write(&self.db, &[META])?;
        tx.delete(META, &key(&format!("report-draft:{name}")))
            .await?;
        tx.commit().await
    }
}

/// Names the agency of every stored update and report event, and the session's, as
/// `changes` (an agency renamed, or merged into another) have it, in their order.
async fn apply_agency_changes(tx: &Tx, changes: &[AgencyChange]) -> Result<()> {
    let apply = |agency: &mut AgencyRef| {
        changes
            .iter()
            .fold(false, |changed, change| change.apply(agency) | changed)
    };
    for json in tx.get_all(UPDATES, None).await? {
        let mut update = read_update(&json)?;
        if apply(&mut update.agency) {
            let id = JsValue::from_f64(update.id as f64);
            tx.put(UPDATES, &id, &encode(&update)?).await?;
        }
    }
    // Report events are rewritten as JSON objects, their `agency` only: the field app
    // keeps them without reading them (see `report_json`).
    for json in tx.get_all(REPORTS, None).await? {
        let mut event =
            crate::api::parse_json(&json).ok_or_else(|| key("unreadable stored data"))?;
        let id = event.get("id").and_then(Value::as_i64);
        let agency = event
            .get("agency")
            .and_then(|a| from_value::<AgencyRef>(a.clone()));
        let (Some(id), Some(mut agency)) = (id, agency) else {
            return Err(key("unreadable stored data"));
        };
        if apply(&mut agency) {
            // Both fields are there: the agency was read from them.
            if let Some(Value::Object(object)) = event.get_mut("agency") {
                for (field, value) in [("id", agency.id.as_str()), ("name", &agency.name)] {
                    if let Some(slot) = object.get_mut(field) {
                        *slot = Value::from(value);
                    }
                }
            }
            tx.put(REPORTS, &JsValue::from_f64(id as f64), &encode(&event)?)
                .await?;
        }
    }
    if let Some(json) = tx.get(META, &key("session")).await? {
        let mut session: Session = decode(&json)?;
        if apply(&mut session.user.agency) {
            tx.put(META, &key("session"), &encode(&session)?).await?;
        }
    }
    Ok(())
}

/// A pulled report event as the device keeps it, with its id. The field app never
/// reads report events (the reports are the workspace's): it keeps the server's object
/// as it is (its `kind` too, which `ReportEvent`'s reader passes over) and carries no
/// reader of `ReportEvent`. The workspace reads it first, so that an event it cannot
/// read fails the page.
#[cfg(not(feature = "workspace"))]
fn report_json(change: Value) -> Option<(i64, String)> {
    let id = change.get("id")?.as_i64()?;
    Some((id, tiendo_shared::json::to_string(&change)?))
}

#[cfg(feature = "workspace")]
fn report_json(change: Value) -> Option<(i64, String)> {
    let event: ReportEvent = from_value(change)?;
    Some((event.id, encode(&event).ok()?))
}

/// Asks the browser to keep this site's storage under storage pressure, so that
/// unsynced updates are not evicted. Best effort: the browser decides.
pub async fn request_persistence() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let storage = window.navigator().storage();
    if let Ok(asking) = storage.persist() {
        let _ = wasm_bindgen_futures::JsFuture::from(asking).await;
    }
}

/// A random (version 4) UUID from the browser's cryptographic generator, which unlike
/// `crypto.randomUUID()` also works outside secure contexts.
pub fn new_uuid() -> Result<Uuid> {
    let mut bytes = [0u8; 16];
    web_sys::window()
        .ok_or_else(|| key("no window"))?
        .crypto()?
        .get_random_values_with_u8_array(&mut bytes)?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let text = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    Uuid::parse(&text).map_err(|_| key("not a valid UUID"))
}
