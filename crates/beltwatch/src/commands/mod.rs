//! One module per group of commands; `run` dispatches.

mod admin;
mod alerts;
mod belt;
mod bench;
mod browse;
mod demo;
mod exchange;
mod extraction;
mod ingest;
mod serve;
mod work;

use anyhow::Context;
use store::Store;

use crate::cli::{Cli, Command, ExportWhat};
use crate::config::Settings;

/// How a command ended, when it could run at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Clean,
    /// Some input was rejected; the rest went through.
    SomeRejected,
}

pub fn run(cli: Cli) -> anyhow::Result<Status> {
    let settings = Settings::load(&cli)?;
    let format = cli.format;
    match cli.command {
        Command::Ingest(args) => {
            let mut options = settings.ingest.clone().unwrap_or_default();
            if !args.no_extract {
                options.extractor = Some((extraction::extractor()?, extraction::fingerprint()));
            }
            let store = open(&settings)?;
            if args.queue {
                return work::queue_ingest(&store, &args, &options, format);
            }
            ingest::run(&store, &settings, &args.targets, &options, format)
        }
        Command::Documents(args) => browse::documents(&open(&settings)?, &args, format),
        Command::Show(args) => browse::show(&open(&settings)?, &args, format),
        Command::Search(args) => browse::search(&open(&settings)?, &args, format),
        Command::Sources => browse::sources(&open(&settings)?, format),
        Command::Demo(args) => demo::run(&settings, &args, format),
        Command::Generate(args) => {
            let written = crate::synth::write_folder(&args.out, args.count, args.seed)?;
            eprintln!("wrote {written} reports to {}", args.out.display());
            Ok(Status::Clean)
        }
        Command::Bench(args) => bench::run(&args, &settings, format),
        Command::Extract(args) => extraction::extract(&args, format),
        Command::Events(args) => extraction::events(&open(&settings)?, &args, format),
        Command::Reextract(args) => extraction::reextract(&open(&settings)?, &args, format),
        Command::Eval(args) => extraction::eval(&args, format),
        Command::Borders => belt::borders(&settings, format),
        Command::Belt(args) => belt::belt(&open(&settings)?, &settings, &args, format),
        Command::Explain(args) => belt::explain(&open(&settings)?, &settings, &args, format),
        Command::Trends(args) => belt::trends(&open(&settings)?, &settings, &args, format),
        Command::Corroborate(args) => belt::corroborate(&open(&settings)?, &settings, &args, format),
        Command::Export(args) => match args.what {
            ExportWhat::Stix | ExportWhat::Misp | ExportWhat::Acled => exchange::export(&open(&settings)?, &args),
            _ => belt::export(&open(&settings)?, &settings, &args),
        },
        Command::Import(args) => exchange::import(&open(&settings)?, &args, format),
        Command::Sync(command) => exchange::sync(&open(&settings)?, &command, format),
        Command::Serve(args) => serve::run(open(&settings)?, &settings, &args),
        Command::Worker(args) => work::worker(open(&settings)?, &settings, &args),
        Command::Jobs => work::jobs(&open(&settings)?, format),
        Command::Admin(command) => admin::run(&open(&settings)?, &command, format),
        Command::Alerts(command) => alerts::run(&open(&settings)?, &settings, &command, format),
    }
}

pub fn open(settings: &Settings) -> anyhow::Result<Store> {
    Store::open(&settings.db).with_context(|| format!("opening the store {}", Store::redacted(&settings.db)))
}
