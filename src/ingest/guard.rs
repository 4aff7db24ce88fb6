//! A fence around third-party parsers. feed-rs and the Readability port are run on text
//! strangers wrote, and both have panicked on hostile input (fuzzing found feed-rs slicing an
//! author string inside a character). A panic there must become a bad-input error for that
//! feed or page, not a crash, and must print nothing: inside the reader, the terminal hooks
//! would otherwise restore the terminal under a running screen.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    static FENCED: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the current panic hook so that panics inside [`fenced`] are silent. It must be the
/// outermost hook: the reader calls it again after installing its terminal hooks.
pub fn install_quiet_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !FENCED.with(Cell::get) {
            previous(info);
        }
    }));
}

/// Runs `f`, turning a panic inside it into `None`.
pub fn fenced<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(install_quiet_hook);
    let was = FENCED.with(|c| c.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    FENCED.with(|c| c.set(was));
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_the_fence_is_none() {
        assert_eq!(fenced(|| 7), Some(7));
        let r: Option<()> = fenced(|| {
            let s = "é";
            let _ = &s[..1];
        });
        assert_eq!(r, None);
    }
}
