//! Running extraction again over stored documents, after the dictionaries or rules have
//! changed: page through the store, extract, replace each batch's facts in one
//! transaction.

use extract::Extractor;
use store::{Store, StoreError};

use crate::facts::facts_for;

/// Documents per transaction.
const BATCH: u32 = 200;

/// Re-extracts every stored document (only stale ones unless `all`); `progress` hears
/// the number done after each batch. Returns how many documents were re-extracted.
pub fn reextract(
    store: &Store,
    extractor: &Extractor,
    fingerprint: &str,
    all: bool,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, StoreError> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let inputs = store.extraction_inputs(after, BATCH)?;
        let Some(last) = inputs.last() else { break };
        after = last.seq;
        let batch: Vec<_> = inputs
            .iter()
            // Facts imported from a partner are theirs: extraction leaves them alone.
            .filter(|i| i.extracted_with.as_deref() != Some(crate::exchange::IMPORTED))
            .filter(|i| all || i.extracted_with.as_deref() != Some(fingerprint))
            .map(|i| (i.id, facts_for(extractor, fingerprint, i.id, &i.text, i.published, i.marking)))
            .collect();
        store.replace_facts(&batch)?;
        done += batch.len() as u64;
        progress(inputs.len() as u64);
    }
    Ok(done)
}
