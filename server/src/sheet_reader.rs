//! Sellers' files read into sheets away from the requests: a workbook in a process of its own
//! (`trackline-server read-sheet`, the server's own binary), with a memory limit and a deadline,
//! so that calamine crashing on a stranger's XML (the release build aborts on a panic) or a
//! workbook swelling in memory ends that process only, and the seller is told the file could
//! not be read; delimited text in the server's own blocking threads, since its reading is
//! ours, bounded and proven not to panic on any bytes (`tests/import.rs`), and a process for
//! each CSV would cost more than reading it.
//!
//! Reads run a few at a time: a file is up to 50 MiB, and a workbook's reader up to its limit.
//! Two at once on an instance, and one of each seller's: a seller whose file is being read is
//! told to come back (no `SellerTurn`) rather than queued, so that one seller's slow workbooks
//! never hold both turns while every other seller's imports wait.

use crate::import::{self, FileError, Sheet, MAX_FILE_BYTES};
use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

/// The hidden command of `trackline-server` that reads a workbook from standard input.
pub const COMMAND: &str = "read-sheet";
/// The address space a workbook's reader may take by default: the file, its parts' text twice
/// over (calamine's and ours), the answer, and the runtime's own.
pub const DEFAULT_MEMORY: u64 = 1024 * 1024 * 1024;
/// How long a workbook's reader may take by default.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// The most bytes of answer a reader gives: its sheet as JSON. The parent holds it whole
/// while it makes the sheet of it, so it is bounded well under what the reader may read
/// (`MAX_TEXT_BYTES` of text, escaped up to six times over): a sheet of `MAX_CELLS` cells
/// of some twenty bytes each fits.
pub const MAX_ANSWER: usize = 48 * 1024 * 1024;

/// Files read at once; others wait their turn (within their deadline).
static READING: Semaphore = Semaphore::const_new(2);
/// The sellers (by id) a file is being read for on this instance: one file each at a time.
static SELLERS_READING: Mutex<BTreeSet<i64>> = Mutex::new(BTreeSet::new());

/// A seller's turn to send a file and have it read on this instance, given back when dropped.
#[derive(Debug)]
pub struct SellerTurn(i64);

impl SellerTurn {
    fn take(seller: i64) -> Option<SellerTurn> {
        let taken = SELLERS_READING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(seller);
        // Made only once taken, and after the lock is let go: a turn dropped gives its seller
        // back under the same lock.
        if taken {
            Some(SellerTurn(seller))
        } else {
            None
        }
    }
}

impl Drop for SellerTurn {
    fn drop(&mut self) {
        SELLERS_READING
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// How the server reads sellers' workbooks.
#[derive(Debug, Clone)]
pub struct SheetReader {
    /// The binary run with `read-sheet`; `None` for this process's own (the server's). Tests,
    /// whose own binary is a test harness, name the server's.
    pub program: Option<PathBuf>,
    /// The address space the reader may take, in bytes.
    pub memory: u64,
    /// How long it may take, waiting for its turn included.
    pub deadline: Duration,
}

impl Default for SheetReader {
    fn default() -> Self {
        SheetReader {
            program: None,
            memory: DEFAULT_MEMORY,
            deadline: DEFAULT_DEADLINE,
        }
    }
}

impl SheetReader {
    /// The turn of the seller whose id is `seller` to send a file and have it read, taken
    /// before its body is (so that a seller's many uploads at once hold no more than one
    /// body); `None` while another of its files is sent or read on this instance.
    pub fn turn(&self, seller: i64) -> Option<SellerTurn> {
        SellerTurn::take(seller)
    }

    /// Reads a seller's file into a sheet: a workbook in a process of its own, text here.
    ///
    /// # Errors
    /// The file's `FileError`; `Unreadable` when the workbook's reader crashed, ran out of memory
    /// or time, or could not be started.
    pub async fn read(&self, bytes: Vec<u8>) -> Result<Sheet, FileError> {
        let reading = async {
            let turn = READING.acquire().await.map_err(|_| FileError::Unreadable)?;
            if import::is_workbook(&bytes) {
                self.read_in_child(&bytes).await
            } else {
                // The turn goes with the reading: a blocking task outlives a dropped request
                // (a client gone, the deadline passed), and must still count among the two.
                tokio::task::spawn_blocking(move || {
                    let _turn = turn;
                    import::read(&bytes)
                })
                .await
                .unwrap_or(Err(FileError::Unreadable))
            }
        };
        tokio::time::timeout(self.deadline, reading)
            .await
            .unwrap_or_else(|_| {
                tracing::warn!("a seller's file was not read within its deadline");
                Err(FileError::Unreadable)
            })
    }

    /// Runs `read-sheet` on `bytes`; the child is killed when this future is dropped (its
    /// deadline passed).
    async fn read_in_child(&self, bytes: &[u8]) -> Result<Sheet, FileError> {
        let program = match &self.program {
            Some(program) => program.clone(),
            None => std::env::current_exe().map_err(|error| {
                tracing::error!(%error, "cannot find the server's binary to read a workbook");
                FileError::Unreadable
            })?,
        };
        let mut child = tokio::process::Command::new(program)
            .arg(COMMAND)
            .arg("--memory")
            .arg(self.memory.to_string())
            // Nothing of the server's environment (its keys, its database) is the reader's.
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                tracing::error!(%error, "cannot start a workbook's reader");
                FileError::Unreadable
            })?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(FileError::Unreadable);
        };
        let write = async move {
            // A reader that stops early (it refused the file, or died) closes its end: what it
            // says, or how it ended, tells the rest.
            let _ = stdin.write_all(bytes).await;
        };
        let read = async move {
            let mut answer = Vec::new();
            // A byte past the bound tells an answer too long from one just long enough.
            let cap = u64::try_from(MAX_ANSWER)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let read = stdout.take(cap).read_to_end(&mut answer).await;
            read.map(|_| answer)
        };
        let ((), answer) = tokio::join!(write, read);
        if answer
            .as_ref()
            .is_ok_and(|answer| answer.len() > MAX_ANSWER)
        {
            tracing::warn!("a workbook's reader answered more than it may");
            let _ = child.start_kill();
            return Err(FileError::Unreadable);
        }
        let status = child.wait().await;
        match (status, answer) {
            (Ok(status), Ok(answer)) if status.success() => {
                serde_json::from_slice::<Result<Sheet, FileError>>(&answer).unwrap_or_else(|_| {
                    tracing::warn!("a workbook's reader answered what is no sheet");
                    Err(FileError::Unreadable)
                })
            }
            (status, _) => {
                tracing::warn!(?status, "a workbook's reader ended without a sheet");
                Err(FileError::Unreadable)
            }
        }
    }
}

/// `trackline-server read-sheet`: limits its own address space to `memory` bytes, reads a file
/// from standard input and writes `Result<Sheet, FileError>` as JSON on standard output.
///
/// The allocator reserves its arenas at the process's start, before any limit could be set,
/// and serves from them whatever the limit: so the limit is set, then the program starts
/// again (`exec`, the same process, its standard input and output kept) under it, `limited`.
pub fn serve(memory: u64, limited: bool) -> ExitCode {
    if !limited {
        let limit = rustix::process::Rlimit {
            current: Some(memory),
            maximum: Some(memory),
        };
        if rustix::process::setrlimit(rustix::process::Resource::As, limit).is_err() {
            // Unlimited is not an option: the server's side tells the seller the file was not read.
            return ExitCode::FAILURE;
        }
        let Ok(program) = std::env::current_exe() else {
            return ExitCode::FAILURE;
        };
        // `exec` returns only when the program could not start again.
        let _ = std::os::unix::process::CommandExt::exec(
            std::process::Command::new(program)
                .arg(COMMAND)
                .arg("--memory")
                .arg(memory.to_string())
                .arg("--limited"),
        );
        return ExitCode::FAILURE;
    }
    let mut bytes = Vec::new();
    let cap = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX) + 1;
    if std::io::stdin()
        .lock()
        .take(cap)
        .read_to_end(&mut bytes)
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    let answer = import::read(&bytes);
    drop(bytes);
    let Ok(mut json) = serde_json::to_vec(&answer) else {
        return ExitCode::FAILURE;
    };
    drop(answer);
    if json.len() > MAX_ANSWER {
        let refusal: Result<Sheet, FileError> = Err(FileError::TextTooLarge { limit: MAX_ANSWER });
        let Ok(refused) = serde_json::to_vec(&refusal) else {
            return ExitCode::FAILURE;
        };
        json = refused;
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(&json).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
