//! Driving the real binary in a real terminal: a private tmux server per test, keys in,
//! the screen read back as a person sees it.
// Each test crate that includes this uses a different part of it.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

pub fn available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Tmux {
    /// A session `t` of `width`×`height` running `sh` with a clean environment plus `env`.
    pub fn start(name: &str, width: u16, height: u16, env: &[(&str, &str)]) -> Tmux {
        let t = Tmux {
            socket: format!("dateline-{name}-{}", std::process::id()),
        };
        let mut shell = String::from("env -i PATH=/usr/bin:/bin TERM=xterm-256color PS1='$ '");
        for (k, v) in env {
            shell.push_str(&format!(" {k}='{v}'"));
        }
        shell.push_str(" sh");
        t.cmd(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            &shell,
        ]);
        // Keys typed before the shell is ready are echoed ahead of its prompt, which then
        // lands in front of the command's output (seen under load).
        t.wait_for("the shell's prompt", |s| {
            s.lines().any(|l| l.trim_end() == "$")
        });
        t
    }

    pub fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Types a shell command and runs it.
    pub fn run(&self, line: &str) {
        self.cmd(&["send-keys", "-t", "t", "-l", line]);
        self.keys(&["Enter"]);
    }

    /// Types text without running it.
    pub fn literal(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "t", "-l", text]);
    }

    /// The screen with its styles as escape sequences (to check highlights).
    pub fn screen_with_styles(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-e", "-t", "t"])
    }

    pub fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "t"])
    }

    /// Polls the screen until `ok` holds, or fails with the last screen.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether the terminal is back to normal: main screen, no mouse reporting.
    pub fn assert_restored(&self) {
        assert_eq!(
            self.cmd(&["display", "-p", "-t", "t", "#{alternate_on}"])
                .trim(),
            "0"
        );
        let mouse = self.cmd(&[
            "display",
            "-p",
            "-t",
            "t",
            "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}",
        ]);
        assert_eq!(mouse.trim(), "000", "mouse capture is off again");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}
