#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| coresdk_fuzz::check_mask_json(data));
