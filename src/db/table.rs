//! A DataJoint table opened from the catalog, and fetching its rows' references: one
//! query for all matching rows, each `<npy@store>` value turned into an [`ArrayRef`]
//! on the store it names, with no store I/O.

use super::connection::Database;
use super::heading::{Attribute, Heading};
use super::restriction::Restriction;
use super::value::sql_text;
use crate::array_ref::ArrayRef;
use crate::error::{bail, Result};
use crate::path::{schema_object_path, KeyPart};
use crate::store_set::StoreSet;

/// One fetched row: its primary key and its `<npy@store>` references.
#[derive(Debug)]
pub struct FetchedRow {
    /// The primary key in key order, each value typed from the table's heading.
    pub key: Vec<KeyPart>,
    /// Each `<npy@store>` attribute in column order with its reference (`None` for NULL).
    pub arrays: Vec<(String, Option<ArrayRef>)>,
}

impl FetchedRow {
    /// The reference of attribute `name`, if the row has one.
    pub fn array(&self, name: &str) -> Option<&ArrayRef> {
        self.arrays
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, r)| r.as_ref())
    }
}

/// A table of a DataJoint schema with its heading, and the stores its refs live in.
#[derive(Debug, Clone)]
pub struct Table {
    db: Database,
    stores: StoreSet,
    heading: Heading,
}

impl Table {
    /// Open table `name` (`Recording`, `Master.Part`, or an SQL name such as `#lookup`)
    /// of `schema`, reading its heading from the catalog. Refs route to `stores`.
    pub fn open(db: &Database, stores: &StoreSet, schema: &str, name: &str) -> Result<Table> {
        Ok(Table {
            db: db.clone(),
            stores: stores.clone(),
            heading: Heading::read(db, schema, name)?,
        })
    }

    /// The table's heading.
    pub fn heading(&self) -> &Heading {
        &self.heading
    }

    /// The rows matching `restriction`, in primary-key order, with their keys and
    /// references: one query whatever the number of rows, no store I/O. A key naming
    /// an attribute that is not in the primary key, or a value of the wrong kind, is
    /// refused (`InvalidArgument`) before the query.
    pub fn fetch_refs(&self, restriction: &Restriction) -> Result<Vec<FetchedRow>> {
        self.select(restriction, true)
    }

    /// The primary keys of the rows matching `restriction`, in key order (one query,
    /// refused keys as in [`Table::fetch_refs`]).
    pub fn keys(&self, restriction: &Restriction) -> Result<Vec<Vec<KeyPart>>> {
        let rows = self.select(restriction, false)?;
        Ok(rows.into_iter().map(|row| row.key).collect())
    }

    /// How many rows match `restriction` (one `count(*)` query).
    pub fn count(&self, restriction: &Restriction) -> Result<u64> {
        let (filter, params) = self.where_clause(restriction)?;
        let Some(filter) = filter else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT count(*)::text FROM {}.{} AS t WHERE {filter}",
            quote(&self.heading.schema),
            quote(&self.heading.table)
        );
        let rows = self.db.query_text(&sql, &params)?;
        let text = rows.first().and_then(|r| r.first()).cloned().flatten();
        match text.as_deref().map(str::parse::<u64>) {
            Some(Ok(n)) => Ok(n),
            _ => bail!(Internal, "count(*) gave {text:?}"),
        }
    }

    /// The matching rows' keys and, when `with_arrays`, their references.
    fn select(&self, restriction: &Restriction, with_arrays: bool) -> Result<Vec<FetchedRow>> {
        let (filter, params) = self.where_clause(restriction)?;
        let Some(filter) = filter else {
            return Ok(Vec::new());
        };
        let key: Vec<&Attribute> = self.heading.key_attributes().collect();
        let arrays: Vec<&Attribute> = if with_arrays {
            self.heading.npy_attributes().collect()
        } else {
            Vec::new()
        };
        let columns: Vec<String> = key
            .iter()
            .chain(&arrays)
            .map(|a| format!("t.{}::text", quote(&a.name)))
            .collect();
        // Qualified: a bare name in ORDER BY would name the text output column and
        // sort numbers as text.
        let order: Vec<String> = key
            .iter()
            .map(|a| format!("t.{}", quote(&a.name)))
            .collect();
        let sql = format!(
            "SELECT {} FROM {}.{} AS t WHERE {filter}{}",
            columns.join(", "),
            quote(&self.heading.schema),
            quote(&self.heading.table),
            if order.is_empty() {
                String::new()
            } else {
                format!(" ORDER BY {}", order.join(", "))
            }
        );
        let rows = self.db.query_text(&sql, &params)?;
        rows.into_iter()
            .map(|row| self.row(&key, &arrays, row))
            .collect()
    }

    fn row(
        &self,
        key: &[&Attribute],
        arrays: &[&Attribute],
        row: Vec<Option<String>>,
    ) -> Result<FetchedRow> {
        let mut cells = row.into_iter();
        let key = key
            .iter()
            .map(|a| {
                let Some(text) = cells.next().flatten() else {
                    bail!(Internal, "primary-key attribute {} came back NULL", a.name);
                };
                Ok(KeyPart::new(a.name.clone(), a.value_kind().parse(&text)?))
            })
            .collect::<Result<Vec<_>>>()?;
        let arrays = arrays
            .iter()
            .map(|a| {
                let reference = cells
                    .next()
                    .flatten()
                    .map(|json| self.reference(a, &json))
                    .transpose()?;
                Ok((a.name.clone(), reference))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(FetchedRow { key, arrays })
    }

    fn reference(&self, attribute: &Attribute, json: &str) -> Result<ArrayRef> {
        self.stores.ref_from_json(json).map_err(|e| {
            e.context(format!(
                "{}.{} attribute {}",
                self.heading.schema, self.heading.table, attribute.name
            ))
        })
    }

    /// The path DataJoint writes for attribute `attribute`'s object of the row with
    /// primary key `key` (in any order), with `token`: the key is put in the heading's
    /// key order and each value checked against its attribute's kind, and the path
    /// settings (`schema_prefix`, `partition_pattern`) are those of the attribute's store.
    /// Errors: `InvalidArgument` for a missing, repeated or unknown key attribute, a
    /// value of the wrong kind, or an attribute that is not `<npy@store>`.
    pub fn object_path(&self, key: &[KeyPart], attribute: &str, token: &str) -> Result<String> {
        let Some(store) = self
            .heading
            .attribute(attribute)
            .and_then(Attribute::npy_store)
        else {
            bail!(
                InvalidArgument,
                "{attribute:?} is not a <npy@store> attribute of {}.{}",
                self.heading.schema,
                self.heading.table
            );
        };
        let ordered = self.full_key(key)?;
        let store = self.stores.store(store)?;
        schema_object_path(
            &self.heading.schema,
            &self.heading.table,
            &ordered,
            attribute,
            &store.spec().path,
            token,
        )
    }

    /// `key` in the heading's key order, each part checked; every key attribute once.
    fn full_key(&self, key: &[KeyPart]) -> Result<Vec<KeyPart>> {
        for part in key {
            self.key_attribute(part)?;
            if key.iter().filter(|p| p.name == part.name).count() > 1 {
                bail!(
                    InvalidArgument,
                    "key attribute {} is given twice",
                    part.name
                );
            }
        }
        self.heading
            .primary_key
            .iter()
            .map(|name| match key.iter().find(|p| &p.name == name) {
                Some(part) => Ok(part.clone()),
                None => bail!(
                    InvalidArgument,
                    "the key lacks {name} (the key of {}.{}: {})",
                    self.heading.schema,
                    self.heading.table,
                    self.heading.primary_key.join(", ")
                ),
            })
            .collect()
    }

    /// The SQL condition and its text parameters; `None` when no row can match.
    fn where_clause(&self, restriction: &Restriction) -> Result<(Option<String>, Vec<String>)> {
        let keys = match restriction {
            Restriction::All => return Ok((Some("TRUE".into()), Vec::new())),
            Restriction::Keys(keys) if keys.is_empty() => return Ok((None, Vec::new())),
            Restriction::Keys(keys) => keys,
        };
        let mut params = Vec::new();
        let mut alternatives = Vec::with_capacity(keys.len());
        for key in keys {
            let mut terms = vec!["TRUE".to_string()];
            for part in key {
                let attribute = self.key_attribute(part)?;
                params.push(sql_text(&part.value));
                terms.push(format!(
                    "t.{} = ${}::text::{}",
                    quote(&attribute.name),
                    params.len(),
                    attribute.sql_type
                ));
            }
            alternatives.push(format!("({})", terms.join(" AND ")));
        }
        Ok((Some(alternatives.join(" OR ")), params))
    }

    /// The primary-key attribute `part` names, if `part`'s value is of its kind.
    fn key_attribute(&self, part: &KeyPart) -> Result<&Attribute> {
        let attribute = self.heading.key_attribute(&part.name)?;
        if !attribute.value_kind().accepts(&part.value) {
            bail!(
                InvalidArgument,
                "key attribute {} is {} ({:?}); {:?} does not match it",
                attribute.name,
                attribute
                    .datajoint_type
                    .as_deref()
                    .unwrap_or(&attribute.sql_type),
                attribute.value_kind(),
                part.value
            );
        }
        Ok(attribute)
    }
}

/// `name` as a PostgreSQL quoted identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
