//! DataJoint tables on PostgreSQL: connection settings the DataJoint way, one lazily
//! opened and reused connection, table headings from the catalog, and fetching rows'
//! `<npy@store>` references in one query. Uses config, store and path; nothing below
//! imports it. User documentation: docs/datajoint-tables.md.

mod connection;
mod error;
mod heading;
mod naming;
mod restriction;
mod settings;
mod table;
mod value;

pub use connection::{Database, TextRows};
pub use heading::{Attribute, Heading};
pub use naming::{from_camel_case, TableName, TIER_PREFIXES};
pub use restriction::Restriction;
pub use settings::{
    Backend, DatabaseSettings, TlsMode, DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT,
};
pub use table::{FetchedRow, Table};
pub use value::{sql_text, ValueKind};
