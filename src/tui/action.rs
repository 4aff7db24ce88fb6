//! What a key means: the reader's vocabulary of actions, independent of which key produced
//! them. The keymap maps keys to these; `update` gives them their effect on the state.

/// One thing a person can ask the reader to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Move down / up in the focused pane.
    Down,
    Up,
    /// First / last row of the focused pane.
    First,
    Last,
    /// Scroll the reader a page.
    PageDown,
    PageUp,
    /// Cycle focus list → reader → sidebar, and back.
    FocusNext,
    FocusPrev,
    FocusLeft,
    FocusRight,
    /// Open the selected article (list) or jump to the next mention of the selected entity
    /// (sidebar).
    Activate,
    ToggleRead,
    ToggleStar,
    /// Open the search prompt.
    Search,
    /// Next / previous search hit inside the open article.
    NextHit,
    PrevHit,
    /// Previous mention of the selected entity.
    PrevMention,
    /// List every article that mentions the selected entity.
    EntityArticles,
    /// Clear the active search and restore the list it replaced; close overlays.
    Cancel,
    /// Browser-like history.
    Back,
    Forward,
    /// Open the feed picker.
    Feeds,
    /// Refresh every feed in the background.
    RefreshFeeds,
    /// Fetch the open article's full text from its link, in the background.
    FullText,
    /// Open the article's source link in the browser.
    OpenLink,
    /// Show or hide the entity sidebar as an overlay (narrow terminals).
    ToggleSidebar,
    Help,
    Quit,
}
