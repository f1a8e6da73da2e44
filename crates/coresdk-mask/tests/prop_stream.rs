//! Streaming equals one-shot masking, as a proptest property: for any text of fragments
//! and glue cut anywhere into chunks, the chunks pushed through a `StreamMasker` give
//! `mask_text` of the whole. Failures shrink, and their seeds are persisted in
//! `proptest-regressions/prop_stream.txt` and replayed first.

mod maskers;
mod prop_gen;
use coresdk_mask::StreamMasker;
use maskers::{pseudonymizer, redactor};
use prop_gen::{chunks, config, stream_pieces};
use proptest::prelude::*;
use std::sync::Arc;

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/prop_stream.txt"
);

proptest! {
    #![proptest_config(config(REGRESSIONS))]

    #[test]
    fn streaming_equals_one_shot(pieces in stream_pieces()) {
        let parts = chunks(&pieces);
        let text = parts.concat();
        for masker in [Arc::new(redactor()), Arc::new(pseudonymizer("k"))] {
            let mut stream = StreamMasker::new(Arc::clone(&masker));
            let mut out = String::new();
            for part in &parts {
                out.push_str(&stream.push(part).expect("push"));
            }
            out.push_str(&stream.finish());
            prop_assert_eq!(out, masker.mask_text(&text), "parts {:?}", parts);
        }
    }
}
