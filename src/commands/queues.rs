//! `queuecast queues`: the first command a new user runs, so its errors must say what to fix.

use std::io::Write;

use super::{CliError, CommandResult, exit};
use crate::cli::{GlobalArgs, QueuesArgs};
use crate::genesys::{GenesysClient, Queue};

pub async fn run(global: &GlobalArgs, args: QueuesArgs) -> CommandResult {
    let (config, _paths) = super::load_config(global)?;
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    let queues = client
        .list_queues(args.name.as_deref())
        .await
        .map_err(CliError::api)?;
    let mut out = std::io::stdout().lock();
    write_table(&mut out, &queues, args.name.as_deref())
        .map_err(|e| CliError::usage(color_eyre::eyre::eyre!("cannot write output: {e}")))?;
    Ok(exit::OK)
}

/// An aligned NAME / ID table and a count line.
fn write_table(
    out: &mut impl Write,
    queues: &[Queue],
    filter: Option<&str>,
) -> std::io::Result<()> {
    if queues.is_empty() {
        return match filter {
            Some(f) => writeln!(
                out,
                "No queues match {f:?} (use * as a wildcard, e.g. \"{f}*\")."
            ),
            None => writeln!(
                out,
                "No queues visible to this OAuth client (it needs routing:queue:view)."
            ),
        };
    }
    let width = queues
        .iter()
        .map(|q| q.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("NAME".len());
    writeln!(out, "{:<width$}  ID", "NAME")?;
    for q in queues {
        let pad = width - q.name.chars().count();
        writeln!(out, "{}{}  {}", q.name, " ".repeat(pad), q.id)?;
    }
    let noun = if queues.len() == 1 { "queue" } else { "queues" };
    writeln!(out, "{} {noun}", queues.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &str, id: &str) -> Queue {
        serde_json::from_value(serde_json::json!({"id": id, "name": name})).unwrap()
    }

    #[test]
    fn table_aligns_ids_after_the_longest_name() {
        let mut buf = Vec::new();
        write_table(
            &mut buf,
            &[q("Sales", "id-1"), q("Bündel Support", "id-2")],
            None,
        )
        .unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "NAME            ID\nSales           id-1\nBündel Support  id-2\n2 queues\n"
        );
    }

    #[test]
    fn empty_result_explains_the_filter() {
        let mut buf = Vec::new();
        write_table(&mut buf, &[], Some("Sales")).unwrap();
        assert!(String::from_utf8(buf).unwrap().contains("\"Sales*\""));
    }
}
