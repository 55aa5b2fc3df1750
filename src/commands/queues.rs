//! `queuecast queues`: the first command a new user runs, so its errors must say what to fix.

use std::io::Write;

use super::{CliError, CommandResult, exit};
use crate::cli::{GlobalArgs, QueuesArgs};
use crate::genesys::{GenesysClient, Queue};

pub async fn run(global: &GlobalArgs, args: QueuesArgs) -> CommandResult {
    let (config, _paths) = super::load_config(global)?;
    let settings = config.genesys.client_settings().map_err(CliError::usage)?;
    let client = GenesysClient::new(settings).map_err(CliError::api)?;
    super::show_retries(&client);
    let queues = client
        .list_queues(args.name.as_deref())
        .await
        .map_err(CliError::api)?;
    // A filter that matches nothing is a mistake a script must see (exit 2), not an empty list.
    if let (true, Some(f)) = (queues.is_empty(), args.name.as_deref()) {
        return Err(CliError::usage(color_eyre::eyre::eyre!(
            "no queues match --name {f:?}: it is an exact name unless it has a * wildcard \
             (e.g. \"{f}*\"); `queuecast queues` lists them all"
        )));
    }
    let mut out = std::io::stdout().lock();
    write_table(&mut out, &queues).map_err(super::stdout_error)?;
    Ok(exit::OK)
}

/// An aligned NAME / ID table and a count line.
fn write_table(out: &mut impl Write, queues: &[Queue]) -> std::io::Result<()> {
    if queues.is_empty() {
        return writeln!(
            out,
            "No queues visible to this OAuth client (it needs routing:queue:view)."
        );
    }
    // Names come from the server: stripped of control characters, so a name cannot retitle
    // or clear the terminal.
    let names: Vec<_> = queues.iter().map(|q| crate::text::clean(&q.name)).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max("NAME".len());
    writeln!(out, "{:<width$}  ID", "NAME")?;
    for (q, name) in queues.iter().zip(&names) {
        let pad = width - name.chars().count();
        let id = crate::text::clean(&q.id);
        writeln!(out, "{name}{}  {id}", " ".repeat(pad))?;
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
        write_table(&mut buf, &[q("Sales", "id-1"), q("Bündel Support", "id-2")]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert_eq!(
            text,
            "NAME            ID\nSales           id-1\nBündel Support  id-2\n2 queues\n"
        );
    }

    #[test]
    fn escape_sequences_in_names_are_not_printed() {
        let mut buf = Vec::new();
        write_table(&mut buf, &[q("Sales\u{1b}]0;pwned\u{7}\u{1b}[2J", "id-1")]).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("Sales]0;pwned[2J  id-1"), "{text:?}");
    }

    #[test]
    fn an_empty_org_names_the_permission() {
        let mut buf = Vec::new();
        write_table(&mut buf, &[]).unwrap();
        assert!(
            String::from_utf8(buf)
                .unwrap()
                .contains("routing:queue:view")
        );
    }
}
