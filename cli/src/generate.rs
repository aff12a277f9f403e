//! `netrt completions SHELL` and `netrt man`: generated from the same clap definitions that
//! parse the command line, so they cannot drift from it. `make install` runs both with the
//! binary it installs.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use crate::args::Cli;
use crate::failure::Failure;

pub fn completions(shell: clap_complete::Shell) {
    clap_complete::generate(shell, &mut Cli::command(), "netrt", &mut std::io::stdout());
}

/// `netrt.1` on stdout, or `netrt.1` and `netrt-<command>.1` for every command into `dir`.
pub fn man(dir: Option<&Path>) -> Result<(), Failure> {
    let command = Cli::command();
    let Some(dir) = dir else {
        let mut out = std::io::stdout().lock();
        return render(&command, &mut out)
            .and_then(|()| out.flush())
            .map_err(|e| Failure::Input(format!("stdout: {e}")));
    };
    let cannot = |e: std::io::Error| Failure::Input(format!("cannot write into {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let mut pages = vec![("netrt".to_owned(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("netrt-{}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in pages {
        let mut file = std::fs::File::create(dir.join(format!("{name}.1"))).map_err(cannot)?;
        render(&page, &mut file).map_err(cannot)?;
    }
    Ok(())
}

fn render(command: &clap::Command, out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(command.clone()).render(out)
}
