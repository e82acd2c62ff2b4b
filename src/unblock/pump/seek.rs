//! The pump's seek: relative to the consumer's logical position, keeping read-ahead when the
//! target lies inside it. The arithmetic is [`plan`], a pure function tested on its own.

use std::io::{self, SeekFrom};

use crate::io_util::retry_interrupted as retry;
use crate::unblock::shared::{SeekOps, SeekOutcome};

/// Seeks relative to the consumer's logical position, which is `ahead` bytes behind the inner
/// value's own cursor; `behind` bytes before it are still in the consumer's chunk.
pub(super) fn seek<T>(
    inner: &mut T,
    ops: SeekOps<T>,
    pos: SeekFrom,
    ahead: u64,
    behind: u64,
    discard: bool,
) -> io::Result<SeekOutcome> {
    if let SeekFrom::End(_) = pos {
        let pos = retry(|| (ops.seek)(inner, pos))?;
        return Ok(SeekOutcome::Moved { pos });
    }
    let cur = retry(|| (ops.tell)(inner))?;
    match plan(pos, cur, ahead, behind, discard)? {
        Plan::Reuse { pos, delta } => Ok(SeekOutcome::Reuse { pos, delta }),
        Plan::MoveTo(target) => {
            let pos = retry(|| (ops.seek)(inner, SeekFrom::Start(target)))?;
            Ok(SeekOutcome::Moved { pos })
        }
    }
}

/// What a seek from `SeekFrom::Start` or `SeekFrom::Current` must do.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Plan {
    /// The target `pos` is inside the read-ahead, `delta` bytes from the logical position.
    Reuse { pos: u64, delta: i64 },
    /// Move the value to this absolute position.
    MoveTo(u64),
}

/// Where a seek to `pos` goes when the value's cursor is at `cur`, `ahead` bytes past the
/// logical position, and `behind` already-read bytes are still buffered before it. `discard`:
/// never reuse (read-ahead is being given back). `SeekFrom::End` is not planned here: the
/// value alone knows its end.
pub(super) fn plan(
    pos: SeekFrom,
    cur: u64,
    ahead: u64,
    behind: u64,
    discard: bool,
) -> io::Result<Plan> {
    let Some(logical) = cur.checked_sub(ahead) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "iocompat::Unblock::seek: the wrapped value reports position {cur}, but {ahead} \
                 bytes were already read ahead from it (a broken `Seek` implementation)"
            ),
        ));
    };
    let target = match pos {
        SeekFrom::Start(x) => Some(x),
        SeekFrom::Current(k) => logical.checked_add_signed(k),
        SeekFrom::End(_) => None,
    };
    let Some(target) = target else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "iocompat::Unblock::seek: {pos:?} from position {logical} lands before the start \
                 of the stream or past u64::MAX"
            ),
        ));
    };
    let window_start = logical.saturating_sub(behind);
    if !discard && target >= window_start && target <= cur {
        let delta = target as i128 - logical as i128;
        if let Ok(delta) = i64::try_from(delta) {
            return Ok(Plan::Reuse { pos: target, delta });
        }
    }
    Ok(Plan::MoveTo(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cursor at 100, 30 bytes read ahead (logical position 70), 10 already-read bytes kept.
    fn at_70(pos: SeekFrom) -> io::Result<Plan> {
        plan(pos, 100, 30, 10, false)
    }

    #[test]
    fn targets_inside_the_window_reuse_it() {
        assert_eq!(
            at_70(SeekFrom::Current(0)).unwrap(),
            Plan::Reuse { pos: 70, delta: 0 }
        );
        assert_eq!(
            at_70(SeekFrom::Current(30)).unwrap(),
            Plan::Reuse {
                pos: 100,
                delta: 30
            }
        );
        assert_eq!(
            at_70(SeekFrom::Start(60)).unwrap(),
            Plan::Reuse {
                pos: 60,
                delta: -10
            }
        );
    }

    #[test]
    fn targets_outside_the_window_move_the_value() {
        assert_eq!(at_70(SeekFrom::Start(59)).unwrap(), Plan::MoveTo(59));
        assert_eq!(at_70(SeekFrom::Current(31)).unwrap(), Plan::MoveTo(101));
        assert_eq!(at_70(SeekFrom::Start(0)).unwrap(), Plan::MoveTo(0));
    }

    #[test]
    fn discard_never_reuses() {
        assert_eq!(
            plan(SeekFrom::Current(0), 100, 30, 10, true).unwrap(),
            Plan::MoveTo(70)
        );
    }

    #[test]
    fn before_the_start_or_past_the_end_of_u64_is_invalid_input() {
        let e = at_70(SeekFrom::Current(-71)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(
            e.to_string().starts_with("iocompat::Unblock::seek: "),
            "{e}"
        );
        let e = plan(SeekFrom::Current(1), u64::MAX, 0, 0, false).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn more_read_ahead_than_the_position_is_a_broken_seek() {
        let e = plan(SeekFrom::Current(0), 5, 6, 0, false).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn a_delta_beyond_i64_moves_instead_of_reusing() {
        // Logical position 0, everything up to u64::MAX read ahead: the target is in the
        // window but its distance does not fit an i64.
        assert_eq!(
            plan(SeekFrom::Start(u64::MAX), u64::MAX, u64::MAX, 0, false).unwrap(),
            Plan::MoveTo(u64::MAX)
        );
    }

    #[test]
    fn the_window_start_saturates_at_zero() {
        assert_eq!(
            plan(SeekFrom::Start(0), 10, 5, 100, false).unwrap(),
            Plan::Reuse { pos: 0, delta: -5 }
        );
    }
}
