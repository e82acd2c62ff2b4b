//! Test data, one definition for every test binary.

/// `n` bytes of a pattern that does not repeat with any short period (the `i / 251` term
/// shifts it every 251 bytes), so a chunk delivered twice, skipped or out of order shows.
pub fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}
