//! The command line of a Weir project, as clap derives.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The project's command line (`kedro` inside a project).
#[derive(Debug, Parser)]
#[command(disable_version_flag = true)]
pub struct Cli {
    /// More logging: `-v` debug, `-vv` trace.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Less logging: `-q` warnings and errors only, `-qq` errors only.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "verbose")]
    pub quiet: u8,
    /// Print Weir's version.
    #[arg(short = 'V', long)]
    pub version: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// A command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the pipeline (Kedro's `kedro run`).
    Run(Box<RunArgs>),
    /// Inspect the data catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Inspect the registered pipelines.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// The history of runs recorded in the project.
    #[command(subcommand)]
    Runs(RunsCommand),
    /// Weir's version, the project and its hooks.
    Info,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Which runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum RunnerKind {
    /// One node at a time (the default).
    #[default]
    #[value(alias = "SequentialRunner")]
    Sequential,
    /// Nodes on worker threads, each as soon as its inputs are ready.
    #[value(alias = "ParallelRunner", alias = "ThreadRunner", alias = "thread")]
    Parallel,
}

/// `run`'s flags, Kedro's names and semantics. List options take comma-separated values.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Pipelines to run, summed (default `__default__`).
    #[arg(long = "pipelines", value_name = "NAMES", value_delimiter = ',')]
    pub pipelines: Vec<String>,
    /// One pipeline to run (Kedro's deprecated form of `--pipelines`).
    #[arg(
        short = 'p',
        long = "pipeline",
        value_name = "NAME",
        conflicts_with = "pipelines"
    )]
    pub pipeline: Option<String>,
    /// Run only nodes with any of these tags.
    #[arg(short = 't', long, value_name = "TAGS", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Run only these nodes.
    #[arg(
        short = 'n',
        long = "nodes",
        value_name = "NAMES",
        value_delimiter = ','
    )]
    pub nodes: Vec<String>,
    /// Run from these nodes on (and everything downstream).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub from_nodes: Vec<String>,
    /// Run up to these nodes (and everything upstream).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub to_nodes: Vec<String>,
    /// Run everything downstream of these datasets.
    #[arg(long, value_name = "DATASETS", value_delimiter = ',')]
    pub from_inputs: Vec<String>,
    /// Run what is needed to produce these datasets.
    #[arg(long, value_name = "DATASETS", value_delimiter = ',')]
    pub to_outputs: Vec<String>,
    /// Run only nodes in these namespaces.
    #[arg(
        long = "namespaces",
        visible_alias = "ns",
        value_name = "NAMESPACES",
        value_delimiter = ','
    )]
    pub namespaces: Vec<String>,
    /// The runner.
    #[arg(short = 'r', long, value_enum, default_value_t = RunnerKind::Sequential)]
    pub runner: RunnerKind,
    /// Worker threads of the parallel runner (default: the number of cores).
    #[arg(short = 'w', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub workers: Option<u32>,
    /// Load a node's inputs and save its outputs concurrently.
    #[arg(long = "async")]
    pub is_async: bool,
    /// The configuration environment (default `local`, or `$WEIR_ENV`).
    #[arg(short = 'e', long, env = "WEIR_ENV", value_name = "ENV")]
    pub env: Option<String>,
    /// Runtime parameters, `key=value` pairs: `--params "model_options.test_size=0.3,x=1"`.
    #[arg(long, value_name = "PARAMS")]
    pub params: Option<String>,
    /// Versions to load: `dataset:YYYY-MM-DDThh.mm.ss.sssZ`, comma-separated.
    #[arg(long = "load-versions", visible_alias = "lv", value_name = "VERSIONS")]
    pub load_versions: Vec<String>,
    /// The configuration folder (default `conf` in the project).
    #[arg(long, value_name = "PATH")]
    pub conf_source: Option<PathBuf>,
    /// Run only the nodes whose persisted outputs are missing (and what they need).
    #[arg(long)]
    pub only_missing_outputs: bool,
}

/// `catalog` subcommands (Kedro 1.x names; `list` is kept from Kedro 0.19).
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// The datasets of each pipeline, grouped by type.
    #[command(visible_alias = "list")]
    DescribeDatasets(CatalogArgs),
    /// The dataset factory patterns, in matching order.
    ListPatterns(EnvArgs),
    /// Each catalog entry and each pipeline dataset matched by a pattern, resolved.
    ResolvePatterns(CatalogArgs),
}

/// The environment options shared by project commands.
#[derive(Debug, Args, Default)]
pub struct EnvArgs {
    /// The configuration environment.
    #[arg(short = 'e', long, env = "WEIR_ENV", value_name = "ENV")]
    pub env: Option<String>,
    /// The configuration folder.
    #[arg(long, value_name = "PATH")]
    pub conf_source: Option<PathBuf>,
}

/// Options of catalog commands that look at pipelines.
#[derive(Debug, Args, Default)]
pub struct CatalogArgs {
    /// Environment and configuration folder.
    #[command(flatten)]
    pub env: EnvArgs,
    /// Only these pipelines (default: every registered pipeline).
    #[arg(
        short = 'p',
        long = "pipeline",
        visible_alias = "pipelines",
        value_name = "NAMES",
        value_delimiter = ','
    )]
    pub pipelines: Vec<String>,
}

/// `registry` subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// The registered pipelines.
    List,
    /// The nodes of a pipeline, in the order they run.
    Describe {
        /// The pipeline.
        #[arg(default_value = "__default__")]
        name: String,
    },
}

/// `runs` subcommands.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The most recent runs.
    List {
        /// How many (at least 1).
        #[arg(short = 'n', long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
        limit: u32,
    },
    /// One run: its command, parameters, nodes and saved datasets.
    Show {
        /// The run id (or `last`).
        id: String,
    },
}
