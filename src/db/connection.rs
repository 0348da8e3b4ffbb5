//! One lazily opened PostgreSQL connection per [`Database`], reused by every query and
//! opened again after it was lost. Queries run on the library's runtime
//! (`store/runtime.rs`); the calling thread blocks on them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::Mutex;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};

use super::error::{connection_lost, from_postgres};
use super::settings::{Backend, DatabaseSettings, TlsMode};
use crate::config::Config;
use crate::error::{bail, Error, Result};
use crate::store::runtime::block_on;

/// Rows with every column as text (`NULL` as `None`).
pub type TextRows = Vec<Vec<Option<String>>>;

/// A DataJoint database: its settings and, once a query needed it, an open connection.
/// Cheap to clone (clones share the connection) and shareable across threads.
#[derive(Clone, Debug)]
pub struct Database {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: DatabaseSettings,
    client: Mutex<Option<Arc<Client>>>,
    connects: AtomicU64,
    queries: AtomicU64,
}

impl Database {
    /// The database `config` describes (see [`DatabaseSettings::from_config`]). Nothing
    /// is connected until the first query.
    pub fn open(config: &Config) -> Result<Database> {
        Database::from_settings(DatabaseSettings::from_config(config)?)
    }

    /// The database `settings` describe; not connected yet. Errors: `Unsupported` for
    /// the MySQL backend and for `use_tls: true`, which this build cannot do yet.
    pub fn from_settings(settings: DatabaseSettings) -> Result<Database> {
        if settings.backend == Backend::MySql {
            bail!(
                Unsupported,
                "database.backend is 'mysql' (DataJoint's default); npystore's tables support \
                 only 'postgresql' so far: set database.backend or DJ_BACKEND"
            );
        }
        if settings.tls == TlsMode::Require {
            bail!(
                Unsupported,
                "database.use_tls is true, and npystore's database client has no TLS yet; \
                 leave use_tls unset (TLS preferred, plain allowed) or false"
            );
        }
        Ok(Database {
            inner: Arc::new(Inner {
                settings,
                client: Mutex::new(None),
                connects: AtomicU64::new(0),
                queries: AtomicU64::new(0),
            }),
        })
    }

    /// The settings in use.
    pub fn settings(&self) -> &DatabaseSettings {
        &self.inner.settings
    }

    /// How many connections were opened so far (1 after the first query; more after a
    /// lost connection was replaced).
    pub fn connections_opened(&self) -> u64 {
        self.inner.connects.load(Ordering::Relaxed)
    }

    /// How many queries were sent so far (a query run again on a new connection counts
    /// twice). A fetch of many rows adds one.
    pub fn queries_sent(&self) -> u64 {
        self.inner.queries.load(Ordering::Relaxed)
    }

    /// Run `sql` with text parameters `$1..` (each cast in the SQL as needed, e.g.
    /// `$1::text::integer`) and return every column as text: select `col::text` for
    /// columns of other types. A connection lost before or during the query is opened
    /// again and the query run once more, so only use it for statements that may run
    /// twice (reads).
    pub fn query_text(&self, sql: &str, params: &[String]) -> Result<TextRows> {
        let inner = Arc::clone(&self.inner);
        let sql = sql.to_string();
        let params = params.to_vec();
        block_on(async move { inner.query_text(&sql, &params).await })?
    }
}

impl Inner {
    async fn query_text(&self, sql: &str, params: &[String]) -> Result<TextRows> {
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let client = self.client().await?;
        self.queries.fetch_add(1, Ordering::Relaxed);
        let rows = match client.query(sql, &refs).await {
            Err(e) if connection_lost(&e) => {
                self.forget(&client).await;
                let client = self.client().await?;
                self.queries.fetch_add(1, Ordering::Relaxed);
                client.query(sql, &refs).await
            }
            other => other,
        }
        .map_err(|e| from_postgres(&e, "query", &self.settings.describe()))?;
        rows.iter().map(text_columns).collect()
    }

    /// The open connection, opening one when there is none or it was closed.
    async fn client(&self) -> Result<Arc<Client>> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Arc::clone(client));
        }
        let client = Arc::new(self.connect().await?);
        *slot = Some(Arc::clone(&client));
        Ok(client)
    }

    /// Drop `lost` if it is still the current connection.
    async fn forget(&self, lost: &Arc<Client>) {
        let mut slot = self.client.lock().await;
        if slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, lost)) {
            *slot = None;
        }
    }

    async fn connect(&self) -> Result<Client> {
        let s = &self.settings;
        let target = s.describe();
        let config = client_config(s);
        let connecting = config.connect(NoTls);
        let (client, connection) = match tokio::time::timeout(s.connect_timeout, connecting).await {
            Ok(done) => done.map_err(|e| from_postgres(&e, "connect to PostgreSQL", &target))?,
            Err(_) => bail!(
                Timeout,
                "connect to PostgreSQL ({target}): no session within {:?}",
                s.connect_timeout
            ),
        };
        // The connection task ends when the server or the client closes it; the client
        // then reports `is_closed`, and the next query opens a new one.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        self.connects.fetch_add(1, Ordering::Relaxed);
        Ok(client)
    }
}

fn client_config(s: &DatabaseSettings) -> tokio_postgres::Config {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&s.host)
        .port(s.port)
        .dbname(s.database_name())
        .application_name("npystore")
        .connect_timeout(s.connect_timeout)
        .options(format!(
            "-c statement_timeout={} -c DateStyle=ISO,YMD -c extra_float_digits=1",
            s.statement_timeout.as_millis().max(1)
        ))
        .ssl_mode(match s.tls {
            TlsMode::Disable => SslMode::Disable,
            _ => SslMode::Prefer,
        });
    if let Some(user) = &s.user {
        config.user(user);
    }
    if let Some(password) = &s.password {
        config.password(password.expose());
    }
    config
}

fn text_columns(row: &tokio_postgres::Row) -> Result<Vec<Option<String>>> {
    (0..row.len())
        .map(|i| {
            row.try_get::<_, Option<String>>(i).map_err(|e| {
                Error::new(
                    crate::error::ErrorKind::Internal,
                    format!("column {} is not text: {e}", row.columns()[i].name()),
                )
            })
        })
        .collect()
}
