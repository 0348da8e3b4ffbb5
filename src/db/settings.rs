//! Database connection settings read the way DataJoint 2.3.5 reads its `database` block
//! (`datajoint/settings.py`, `DatabaseSettings`): the `DJ_*` environment first, then
//! `datajoint.json`, then `.secrets/database.user` and `.secrets/database.password`,
//! then DataJoint's defaults.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::config::{Config, Secret, DATABASE_ENV_VARS};
use crate::error::{bail, Error, ErrorKind, Result};

/// DataJoint's `database.backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `mysql` (DataJoint's default): not yet supported by npystore.
    MySql,
    /// `postgresql`.
    PostgreSql,
}

/// How to use TLS, from DataJoint's `use_tls` (`adapters/postgres.py`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `use_tls` unset: DataJoint prefers TLS and falls back to a plain connection.
    Prefer,
    /// `use_tls: false`: never TLS.
    Disable,
    /// `use_tls: true`: TLS required.
    Require,
}

/// The connection settings of one DataJoint database. `Debug` never shows the password.
#[derive(Clone)]
pub struct DatabaseSettings {
    /// `mysql` or `postgresql`.
    pub backend: Backend,
    /// Server host name or address (a `host:port` value sets the port too, as in DataJoint).
    pub host: String,
    /// Server port: `database.port`, else 5432 (PostgreSQL) or 3306 (MySQL).
    pub port: u16,
    /// User name, if configured.
    pub user: Option<String>,
    /// Password, if configured.
    pub password: Option<Secret>,
    /// PostgreSQL database name (`database.name`); `None` means `postgres`.
    pub name: Option<String>,
    /// `database.database_prefix` (deprecated in DataJoint, which only warns about it):
    /// read, never applied.
    pub database_prefix: String,
    /// TLS as `use_tls` asks.
    pub tls: TlsMode,
    /// How long to wait for the server to accept a connection (npystore's; DataJoint
    /// leaves it to the driver). Default 10 s.
    pub connect_timeout: Duration,
    /// The server-side `statement_timeout` of every statement. Default 60 s.
    pub statement_timeout: Duration,
}

/// Default of [`DatabaseSettings::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`DatabaseSettings::statement_timeout`].
pub const DEFAULT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);

/// One setting's raw value and where it came from (for error messages).
struct Raw {
    value: Value,
    origin: String,
}

impl DatabaseSettings {
    /// The settings `config` gives, with DataJoint's precedence: a non-empty `DJ_*`
    /// variable seen at discovery, else the file's `database.<key>`, else (user and
    /// password only) the secrets directory's `database.<key>`, else the default.
    pub fn from_config(config: &Config) -> Result<DatabaseSettings> {
        let lookup = |key: &str| raw_setting(config, key);
        let backend = match lookup("backend")? {
            None => Backend::MySql,
            Some(raw) => parse_backend(&raw)?,
        };
        let mut host = match lookup("host")? {
            None => "localhost".to_string(),
            Some(raw) => text(&raw)?,
        };
        let mut port = match lookup("port")? {
            None => default_port(backend),
            Some(raw) => parse_port(&raw)?,
        };
        if let Some((name, port_text)) = host.clone().split_once(':') {
            port = parse_port(&Raw {
                value: Value::String(port_text.into()),
                origin: "the port in database.host".into(),
            })?;
            host = name.to_string();
        }
        Ok(DatabaseSettings {
            backend,
            host,
            port,
            user: lookup("user")?.map(|raw| text(&raw)).transpose()?,
            password: lookup("password")?
                .map(|raw| secret_text(&raw))
                .transpose()?,
            name: lookup("name")?.map(|raw| text(&raw)).transpose()?,
            database_prefix: lookup("database_prefix")?
                .map(|raw| text(&raw))
                .transpose()?
                .unwrap_or_default(),
            tls: match lookup("use_tls")? {
                None => TlsMode::Prefer,
                Some(raw) => parse_tls(&raw)?,
            },
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            statement_timeout: DEFAULT_STATEMENT_TIMEOUT,
        })
    }

    /// `user@host:port/database` for messages: never the password.
    pub fn describe(&self) -> String {
        format!(
            "{}@{}:{}/{}",
            self.user.as_deref().unwrap_or("(no user)"),
            self.host,
            self.port,
            self.database_name()
        )
    }

    /// The database to connect to: `database.name`, else `postgres` (DataJoint's default).
    pub fn database_name(&self) -> &str {
        self.name.as_deref().unwrap_or("postgres")
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("backend", &self.backend)
            .field("target", &self.describe())
            .field("password", &self.password)
            .field("tls", &self.tls)
            .finish()
    }
}

fn default_port(backend: Backend) -> u16 {
    match backend {
        Backend::PostgreSql => 5432,
        Backend::MySql => 3306,
    }
}

/// The value of `database.<key>` by DataJoint's precedence, or `None` when unset.
fn raw_setting(config: &Config, key: &str) -> Result<Option<Raw>> {
    let var = DATABASE_ENV_VARS
        .iter()
        .find(|(_, k)| *k == key)
        .map(|(var, _)| *var);
    if let Some(value) = var.and_then(|v| config.database_env(v)) {
        return Ok(Some(Raw {
            value: Value::String(value.expose().to_string()),
            origin: var.unwrap_or_default().to_string(),
        }));
    }
    match config.database_block().get(key) {
        // A JSON null leaves the default, as pydantic's Optional fields take it.
        Some(Value::Null) | None => {}
        Some(value) => {
            return Ok(Some(Raw {
                value: value.clone(),
                origin: format!("database.{key}"),
            }))
        }
    }
    if key == "user" || key == "password" {
        return secret_file(config, key);
    }
    Ok(None)
}

/// `<secrets dir>/database.<key>`, stripped, when the configuration found a secrets
/// directory.
fn secret_file(config: &Config, key: &str) -> Result<Option<Raw>> {
    let Some(dir) = &config.origin().secrets_dir else {
        return Ok(None);
    };
    let path = dir.join(format!("database.{key}"));
    if !path.is_file() {
        return Ok(None);
    }
    let bytes =
        std::fs::read(&path).map_err(|e| Error::io(&e, "read secret file", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::new(
            ErrorKind::Config,
            format!("secret file {} is not UTF-8 text", path.display()),
        )
    })?;
    Ok(Some(Raw {
        value: Value::String(crate::config::secret::python_strip(&text).to_string()),
        origin: path.display().to_string(),
    }))
}

fn text(raw: &Raw) -> Result<String> {
    match &raw.value {
        Value::String(s) => Ok(s.clone()),
        other => bail!(Config, "{} must be a string, got {other}", raw.origin),
    }
}

/// A password: its value is never put in a message.
fn secret_text(raw: &Raw) -> Result<Secret> {
    match &raw.value {
        Value::String(s) => Ok(Secret::new(s.clone())),
        _ => bail!(Config, "{} must be a string", raw.origin),
    }
}

fn parse_backend(raw: &Raw) -> Result<Backend> {
    match text(raw)?.as_str() {
        "postgresql" => Ok(Backend::PostgreSql),
        "mysql" => Ok(Backend::MySql),
        other => bail!(
            Config,
            "{} must be 'mysql' or 'postgresql', got {other:?}",
            raw.origin
        ),
    }
}

fn parse_port(raw: &Raw) -> Result<u16> {
    let number = match &raw.value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match number
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| *n > 0)
    {
        Some(port) => Ok(port),
        None => bail!(
            Config,
            "{} must be a port number (1..65535), got {}",
            raw.origin,
            raw.value
        ),
    }
}

/// `use_tls` as pydantic reads a bool (`true`/`false`, and from the environment
/// `1 true t yes y on` / `0 false f no n off`, any case). A TLS options object
/// (DataJoint's dict form) means required.
fn parse_tls(raw: &Raw) -> Result<TlsMode> {
    let flag = match &raw.value {
        Value::Bool(b) => Some(*b),
        Value::Object(_) => Some(true),
        Value::String(s) => match s.to_lowercase().as_str() {
            "1" | "true" | "t" | "yes" | "y" | "on" => Some(true),
            "0" | "false" | "f" | "no" | "n" | "off" => Some(false),
            _ => None,
        },
        _ => None,
    };
    match flag {
        Some(true) => Ok(TlsMode::Require),
        Some(false) => Ok(TlsMode::Disable),
        None => bail!(
            Config,
            "{} must be a boolean, got {}",
            raw.origin,
            raw.value
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn discover(dir: &Path, env: &[(&str, &str)]) -> Result<DatabaseSettings> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let config = Config::discover_in(dir, &lookup, &dir.join("no-system-secrets"))?;
        DatabaseSettings::from_config(&config)
    }

    fn project(json: &str, secrets: &[(&str, &str)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "npystore-db-settings-{}-{}",
            std::process::id(),
            crate::path::random_token(8)
        ));
        std::fs::create_dir_all(dir.join(".secrets")).unwrap();
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("datajoint.json"), json).unwrap();
        for (name, value) in secrets {
            std::fs::write(dir.join(".secrets").join(name), value).unwrap();
        }
        dir
    }

    #[test]
    fn defaults_are_datajoints() {
        let dir = project("{}", &[]);
        let s = discover(&dir, &[]).unwrap();
        assert_eq!(s.backend, Backend::MySql);
        assert_eq!((s.host.as_str(), s.port), ("localhost", 3306));
        assert_eq!(s.user, None);
        assert!(s.password.is_none());
        assert_eq!(s.tls, TlsMode::Prefer);
        assert_eq!(s.database_name(), "postgres");
    }

    #[test]
    fn environment_beats_file_beats_secrets() {
        let dir = project(
            r#"{"database": {"backend": "postgresql", "host": "db.lab", "user": "file-user",
                "use_tls": false, "name": "lab"}, "database.port": 6000}"#,
            &[
                ("database.user", "secret-user\n"),
                ("database.password", " pw-from-file \n"),
            ],
        );
        let s = discover(&dir, &[]).unwrap();
        assert_eq!(s.backend, Backend::PostgreSql);
        assert_eq!((s.host.as_str(), s.port), ("db.lab", 6000));
        assert_eq!(s.user.as_deref(), Some("file-user"));
        assert_eq!(
            s.password.as_ref().map(Secret::expose),
            Some("pw-from-file")
        );
        assert_eq!((s.tls, s.database_name()), (TlsMode::Disable, "lab"));

        let s = discover(
            &dir,
            &[
                ("DJ_HOST", "env-host:7000"),
                ("DJ_PASS", "env-pw"),
                ("DJ_USE_TLS", "TRUE"),
                ("DJ_USER", ""),
            ],
        )
        .unwrap();
        assert_eq!((s.host.as_str(), s.port), ("env-host", 7000));
        assert_eq!(s.password.as_ref().map(Secret::expose), Some("env-pw"));
        assert_eq!(s.tls, TlsMode::Require);
        // An empty variable is unset, as DataJoint's `os.environ.get(...)` test treats it.
        assert_eq!(s.user.as_deref(), Some("file-user"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn postgres_port_defaults_to_5432_and_bad_values_are_named() {
        let dir = project(r#"{"database": {"backend": "postgresql"}}"#, &[]);
        assert_eq!(discover(&dir, &[]).unwrap().port, 5432);
        let err = discover(&dir, &[("DJ_PORT", "70000")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.message().contains("DJ_PORT"), "{err}");
        let err = discover(&dir, &[("DJ_BACKEND", "mariadb")]).unwrap_err();
        assert!(err.message().contains("'mysql' or 'postgresql'"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn no_password_in_debug_or_errors() {
        let dir = project(r#"{"database": {"password": 12345}}"#, &[]);
        let err = discover(&dir, &[]).unwrap_err();
        assert!(!err.message().contains("12345"), "{err}");
        let s = discover(&dir, &[("DJ_PASS", "hunter2-SECRET")]).unwrap();
        let shown = format!("{s:?} {}", s.describe());
        assert!(!shown.contains("hunter2"), "{shown}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
