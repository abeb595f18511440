//! Small text helpers for people: durations, shell quoting, the resume command. A leaf: it
//! imports nothing else of the crate.

use std::time::Duration;

// Printing that never panics: a closed stdout or stderr (`run | head -1`, a terminal that went
// away) must not kill a run, so write errors are ignored where `println!` would panic.

/// `println!` to stdout, ignoring write errors.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `print!` to stdout, ignoring write errors.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = write!(stdout, $($arg)*);
        let _ = stdout.flush();
    }};
}

/// `eprintln!` to stderr, ignoring write errors.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// `eprint!` to stderr, ignoring write errors.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// Whether `NO_COLOR` asks for plain output (set and not empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

/// A duration for people: `850 µs`, `12.3 ms`, `4.56 s`, `2 min 03 s`, `1 h 02 min`.
///
/// Minutes and seconds are rounded together, so 119.7 s is `2 min 00 s`, never `1 min 60 s`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds < 1e-3 {
        format!("{:.0} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.1} ms", seconds * 1e3)
    } else if seconds < 59.995 {
        format!("{seconds:.2} s")
    } else {
        // Whole seconds first, then split: rounding each part alone gives "1 min 60 s".
        let whole = duration.as_secs() + u64::from(duration.subsec_millis() >= 500);
        if whole < 3600 {
            format!("{} min {:02} s", whole / 60, whole % 60)
        } else {
            let minutes = (whole + 30) / 60;
            format!("{} h {:02} min", minutes / 60, minutes % 60)
        }
    }
}

/// Quotes an argument for a POSIX shell when it needs it.
pub fn shell_quote(argument: &str) -> String {
    let safe = !argument.is_empty()
        && argument
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if safe {
        argument.to_owned()
    } else {
        format!("'{}'", argument.replace('\'', r"'\''"))
    }
}

/// A command line as a shell would need it.
pub fn shell_join(arguments: &[String]) -> String {
    arguments
        .iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command to resume a failed run: the same command without its `--from-nodes`, plus the
/// runner's suggestion.
pub fn resume_command(argv: &[String], from_nodes: &str) -> String {
    let mut kept = Vec::new();
    let mut skip_next = false;
    for argument in argv {
        if skip_next {
            skip_next = false;
            continue;
        }
        if argument == "--from-nodes" {
            skip_next = true;
            continue;
        }
        if argument.starts_with("--from-nodes=") {
            continue;
        }
        kept.push(argument.clone());
    }
    format!("{} {from_nodes}", shell_join(&kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_command_replaces_from_nodes() {
        let argv: Vec<String> = [
            "/bin/demo",
            "run",
            "--from-nodes",
            "a",
            "--env=prod",
            "--params",
            "x=a b",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            resume_command(&argv, "--from-nodes \"b,c\""),
            "/bin/demo run --env=prod --params 'x=a b' --from-nodes \"b,c\""
        );
    }

    #[test]
    fn quoting_is_posix() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("plain-arg"), "plain-arg");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn durations_read_naturally() {
        let ms = Duration::from_millis;
        assert_eq!(format_duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(format_duration(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(format_duration(ms(4_561)), "4.56 s");
        assert_eq!(format_duration(Duration::from_secs(123)), "2 min 03 s");
        // Rounding carries into the minutes.
        assert_eq!(format_duration(ms(119_700)), "2 min 00 s");
        assert_eq!(format_duration(ms(59_996)), "1 min 00 s");
        assert_eq!(format_duration(ms(59_990)), "59.99 s");
        assert_eq!(format_duration(ms(3_599_600)), "1 h 00 min");
        assert_eq!(format_duration(Duration::from_secs(7_530)), "2 h 06 min");
    }
}
