//! The terminal reader. State (`state`), what keys mean (`action`, `keymap`), all the logic
//! (`update`: messages in, effects out, no I/O) and pure views (`view`) that draw the state;
//! `run` is the only part that touches the terminal and the cache. It depends on `model` and
//! `store`, and nothing depends on it but the binary.

pub mod action;
pub mod keymap;
pub mod layout;
pub mod open;
pub mod run;
pub mod state;
pub mod text;
pub mod update;
pub mod view;

pub use run::{App, run};

#[cfg(test)]
mod tests;
