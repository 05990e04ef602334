//! A thin, promise-shaped layer over IndexedDB.
//!
//! Each request becomes a future. A transaction stays alive only while it has requests
//! pending, so code holding a [`Tx`] awaits IndexedDB requests and nothing else.

use js_sys::{Array, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode,
};

/// The database name and the schema version this build creates. Version 2 added
/// [`REPORTS`], version 3 [`SENT`]; an upgrade only ever adds stores, so what a device
/// holds survives it.
const NAME: &str = "tiendo";
const VERSION: u32 = 3;

/// Key-value settings and cached documents (session, plan, cursors), JSON strings.
pub const META: &str = "meta";
/// Mutations not yet acknowledged, keyed by `[client_id, seq]`.
pub const OUTBOX: &str = "outbox";
/// Progress updates pulled from the server, keyed by their server id.
pub const UPDATES: &str = "updates";
/// Report events pulled from the server, keyed by their server id.
pub const REPORTS: &str = "reports";
/// Mutations the server acknowledged, kept for a while in case it is restored from a
/// backup that predates them; keyed like the outbox.
pub const SENT: &str = "sent";

/// Opens the database, creating or upgrading its stores.
pub async fn open() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .indexed_db()?
        .ok_or_else(|| JsValue::from_str("IndexedDB is not available"))?;
    let request = factory.open_with_u32(NAME, VERSION)?;
    let upgrade_target = request.clone();
    let on_upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        if let Ok(result) = upgrade_target.result() {
            let db: IdbDatabase = result.unchecked_into();
            let names = db.object_store_names();
            for store in [META, OUTBOX, UPDATES, REPORTS, SENT] {
                if !names.contains(store) {
                    // Failing here aborts the upgrade, and `open` reports the error.
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let db = wait(&request).await;
    request.set_onupgradeneeded(None);
    drop(on_upgrade);
    let db: IdbDatabase = db?.unchecked_into();
    // A newer version of the app, open in another tab, needs this connection closed
    // to upgrade the schema; hold it open and that tab would wait for ever.
    let closing = db.clone();
    let on_version_change = Closure::<dyn FnMut()>::new(move || closing.close());
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget();
    Ok(db)
}

/// Waits for a request to succeed or fail.
pub async fn wait(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        let target = request.clone();
        let on_success = Closure::once_into_js(move |_: web_sys::Event| {
            let value = target.result().unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &value);
        });
        let target = request.clone();
        let on_error = Closure::once_into_js(move |_: web_sys::Event| {
            let error = target
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("IndexedDB request failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

/// A transaction over some stores.
pub struct Tx {
    tx: IdbTransaction,
}

impl Tx {
    pub fn read(db: &IdbDatabase, stores: &[&str]) -> Result<Tx, JsValue> {
        Tx::new(db, stores, IdbTransactionMode::Readonly)
    }

    pub fn write(db: &IdbDatabase, stores: &[&str]) -> Result<Tx, JsValue> {
        Tx::new(db, stores, IdbTransactionMode::Readwrite)
    }

    fn new(db: &IdbDatabase, stores: &[&str], mode: IdbTransactionMode) -> Result<Tx, JsValue> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        Ok(Tx {
            tx: db.transaction_with_str_sequence_and_mode(&names, mode)?,
        })
    }

    fn store(&self, name: &str) -> Result<IdbObjectStore, JsValue> {
        self.tx.object_store(name)
    }

    /// The JSON text under `key`, if any.
    pub async fn get(&self, store: &str, key: &JsValue) -> Result<Option<String>, JsValue> {
        let value = wait(&self.store(store)?.get(key)?).await?;
        Ok(value.as_string())
    }

    pub async fn put(&self, store: &str, key: &JsValue, json: &str) -> Result<(), JsValue> {
        wait(
            &self
                .store(store)?
                .put_with_key(&JsValue::from_str(json), key)?,
        )
        .await?;
        Ok(())
    }

    pub async fn delete(&self, store: &str, key: &JsValue) -> Result<(), JsValue> {
        wait(&self.store(store)?.delete(key)?).await?;
        Ok(())
    }

    /// Every JSON text in `range` (all of the store when `None`), in key order.
    pub async fn get_all(
        &self,
        store: &str,
        range: Option<&IdbKeyRange>,
    ) -> Result<Vec<String>, JsValue> {
        let store = self.store(store)?;
        let request = match range {
            Some(range) => store.get_all_with_key(range)?,
            None => store.get_all()?,
        };
        let values: Array = wait(&request).await?.unchecked_into();
        Ok(values.iter().filter_map(|v| v.as_string()).collect())
    }

    /// Waits until the transaction has committed.
    pub async fn commit(self) -> Result<(), JsValue> {
        let tx = self.tx;
        let promise = Promise::new(&mut |resolve, reject| {
            let on_complete = Closure::once_into_js(move |_: web_sys::Event| {
                let _ = resolve.call0(&JsValue::NULL);
            });
            let reject_abort = reject.clone();
            let on_error = Closure::once_into_js(move |_: web_sys::Event| {
                let _ = reject.call1(
                    &JsValue::NULL,
                    &JsValue::from_str("IndexedDB transaction failed"),
                );
            });
            let on_abort = Closure::once_into_js(move |_: web_sys::Event| {
                let _ = reject_abort.call1(
                    &JsValue::NULL,
                    &JsValue::from_str("IndexedDB transaction aborted"),
                );
            });
            tx.set_oncomplete(Some(on_complete.unchecked_ref()));
            tx.set_onerror(Some(on_error.unchecked_ref()));
            tx.set_onabort(Some(on_abort.unchecked_ref()));
        });
        JsFuture::from(promise).await?;
        Ok(())
    }
}

/// The key range of one client's outbox: `[client_id, 1] ..= [client_id, up_to]`.
pub fn outbox_range(client_id: &str, up_to: f64) -> Result<IdbKeyRange, JsValue> {
    let lower: Array = [JsValue::from_str(client_id), JsValue::from_f64(0.0)]
        .into_iter()
        .collect();
    let upper: Array = [JsValue::from_str(client_id), JsValue::from_f64(up_to)]
        .into_iter()
        .collect();
    IdbKeyRange::bound(&lower, &upper)
}

/// The outbox key of one mutation.
pub fn outbox_key(client_id: &str, seq: u64) -> JsValue {
    let key: Array = [JsValue::from_str(client_id), JsValue::from_f64(seq as f64)]
        .into_iter()
        .collect();
    key.into()
}
