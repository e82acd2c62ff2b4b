//! What the `PositionalFile` tests share: files with content, opened with chosen access, and
//! ways to look inside the errors.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A temporary file holding `content`, and its path (kept alive by the returned guard).
pub fn file_with(content: &[u8]) -> (tempfile::NamedTempFile, File) {
    let mut named = tempfile::NamedTempFile::new().unwrap();
    named.write_all(content).unwrap();
    named.flush().unwrap();
    let file = named.reopen().unwrap();
    (named, file)
}

/// The file at `named`'s path, opened with exactly these access flags.
pub fn open(named: &tempfile::NamedTempFile, read: bool, write: bool, append: bool) -> File {
    OpenOptions::new()
        .read(read)
        .write(write && !append)
        .append(append)
        .open(named.path())
        .unwrap()
}

/// The OS error code at the bottom of `e`'s source chain.
pub fn os_code(e: &io::Error) -> Option<i32> {
    if let Some(code) = e.raw_os_error() {
        return Some(code);
    }
    let mut source = e.get_ref().and_then(|inner| inner.source());
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            if let Some(code) = io.raw_os_error() {
                return Some(code);
            }
        }
        source = s.source();
    }
    None
}

/// Asserts that `e` names the operation and the offset, in the crate's style.
#[track_caller]
pub fn assert_names(e: &io::Error, op: &str, offset: u64) {
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("iocompat::PositionalFile::{op}: ")),
        "{text}"
    );
    assert!(text.contains(&format!("at offset {offset}")), "{text}");
}

/// A buffer that counts its drops, to see where it ends up.
#[derive(Debug)]
pub struct CountedBuf {
    pub bytes: Vec<u8>,
    drops: Arc<AtomicUsize>,
}

impl CountedBuf {
    pub fn new(len: usize) -> (Self, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        (
            Self {
                bytes: vec![0; len],
                drops: Arc::clone(&drops),
            },
            drops,
        )
    }
}

impl AsMut<[u8]> for CountedBuf {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }
}

impl AsRef<[u8]> for CountedBuf {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for CountedBuf {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

pub fn drops(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}

/// Drops the cached pages of `file` (after writing them back), so reads must go to the disk.
#[cfg(target_os = "linux")]
pub fn evict(file: &File) {
    file.sync_all().unwrap();
    rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed).unwrap();
}
