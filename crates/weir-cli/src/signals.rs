//! Ctrl-C and `SIGTERM` during a run: the first asks the run to stop (no node starts after it;
//! the running ones finish and save), the second exits at once with code 130.
//!
//! Only the `run` command installs this: a library user of [`Session`](crate::Session) keeps
//! the process's own signal handling and stops a run with
//! [`RunRequest::interrupt`](crate::RunRequest::interrupt).

use weir_core::Interrupt;

/// What happens on a second signal, just before the process exits: the run is recorded as
/// interrupted and the run's temporary files are removed.
pub type ForcedExit = Box<dyn Fn() + Send + Sync>;

/// Signal handling for one run; dropping it stops listening.
pub struct InterruptGuard {
    #[cfg(unix)]
    handle: signal_hook::iterator::Handle,
    #[cfg(unix)]
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Listens for `SIGINT` and `SIGTERM` (on Unix; elsewhere the process's default stays): the
/// first requests `interrupt` and says what happens next on stderr, the second calls
/// `forced_exit` and exits with code 130.
///
/// # Errors
///
/// The signal handlers cannot be installed.
pub fn install(interrupt: Interrupt, forced_exit: ForcedExit) -> std::io::Result<InterruptGuard> {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let thread = std::thread::Builder::new()
            .name("weir-signals".to_owned())
            .spawn(move || {
                for signal in signals.forever() {
                    let name = if signal == SIGTERM { "SIGTERM" } else { "Ctrl-C" };
                    if interrupt.request() {
                        errln!("\n{name} again: exiting now (exit code 130).");
                        forced_exit();
                        std::process::exit(130);
                    }
                    errln!(
                        "\n{name}: stopping. No node starts from now on; the running ones finish and save their outputs. Press Ctrl-C again to exit at once."
                    );
                }
            })?;
        Ok(InterruptGuard {
            handle,
            thread: Some(thread),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (interrupt, forced_exit);
        Ok(InterruptGuard {})
    }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            self.handle.close();
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}
