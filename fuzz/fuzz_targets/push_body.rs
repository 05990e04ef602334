//! The body of `POST /api/v1/sync/push` as the handler reads it: JSON into
//! `PushRequest<MutationEnvelope>`, then each envelope parsed on its own into a
//! `Mutation` (or a rejection naming its seq), and what the apply step asks of a
//! parsed mutation before it touches the database. A mutation that parses must also
//! survive the wire: serialised and read again, it is the same mutation (the browser
//! sends what the shared types serialise). Any answer is fine but a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tiendo_shared::protocol::{
    Cursor, Mutation, MutationBody, MutationEnvelope, PushRequest, Rejection,
};

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<PushRequest<MutationEnvelope>>(data) else {
        return;
    };
    let _ = request.client_id.as_str();
    for envelope in request.mutations {
        let seq = envelope.seq;
        match envelope.parse() {
            Ok(mutation) => applied(&mutation, seq),
            Err(Rejection {
                seq: rejected,
                error,
                message,
            }) => {
                assert_eq!(rejected, seq, "a rejection names its own seq");
                let _ = (error.code(), message);
            }
        }
    }
});

fn applied(mutation: &Mutation, seq: u64) {
    assert_eq!(mutation.seq, seq);
    let _ = mutation.body.kind();
    let _ = mutation.body.observed_at().millis();
    // The pull cursor of the change this mutation becomes is checked against its id.
    let cursor = Cursor::after(u64::MAX, &mutation.id);
    assert_eq!(Cursor::parse(&cursor.to_string()), Some(cursor));
    if let MutationBody::ProgressRecord(record) = &mutation.body {
        let _ = record.results().as_str();
    }
    let wire = serde_json::to_vec(mutation).expect("a mutation serialises");
    let again: Mutation = serde_json::from_slice(&wire).expect("a serialised mutation reads");
    assert_eq!(&again, mutation, "a mutation survives the wire");
}
