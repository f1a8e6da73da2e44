//! Batches (`Masker::mask_texts`): the same output as `mask_text` one by one, and a bad
//! item refused by its index with nothing masked.

mod maskers;

use coresdk_base::ErrorCode;
use maskers::{fixture_texts, pseudonymizer};

#[test]
fn a_batch_masks_every_fixture_as_mask_text_does() {
    let masker = pseudonymizer("batch-key");
    let texts = fixture_texts();
    let batch = masker.mask_texts(&texts).expect("valid UTF-8");
    let one_by_one: Vec<String> = texts.iter().map(|t| masker.mask_text(t)).collect();
    assert_eq!(batch, one_by_one);
    let changed = batch.iter().zip(&texts).filter(|(o, t)| o != t).count();
    assert!(changed > 100, "only {changed} fixture texts changed");
    assert!(masker.mask_texts::<&str>(&[]).expect("empty").is_empty());
}

#[test]
fn invalid_utf8_is_refused_by_its_index() {
    let masker = pseudonymizer("batch-key");
    let texts: [&[u8]; 3] = [b"bob@example.com", b"ok", b"a\xffb"];
    let error = masker.mask_texts(&texts).expect_err("invalid UTF-8");
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    assert!(
        error.message().starts_with("texts[2] is not valid UTF-8"),
        "{}",
        error.message()
    );
}
