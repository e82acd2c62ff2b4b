//! A `Compat` unwrapped outside any runtime does not start the fallback runtime just to drop
//! nothing. (One test in this binary: no other test may have started the fallback.)
#![cfg(all(feature = "tokio", target_os = "linux"))]

use iocompat::Compat;

fn fallback_thread_running() -> bool {
    std::fs::read_dir("/proc/self/task").unwrap().any(|t| {
        let p = t.unwrap().path().join("comm");
        std::fs::read_to_string(p)
            .unwrap_or_default()
            .starts_with("iocompat-tokio")
    })
}

#[test]
fn into_inner_outside_a_runtime_starts_no_fallback_runtime() {
    assert!(tokio::runtime::Handle::try_current().is_err());
    assert!(
        !fallback_thread_running(),
        "nothing in this binary started it yet"
    );
    let compat: Compat<Vec<u8>> = Compat::new(Vec::new());
    let _value = compat.into_inner();
    // The fallback's thread would have been spawned synchronously inside the drop.
    assert!(
        !fallback_thread_running(),
        "a fallback runtime thread was started to drop nothing"
    );
}
