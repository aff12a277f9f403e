#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| netrt_fuzz::harness::ws_frames(data));
