//! The command line as the user types it. Values are checked and combined with the
//! configuration file in `config`; nothing here opens files.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Watches a border region for cross-border threats, from the reports analysts receive.
#[derive(Debug, Parser)]
#[command(name = "beltwatch", version, about, max_term_width = 100)]
pub struct Cli {
    /// The store: a SQLite file, or a postgres:// URL for several nodes over one database
    /// [default: $XDG_DATA_HOME/beltwatch/beltwatch.sqlite]
    #[arg(long, global = true, env = "BELTWATCH_DB", value_name = "PATH|URL")]
    pub db: Option<String>,

    /// Configuration file [default: ./beltwatch.toml when it exists]
    #[arg(long, global = true, env = "BELTWATCH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// How records are printed
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Log progress details to standard error (RUST_LOG overrides)
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchTarget {
    /// Documents per second through the whole ingest, extraction included
    Ingest,
    /// Megabytes of text per second through extraction, on one core
    Extract,
    /// Assigning generated events to sectors and recomputing every level, on one core
    Belt,
    /// Ingest with extraction into the store --db names (SQLite or PostgreSQL, holding no
    /// events yet), then the latency of event pages as the API reads them
    Store,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest reports from files, folders (recursively) and feed or page URLs
    Ingest(IngestArgs),
    /// List stored documents, newest first
    Documents(ListArgs),
    /// Show one document: its fields and its text
    Show(ShowArgs),
    /// Full-text search over titles and texts
    Search(SearchArgs),
    /// List sources with their reliability and document counts
    Sources,
    /// Ingest the sample reports into a fresh store and list what was stored
    Demo(DemoArgs),
    /// Extract events from one report (a file, or - for standard input) and show why
    Extract(ExtractArgs),
    /// List stored events, latest first
    Events(EventsArgs),
    /// Run extraction again over stored documents (after the dictionaries changed)
    Reextract(ReextractArgs),
    /// Score extraction against gold annotations (articles.jsonl + gold.jsonl)
    Eval(EvalArgs),
    /// Write generated reports into a folder (for tests and benchmarks)
    #[command(hide = true)]
    Generate(GenerateArgs),
    /// Measure throughput: ingest, extraction alone, or the belt's assessment
    Bench(BenchArgs),
    /// The watched borders: geodesic length and number of sectors of each
    Borders,
    /// Border sectors with their threat levels, hottest first
    Belt(BeltArgs),
    /// Why a sector has its level: the incidents that make it, each with its weight
    Explain(ExplainArgs),
    /// Weekly counts per sector, province or category, with the spike detector's verdict
    Trends(TrendsArgs),
    /// Merge reports of one incident and record the links (or undo a merge with --undo)
    Corroborate(CorroborateArgs),
    /// Write the sectors or events as GeoJSON, or events and reports as STIX, MISP or ACLED CSV
    Export(ExportArgs),
    /// Read STIX bundles, MISP events or ACLED-style CSV into the store, each file whole or not at all
    Import(ImportArgs),
    /// Pull from other instances and TAXII 2.1 servers
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Serve the HTTP API (see /openapi.json), and work the job queue
    Serve(ServeArgs),
    /// Work the job queue (ingest and extract jobs) without serving, until Ctrl-C or SIGTERM
    Worker(WorkerArgs),
    /// List the job queue: what is queued, running, done or failed
    Jobs,
    /// Organisations, sharing groups, users, tokens and the audit trail
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Alert rules and the alerts they raised
    #[command(subcommand)]
    Alerts(AlertsCommand),
}

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Add a rule for an organisation ("local" for this instance's own)
    AddRule {
        name: String,
        #[arg(long, default_value = "local")]
        organisation: String,
        #[arg(long)]
        category: Option<String>,
        /// An actor id, such as iskp
        #[arg(long)]
        actor: Option<String>,
        #[arg(long = "type", value_name = "TYPE")]
        event_type: Option<String>,
        /// A sector id, such as AF-TJ-017
        #[arg(long)]
        sector: Option<String>,
        /// A polygon as lon,lat points separated by spaces: "68.1,37.0 69.0,37.0 69.0,37.6"
        #[arg(long)]
        area: Option<String>,
        /// Fire when a sector reaches this level: medium, high or critical
        #[arg(long)]
        level: Option<String>,
        /// Fire when the spike detector flags a sector's week
        #[arg(long)]
        spike: bool,
        /// Post alerts to this URL, signed with --secret
        #[arg(long, requires = "secret")]
        webhook: Option<String>,
        #[arg(long, requires = "webhook")]
        secret: Option<String>,
    },
    /// List rules
    Rules,
    /// List an organisation's alerts, newest first
    List {
        #[arg(long, default_value = "local")]
        organisation: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Evaluate the rules once against the events stored since the last evaluation
    Check,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub listen: String,

    /// Requests per second allowed per token, on average
    #[arg(long, default_value_t = 50.0, value_name = "N")]
    pub rate_limit: f64,

    /// Requests a token may make at once before the rate applies
    #[arg(long, default_value_t = 200.0, value_name = "N")]
    pub burst: f64,

    /// How often alert rules are evaluated against new events, in milliseconds
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub alert_interval_ms: u64,

    /// How long the first webhook retry waits, in milliseconds (each next one twice as long)
    #[arg(long, default_value_t = 5000, value_name = "MS")]
    pub webhook_backoff_ms: u64,

    /// How long a request waits for the database before answering 503, in seconds
    /// (readiness waits at most 2)
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub db_timeout: u64,

    /// Deliver webhooks to loopback, link-local and private addresses too (by default
    /// only public addresses are reached, checked at each delivery)
    #[arg(long, env = "BELTWATCH_ALLOW_PRIVATE_WEBHOOKS")]
    pub allow_private_webhooks: bool,

    /// Threads that run store work [default: twice the cores]
    #[arg(long, value_name = "N")]
    pub store_threads: Option<usize>,

    #[command(flatten)]
    pub work: WorkArgs,
}

/// How a node works the shared job queue.
#[derive(Debug, Args, Clone)]
pub struct WorkArgs {
    /// This node's name, recorded on the jobs it claims [default: host-pid]
    #[arg(long, env = "BELTWATCH_NODE", value_name = "NAME")]
    pub node: Option<String>,

    /// Threads that claim and run jobs (0: none)
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub workers: usize,

    /// Seconds a claimed job stays this node's without renewal: how soon another node
    /// takes over the work of one that died
    #[arg(long, default_value_t = 30, value_name = "S")]
    pub lease_seconds: u64,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub work: WorkArgs,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the first admin in this instance's own organisation, with a token
    Bootstrap {
        /// The admin's user name
        #[arg(long)]
        user: String,
        /// Days until the token expires
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// Add a partner organisation (imports and peers never add one: an admin does)
    AddOrganisation {
        name: String,
        /// The id it has on its own instance, so that records it created import with
        /// their owner
        #[arg(long)]
        id: Option<model::OrganisationId>,
    },
    /// List organisations
    Organisations,
    /// Add a sharing group of organisations (ids from `admin organisations`)
    AddGroup {
        name: String,
        /// The id the group has on a partner's instance, so that records shared with it
        /// there keep their distribution here
        #[arg(long)]
        id: Option<model::SharingGroupId>,
        /// An organisation id; repeat for each member
        #[arg(long = "member", value_name = "ORGANISATION", required = true)]
        members: Vec<String>,
    },
    /// List sharing groups
    Groups,
    /// Add a user to an organisation (an id, or "local" for this instance's own)
    AddUser {
        name: String,
        #[arg(long, default_value = "local")]
        organisation: String,
        /// viewer, analyst or admin
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// List users
    Users,
    /// Make a token for a user; its secret is printed once
    AddToken {
        /// The user's name
        user: String,
        #[arg(long, default_value = "command line")]
        label: String,
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List tokens (never their secrets)
    Tokens,
    /// Revoke a token by its id
    RevokeToken { id: String },
    /// The audit trail, newest first
    Audit {
        /// Only this user's (by name)
        #[arg(long)]
        user: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

#[derive(Debug, Args)]
pub struct AsOfArgs {
    /// Assess as on this date [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SectorSort {
    /// Highest score first
    Score,
    /// Along each border
    Id,
    Name,
}

#[derive(Debug, Args)]
pub struct BeltArgs {
    /// Only sectors of this border (AF-TJ); repeat for more
    #[arg(long = "border", value_name = "BORDER")]
    pub borders: Vec<String>,

    /// Rank by this category's score instead of the overall one
    #[arg(long)]
    pub category: Option<String>,

    #[arg(long, value_enum, default_value_t = SectorSort::Score)]
    pub sort: SectorSort,

    /// How many sectors to list (0 for all)
    #[arg(long, default_value_t = 20)]
    pub limit: usize,

    #[command(flatten)]
    pub as_of: AsOfArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A sector id, such as AF-TJ-017
    pub sector: String,

    /// How many incidents to list
    #[arg(long, default_value_t = 20)]
    pub limit: usize,

    #[command(flatten)]
    pub as_of: AsOfArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrendKey {
    Sector,
    Province,
    Category,
}

#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// What to count by
    #[arg(long, value_enum, default_value_t = TrendKey::Sector)]
    pub by: TrendKey,

    /// Only this category
    #[arg(long)]
    pub category: Option<String>,

    /// Weeks shown (the detector's baseline is configured apart)
    #[arg(long, default_value_t = 12)]
    pub weeks: usize,

    /// Only rows whose last week the detector flags
    #[arg(long)]
    pub flagged: bool,

    #[command(flatten)]
    pub as_of: AsOfArgs,
}

#[derive(Debug, Args)]
pub struct CorroborateArgs {
    /// Undo the merge of this incident (its first event's id): its reports stand apart again
    #[arg(long, value_name = "INCIDENT")]
    pub undo: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    /// Sectors as areas (the line buffered by the depth), with their levels
    Sectors,
    /// Sectors as lines along the border, with their levels
    SectorLines,
    /// Geolocated events, with their sector
    Events,
    /// Events and their reports as a STIX 2.1 bundle
    Stix,
    /// Events and their reports as MISP events (core format)
    Misp,
    /// Events as ACLED-style CSV
    Acled,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub what: ExportWhat,

    /// Write to this file instead of standard output
    #[arg(long, short, visible_alias = "out")]
    pub output: Option<PathBuf>,

    /// Only what this organisation may see (a name, an id, or "local") [default: every event, for stix, misp
    /// and acled: what this instance's own organisation may see]
    #[arg(long = "for", value_name = "ORGANISATION")]
    pub for_organisation: Option<String>,

    #[command(flatten)]
    pub as_of: AsOfArgs,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Add a TAXII 2.1 collection to pull from
    Add {
        /// A name for the peer
        name: String,
        /// The collection's URL: https://host/taxii2/ROOT/collections/ID/
        url: String,
        /// A bearer token the peer gave this instance
        #[arg(long, conflicts_with = "basic", env = "BELTWATCH_PEER_TOKEN")]
        token: Option<String>,
        /// A user and password for HTTP basic authentication, as USER:PASSWORD
        #[arg(long, env = "BELTWATCH_PEER_BASIC")]
        basic: Option<String>,
        /// Pull every this many seconds while `serve` runs [default: only with `sync run`]
        #[arg(long, value_name = "SECONDS")]
        every: Option<u64>,
    },
    /// List peers, with how far each was read and how the last pull went
    List,
    /// Pull from one peer, or from all
    Run {
        /// The peer's name [default: every peer]
        name: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// From the file's extension and content
    Auto,
    Stix,
    Misp,
    Acled,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files to import
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
    pub input_format: ImportFormat,

    /// The marking of records that carry none
    #[arg(long, default_value = "amber")]
    pub tlp: String,

    /// Largest file imported, in bytes: a larger one is refused, the others imported
    /// [default: 67108864]
    #[arg(long, env = "BELTWATCH_MAX_INPUT_BYTES", value_name = "BYTES")]
    pub max_input_bytes: Option<u64>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// A report file (.txt, .md, .html, .json, ...), or - to read plain text from standard input
    pub input: String,

    /// Publication date, for relative dates ("on Tuesday"); a month (YYYY-MM) or a year
    /// leaves them unresolved [default: the report's own, else today]
    #[arg(long, value_name = "DATE")]
    pub published: Option<String>,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Happened on or after this date or time
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Happened before this date or time
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// terrorism, illegal_migration, weapons_trafficking, drug_trafficking, border_incident, cooperation, statement
    #[arg(long)]
    pub category: Option<String>,

    /// Event type, such as seizure, arrest, armed_clash
    #[arg(long = "type", value_name = "TYPE")]
    pub event_type: Option<String>,

    /// Country of the event's place (ISO code, such as TJ)
    #[arg(long)]
    pub country: Option<String>,

    /// An actor id (such as iskp) or any of its names
    #[arg(long)]
    pub actor: Option<String>,

    /// How many events to list
    #[arg(long, default_value_t = 50)]
    pub limit: u32,

    /// Continue after this cursor (printed below the previous page)
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReextractArgs {
    /// Re-extract every document, not only those extracted with other dictionaries
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The articles, one JSON object per line
    #[arg(long, value_name = "FILE")]
    pub articles: PathBuf,

    /// The gold annotations, one JSON object per line
    #[arg(long, value_name = "FILE")]
    pub gold: PathBuf,

    /// Print one JSON object with every figure (same as --format json)
    #[arg(long)]
    pub json: bool,

    /// Also list every miss (false negative or positive), for error analysis
    #[arg(long)]
    pub misses: bool,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files, folders, or http(s) URLs of feeds and pages
    #[arg(required = true, value_name = "PATH|URL")]
    pub targets: Vec<String>,

    /// Source of documents that name none
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,

    /// TLP 2.0 marking of the new documents: clear, green, amber, amber+strict, red [default: amber]
    #[arg(long, env = "BELTWATCH_TLP")]
    pub tlp: Option<String>,

    /// Who else may see the new documents: organisation or all_partners [default: organisation]
    #[arg(long)]
    pub distribution: Option<String>,

    /// Store documents without extracting events from them
    #[arg(long)]
    pub no_extract: bool,

    /// Queue one ingest job per input for the nodes' workers (`serve`, `worker`) instead
    /// of reading here; paths must be readable by the nodes
    #[arg(long)]
    pub queue: bool,

    /// Largest document accepted, in bytes [default: 5242880]
    #[arg(long, env = "BELTWATCH_MAX_DOCUMENT_BYTES", value_name = "BYTES")]
    pub max_document_bytes: Option<u64>,

    /// Largest input read whole (a JSON file, a feed, a fetched page), in bytes; JSON Lines
    /// files are read line by line [default: 67108864]
    #[arg(long, env = "BELTWATCH_MAX_INPUT_BYTES", value_name = "BYTES")]
    pub max_input_bytes: Option<u64>,

    /// Documents per transaction [default: 500]
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Published on or after this date or time (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,

    /// Published before this date or time
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,

    /// Language code, such as en or ru
    #[arg(long)]
    pub language: Option<String>,

    /// Source name (any case)
    #[arg(long)]
    pub source: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,

    /// How many documents to list
    #[arg(long, default_value_t = 50)]
    pub limit: u32,

    /// Continue after this cursor (printed below the previous page)
    #[arg(long, value_name = "CURSOR")]
    pub after: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A document id, or at least its first 4 characters
    pub id: String,

    /// Print the text as received (markup included) instead of the normalised text
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words (all required), "a phrase", OR between alternatives, -excluded, prefix*
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,

    #[command(flatten)]
    pub filter: FilterArgs,

    /// How many results
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder of reports to ingest [default: the repository's samples/]
    #[arg(long, value_name = "DIR")]
    pub samples: Option<PathBuf>,

    /// Ingest and list only: start no dashboard
    #[arg(long)]
    pub no_serve: bool,

    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many reports
    #[arg(long, default_value_t = 1000)]
    pub count: u32,

    /// Folder to write them into (created if need be)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Seed: the same seed writes the same reports
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure
    #[arg(value_enum, default_value_t = BenchTarget::Ingest)]
    pub target: BenchTarget,

    /// How many generated reports per run (ingest)
    #[arg(long, default_value_t = 5000)]
    pub documents: u32,

    /// How many megabytes of report text per run (extract)
    #[arg(long, default_value_t = 20)]
    pub megabytes: u32,

    /// Articles to extract from, one JSON object per line in the evaluation format
    /// (extract; repeat for several files): without it, the development set and generated
    /// reports
    #[arg(long, value_name = "FILE.jsonl")]
    pub articles: Vec<std::path::PathBuf>,

    /// How many generated events per run (belt)
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u32,

    /// How many runs (the median is reported)
    #[arg(long, default_value_t = 5)]
    pub runs: u32,

    /// Generated reports to ingest (store): the folder is written when it does not exist,
    /// so that two stores can be fed the same reports
    #[arg(long, value_name = "DIR")]
    pub reports: Option<std::path::PathBuf>,

    /// Queries of each kind timed (store)
    #[arg(long, default_value_t = 200)]
    pub queries: u32,

    /// Time the queries on the events the store holds, without ingesting (store)
    #[arg(long)]
    pub queries_only: bool,
}
