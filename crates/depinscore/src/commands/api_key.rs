//! `depinscore api-key`: create, list and revoke the keys admin routes need. Only a digest of
//! each secret is stored; the secret is printed once, at creation.

use crate::commands::stores;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Create a key and print its secret (shown only now).
    Create {
        /// Who or what the key is for.
        #[arg(long)]
        name: String,
    },
    /// List keys (never secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

pub fn run(settings: &Settings, args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let sql = stores::sql(settings).await?;
        let now = depinscore_sql::now_unix();
        match &args.action {
            Action::Create { name } => {
                let k = sql.create_api_key(name, now).await?;
                println!("id:     {}\nname:   {}\nsecret: {}", k.key.id, k.key.name, k.secret);
                eprintln!(
                    "Keep the secret now: only its SHA-256 is stored. Send it as `Authorization: Bearer <secret>`."
                );
            }
            Action::List => {
                println!("{:<18} {:<12} {:<10} name", "id", "created", "state");
                for k in sql.api_keys().await? {
                    let date = depinscore_engine::calendar::date_of(k.created_at);
                    let state = if k.revoked_at.is_some() { "revoked" } else { "live" };
                    println!("{:<18} {:<12} {:<10} {}", k.id, date, state, k.name);
                }
            }
            Action::Revoke { id } => {
                anyhow::ensure!(sql.revoke_api_key(id, now).await?, "no live key `{id}`");
                println!("revoked {id}");
            }
        }
        anyhow::Ok(())
    })
}
