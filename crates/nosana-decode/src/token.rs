//! The SPL Token instructions that move tokens: transfers, mints and burns.

use nosana_layouts::Pubkey;
use nosana_layouts::spl::TokenInstruction;

use crate::error::DecodeError;

/// How tokens moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MoveKind {
    Transfer,
    Mint,
    Burn,
}

/// One token movement as the instruction states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TokenMove {
    pub kind: MoveKind,
    /// Token account debited (the mint for a mint).
    pub source: Pubkey,
    /// Token account credited (the mint for a burn).
    pub destination: Pubkey,
    /// The signing owner, delegate or mint authority.
    pub authority: Pubkey,
    /// The mint when the instruction names it (all but `Transfer`).
    pub mint: Option<Pubkey>,
    pub amount: u64,
}

/// SPL Token tags of Transfer, MintTo, Burn, TransferChecked, MintToChecked and BurnChecked.
const MOVING_TAGS: [u8; 6] = [3, 7, 8, 12, 14, 15];

/// The movement an SPL Token instruction makes: `Ok(None)` for instructions that move nothing
/// (initialise, close, approve, …); an error when a moving instruction is malformed.
pub(crate) fn token_move(keys: &[Pubkey], data: &[u8]) -> Result<Option<TokenMove>, DecodeError> {
    if !data.first().is_some_and(|t| MOVING_TAGS.contains(t)) {
        return Ok(None);
    }
    let ix = TokenInstruction::decode(data)?;
    let need = match ix {
        TokenInstruction::TransferChecked { .. } => 4,
        _ => 3,
    };
    if keys.len() < need {
        return Err(DecodeError::TooFewAccounts {
            program: "spl_token",
            name: ix.name(),
            expected: need,
            got: keys.len(),
        });
    }
    let (k0, k1, k2) = (keys[0], keys[1], keys[2]);
    let mv = |kind, source, destination, authority, mint, amount| TokenMove {
        kind,
        source,
        destination,
        authority,
        mint,
        amount,
    };
    Ok(match ix {
        TokenInstruction::Transfer { amount } => Some(mv(MoveKind::Transfer, k0, k1, k2, None, amount)),
        TokenInstruction::TransferChecked { amount, .. } => {
            Some(mv(MoveKind::Transfer, k0, k2, keys[3], Some(k1), amount))
        }
        TokenInstruction::MintTo { amount } | TokenInstruction::MintToChecked { amount, .. } => {
            Some(mv(MoveKind::Mint, k0, k1, k2, Some(k0), amount))
        }
        TokenInstruction::Burn { amount } | TokenInstruction::BurnChecked { amount, .. } => {
            Some(mv(MoveKind::Burn, k0, k1, k2, Some(k1), amount))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_checked_names_its_mint_and_moves_source_to_destination() {
        let k: Vec<Pubkey> = (0..4).map(|_| Pubkey::new_unique()).collect();
        let data = TokenInstruction::TransferChecked { amount: 9, decimals: 6 }.encode();
        let mv = token_move(&k, &data).unwrap().unwrap();
        assert_eq!((mv.source, mv.mint, mv.destination, mv.authority, mv.amount), (k[0], Some(k[1]), k[2], k[3], 9));
    }

    #[test]
    fn a_burn_debits_the_account_into_the_mint() {
        let k: Vec<Pubkey> = (0..3).map(|_| Pubkey::new_unique()).collect();
        let mv = token_move(&k, &TokenInstruction::Burn { amount: 4 }.encode()).unwrap().unwrap();
        assert_eq!((mv.kind, mv.source, mv.destination, mv.mint), (MoveKind::Burn, k[0], k[1], Some(k[1])));
    }

    #[test]
    fn instructions_that_move_nothing_are_not_movements() {
        assert_eq!(token_move(&[], &TokenInstruction::CloseAccount.encode()), Ok(None));
        assert_eq!(token_move(&[], &[]), Ok(None));
        assert_eq!(token_move(&[], &[4, 1, 2]), Ok(None), "approve");
    }

    #[test]
    fn a_truncated_or_short_of_accounts_transfer_is_an_error() {
        let k: Vec<Pubkey> = (0..3).map(|_| Pubkey::new_unique()).collect();
        assert!(token_move(&k, &[3, 1, 2]).is_err());
        assert!(token_move(&k[..2], &TokenInstruction::Transfer { amount: 1 }.encode()).is_err());
    }
}
