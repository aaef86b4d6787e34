//! Job account keypairs, derived ahead on a helper thread. A job's keypair is a pure function
//! of the seed and its id, and ids are taken in order, so deriving them ahead changes who does
//! the work and nothing else. An ed25519 public key costs about what a signature does, and a
//! year lists about a million jobs: on the simulation's thread that was an eighth of a run.

use std::sync::mpsc::{Receiver, sync_channel};

use nosana_chain::{Keypair, derive_keypair};

/// Keypairs the helper may have ready before they are taken.
const AHEAD: usize = 256;

/// The name a job's keypair is derived from.
fn name(id: u32) -> String {
    format!("job/{id}")
}

pub(crate) struct JobKeys {
    seed: u64,
    /// The id the helper yields next, and its channel (started at the first take).
    ahead: Option<(u32, Receiver<Keypair>)>,
}

impl JobKeys {
    pub(crate) fn new(seed: u64) -> Self {
        JobKeys { seed, ahead: None }
    }

    /// The keypair of job `id`: the helper's when ids come in order (they do), derived here
    /// otherwise or when no helper could be started.
    pub(crate) fn take(&mut self, id: u32) -> Keypair {
        if self.ahead.is_none() {
            self.ahead = start(self.seed, id);
        }
        if let Some((next, keys)) = &mut self.ahead
            && *next == id
            && let Ok(keypair) = keys.recv()
        {
            *next += 1;
            return keypair;
        }
        derive_keypair(self.seed, &name(id))
    }
}

/// A helper deriving the keypairs of `first` and the ids after it, until its receiver is
/// dropped (a blocked send then fails and the thread ends).
fn start(seed: u64, first: u32) -> Option<(u32, Receiver<Keypair>)> {
    let (send, keys) = sync_channel(AHEAD);
    std::thread::Builder::new()
        .name("job-keys".into())
        .spawn(move || {
            for id in first..=u32::MAX {
                if send.send(derive_keypair(seed, &name(id))).is_err() {
                    return;
                }
            }
        })
        .ok()?;
    Some((first, keys))
}

#[cfg(test)]
mod tests {
    use nosana_chain::Signer;

    use super::*;

    #[test]
    fn keys_taken_in_order_or_out_of_it_are_the_derived_ones() {
        let mut keys = JobKeys::new(9);
        for id in [0u32, 1, 2, 3, 7, 8, 8] {
            assert_eq!(keys.take(id).pubkey(), derive_keypair(9, &format!("job/{id}")).pubkey(), "job {id}");
        }
    }
}
