//! `weir`: create projects and pipelines. A project's own binary runs it (`cargo run -- run`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use weir_cli::scaffold::{self, Starter, WeirSource};

/// Weir: production data pipelines in Rust, in the spirit of Kedro.
#[derive(Debug, Parser)]
#[command(version)]
struct Weir {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a project with Kedro's layout.
    New {
        /// The project's name (a Rust crate name: letters, digits, underscores).
        name: String,
        /// What to start from.
        #[arg(long, value_enum, default_value_t = Starter::Default)]
        starter: Starter,
        /// The folder to create the project in.
        #[arg(long, default_value = ".")]
        directory: PathBuf,
        /// Depend on the Weir checkout at this path (the `crates/weir` folder), instead of the
        /// one this binary was built from.
        #[arg(long, env = "WEIR_PATH", conflicts_with = "weir_version")]
        weir_path: Option<PathBuf>,
        /// Depend on this version of Weir from crates.io (default, when this `weir` was not
        /// built from a checkout: its own version).
        #[arg(long)]
        weir_version: Option<String>,
        /// Leave out Weir's polars datasets: the project builds in seconds instead of minutes.
        #[arg(long)]
        without_dataframes: bool,
    },
    /// Manage the pipelines of the project in the current folder.
    #[command(subcommand)]
    Pipeline(PipelineCommand),
}

#[derive(Debug, Subcommand)]
enum PipelineCommand {
    /// Add a pipeline: `src/pipelines/<name>/`, its parameters file, and its registration.
    Create {
        /// The pipeline's name.
        name: String,
        /// The configuration environment for the parameters file.
        #[arg(short, long, default_value = "base")]
        env: String,
    },
}

fn main() -> ExitCode {
    let result = match Weir::parse().command {
        Command::New {
            name,
            starter,
            directory,
            weir_path,
            weir_version,
            without_dataframes,
        } => {
            let source = match (weir_path, weir_version) {
                (Some(path), _) => WeirSource::Path(std::fs::canonicalize(&path).unwrap_or(path)),
                (None, Some(version)) => WeirSource::Version(version),
                // Built from a checkout: depend on it; installed from crates.io: on this version.
                (None, None) => WeirSource::this_checkout()
                    .unwrap_or_else(|| WeirSource::Version(env!("CARGO_PKG_VERSION").to_owned())),
            };
            let options = scaffold::NewProject {
                starter,
                weir: source,
                dataframes: !without_dataframes,
            };
            scaffold::new_project(&directory, &name, &options).map(|root| {
                println!("Created project '{name}' in {}", root.display());
                println!("\n  cd {}\n  cargo run -- run\n", root.display());
            })
        }
        Command::Pipeline(PipelineCommand::Create { name, env }) => {
            let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            scaffold::create_pipeline(&root, &name, &env).map(|files| {
                println!("Created pipeline '{name}':");
                for file in files {
                    println!("  {}", file.strip_prefix(&root).unwrap_or(&file).display());
                }
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error}");
            ExitCode::from(2)
        }
    }
}
