//! Job lifecycle events from successful jobs-program instructions, with the parties taken from
//! the instruction's named accounts.

use nosana_layouts::Pubkey;
use nosana_layouts::instructions::NosanaInstruction;
use nosana_layouts::instructions::jobs::JobsInstruction;

use crate::balances::TokenAccounts;
use crate::nosana::NosanaIx;
use crate::output::{JobEvent, JobEventKind, Position, Program};

/// The events of jobs instruction `ix` at `at`. `run_created` tells whether the instruction
/// created its `run` account (a System `create_account` CPI): a `list` that met a waiting node,
/// or a `work` that took a queued job. Market administration (`open`, `update`, `close`,
/// `close_admin`) yields none.
///
/// - `list` → List, plus Assign when a queued node took the job at once (node unknown: the
///   program pops it from the market queue).
/// - `assign` → List and Assign (the job is created and handed to the named node).
/// - `work` → Assign when it took a queued job (job unknown: popped from the queue; the run
///   account's write names it), otherwise Work (the node joined the queue).
/// - `end` → End; the node is the owner of the paid `user` token account when the token
///   balances report it.
/// - `quit` and `quit_admin` → Quit; `clean` and `clean_admin` → Clean; the rest map by name.
pub(crate) fn job_events(at: Position, ix: &NosanaIx, run_created: bool, accounts: &TokenAccounts) -> Vec<JobEvent> {
    let NosanaInstruction::Jobs(jobs_ix) = &ix.ix else { return Vec::new() };
    if ix.program != Program::Jobs {
        return Vec::new();
    }
    let k = |name: &str| ix.key_or_zero(name);
    let event = |kind, node: Pubkey, project: Pubkey, timeout: Option<i64>| JobEvent {
        at,
        kind,
        job: k("job"),
        market: k("market"),
        run: k("run"),
        node,
        project,
        payer: ix.key("payer").or_else(|| ix.key("payer_job")).unwrap_or_default(),
        timeout,
    };
    let zero = Pubkey::default();
    use JobEventKind as E;
    use JobsInstruction as J;
    match jobs_ix {
        J::List { timeout, .. } => {
            let mut out = vec![event(E::List, zero, k("authority"), *timeout)];
            if run_created {
                out.push(event(E::Assign, zero, k("authority"), *timeout));
            }
            out
        }
        J::Assign { timeout, .. } => vec![
            event(E::List, k("node"), k("authority"), Some(*timeout)),
            event(E::Assign, k("node"), k("authority"), Some(*timeout)),
        ],
        J::Work if run_created => vec![event(E::Assign, k("authority"), zero, None)],
        J::Work => vec![event(E::Work, k("authority"), zero, None)],
        J::Claim => vec![event(E::Claim, k("authority"), zero, None)],
        J::Finish { .. } => vec![event(E::Finish, k("authority"), k("project"), None)],
        J::End => {
            let node = ix.key("user").and_then(|user| accounts.owner(&user)).unwrap_or_default();
            vec![event(E::End, node, k("authority"), None)]
        }
        J::Complete { .. } => vec![event(E::Complete, k("authority"), zero, None)],
        J::Quit => vec![event(E::Quit, k("authority"), zero, None)],
        J::QuitAdmin => vec![event(E::Quit, zero, zero, None)],
        J::Stop => vec![event(E::Stop, k("node"), zero, None)],
        J::Extend { timeout } => vec![event(E::Extend, zero, k("authority"), Some(*timeout))],
        J::Delist => vec![event(E::Delist, zero, k("authority"), None)],
        J::Recover => vec![event(E::Recover, zero, k("authority"), None)],
        J::Clean | J::CleanAdmin => vec![event(E::Clean, zero, zero, None)],
        J::Open { .. } | J::Update { .. } | J::Close | J::CloseAdmin => Vec::new(),
    }
}
