//! A table's heading read from the PostgreSQL catalog: its attributes in column order
//! with SQL and DataJoint types, and its primary key in key order. DataJoint records an
//! attribute's type at the start of the column comment, `:<type>:comment`
//! (`heading.py`), which is how `<npy@store>` attributes are found.

use super::connection::Database;
use super::naming::TableName;
use super::value::ValueKind;
use crate::error::{bail, Result};

/// One attribute (column) of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Column name.
    pub name: String,
    /// SQL type as PostgreSQL's `format_type` prints it (`integer`, `jsonb`, ...).
    pub sql_type: String,
    /// The DataJoint type from the comment (`int32`, `<npy@main>`), if recorded.
    pub datajoint_type: Option<String>,
    /// The user's comment (after the type).
    pub comment: String,
    /// Whether the column may be NULL.
    pub nullable: bool,
    /// Whether it is part of the primary key.
    pub in_key: bool,
}

impl Attribute {
    /// For a `<npy@store>` attribute, `Some(store)`: the store named in the type, `None`
    /// for `<npy>` or `<npy@>` (the default store). Other attributes: `None`.
    pub fn npy_store(&self) -> Option<Option<&str>> {
        let codec = self
            .datajoint_type
            .as_deref()?
            .strip_prefix('<')?
            .strip_suffix('>')?;
        let (name, store) = match codec.split_once('@') {
            Some((name, store)) => (name, Some(store).filter(|s| !s.is_empty())),
            None => (codec, None),
        };
        (name.trim() == "npy").then_some(store.map(str::trim))
    }

    /// The kind of value the attribute holds.
    pub fn value_kind(&self) -> ValueKind {
        ValueKind::of(self.datajoint_type.as_deref(), &self.sql_type)
    }
}

/// A table's heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// The schema (PostgreSQL schema) name.
    pub schema: String,
    /// The SQL table name, tier prefix included.
    pub table: String,
    /// Every attribute in column order.
    pub attributes: Vec<Attribute>,
    /// The primary-key attribute names in key order.
    pub primary_key: Vec<String>,
}

impl Heading {
    /// The attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The primary-key attribute `name`; `InvalidArgument` naming the key otherwise.
    pub fn key_attribute(&self, name: &str) -> Result<&Attribute> {
        match self.attribute(name).filter(|a| a.in_key) {
            Some(attribute) => Ok(attribute),
            None => bail!(
                InvalidArgument,
                "{name:?} is not a primary-key attribute of {}.{} (its key: {})",
                self.schema,
                self.table,
                self.primary_key.join(", ")
            ),
        }
    }

    /// The primary-key attributes in key order.
    pub fn key_attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.primary_key.iter().filter_map(|k| self.attribute(k))
    }

    /// The `<npy@store>` attributes in column order.
    pub fn npy_attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(|a| a.npy_store().is_some())
    }

    /// Read the heading of table `name` (a class name such as `Recording` or
    /// `Master.Part`, or an SQL name) in `schema`. Errors: `NotFound` when no table (or
    /// more than one tier's table) has that name.
    pub fn read(db: &Database, schema: &str, name: &str) -> Result<Heading> {
        let table = resolve_table(db, schema, &TableName::parse(name)?)?;
        let rows = db.query_text(COLUMNS_SQL, &[schema.to_string(), table.clone()])?;
        let columns = rows
            .into_iter()
            .map(attribute_from_row)
            .collect::<Result<Vec<_>>>()?;
        let mut key: Vec<(u32, String)> = columns
            .iter()
            .filter_map(|(a, pos)| pos.map(|p| (p, a.name.clone())))
            .collect();
        key.sort();
        let attributes = columns.into_iter().map(|(a, _)| a).collect();
        Ok(Heading {
            schema: schema.to_string(),
            table,
            attributes,
            primary_key: key.into_iter().map(|(_, name)| name).collect(),
        })
    }
}

/// Columns of one table in column order: name, type, comment, nullable, key position.
const COLUMNS_SQL: &str = "\
SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), \
       col_description(c.oid, a.attnum), (NOT a.attnotnull)::text, \
       (SELECT k.ord::text FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
         WHERE i.indrelid = c.oid AND i.indisprimary AND k.attnum = a.attnum) \
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_attribute a ON a.attrelid = c.oid \
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped \
ORDER BY a.attnum";

/// One catalog row as an attribute and its primary-key position (1-based), if any.
fn attribute_from_row(row: Vec<Option<String>>) -> Result<(Attribute, Option<u32>)> {
    let mut cells = row.into_iter();
    let mut next = || cells.next().flatten();
    let (Some(name), Some(sql_type)) = (next(), next()) else {
        bail!(Internal, "a catalog row without a column name or type");
    };
    let raw_comment = next().unwrap_or_default();
    let nullable = next().as_deref() == Some("true");
    let position = match next() {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(pos) => Some(pos),
            Err(_) => bail!(Internal, "bad primary-key position {text:?} in the catalog"),
        },
    };
    let (datajoint_type, comment) = split_type_comment(&raw_comment);
    let attribute = Attribute {
        name,
        sql_type,
        datajoint_type,
        comment,
        nullable,
        in_key: position.is_some(),
    };
    Ok((attribute, position))
}

/// DataJoint's `:(?P<type>[^:]+):(?P<comment>.*)` on a column comment.
fn split_type_comment(raw: &str) -> (Option<String>, String) {
    let parsed = raw.strip_prefix(':').and_then(|rest| {
        let (t, comment) = rest.split_once(':')?;
        (!t.is_empty()).then(|| (Some(t.to_string()), comment.to_string()))
    });
    parsed.unwrap_or_else(|| (None, raw.to_string()))
}

/// The one SQL table `name` stands for in `schema`.
fn resolve_table(db: &Database, schema: &str, name: &TableName) -> Result<String> {
    let candidates = name.candidates()?;
    let placeholders: Vec<String> = (0..candidates.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname IN ({}) ORDER BY 1",
        placeholders.join(", ")
    );
    let mut params = vec![schema.to_string()];
    params.extend(candidates.iter().cloned());
    let found: Vec<String> = db
        .query_text(&sql, &params)?
        .into_iter()
        .filter_map(|row| row.into_iter().next().flatten())
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(
            NotFound,
            "no table {} in schema {schema:?} (looked for {})",
            describe(name),
            candidates.join(", ")
        ),
        many => bail!(
            NotFound,
            "table {} is ambiguous in schema {schema:?}: {} all exist; open one by its SQL name",
            describe(name),
            many.join(", ")
        ),
    }
}

fn describe(name: &TableName) -> String {
    match name {
        TableName::Sql(s) | TableName::Class(s) => format!("{s:?}"),
        TableName::Part { master, part } => format!("\"{master}.{part}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(datajoint_type: Option<&str>) -> Attribute {
        Attribute {
            name: "a".into(),
            sql_type: "jsonb".into(),
            datajoint_type: datajoint_type.map(String::from),
            comment: String::new(),
            nullable: false,
            in_key: false,
        }
    }

    #[test]
    fn npy_attributes_and_their_stores() {
        assert_eq!(
            attribute(Some("<npy@main>")).npy_store(),
            Some(Some("main"))
        );
        assert_eq!(attribute(Some("<npy@>")).npy_store(), Some(None));
        assert_eq!(attribute(Some("<npy>")).npy_store(), Some(None));
        assert_eq!(attribute(Some("<blob@main>")).npy_store(), None);
        assert_eq!(attribute(Some("json")).npy_store(), None);
        assert_eq!(attribute(None).npy_store(), None);
    }

    #[test]
    fn type_and_comment_as_datajoint_splits_them() {
        assert_eq!(
            split_type_comment(":<npy@main>:raw trace"),
            (Some("<npy@main>".into()), "raw trace".into())
        );
        assert_eq!(
            split_type_comment(":int32:"),
            (Some("int32".into()), String::new())
        );
        assert_eq!(
            split_type_comment("plain: words"),
            (None, "plain: words".into())
        );
        assert_eq!(split_type_comment("::x"), (None, "::x".into()));
    }
}
