//! DataJoint's table names: a class name (`Recording`, `SessionEpoch.Part`) becomes
//! the SQL name of its tier (`recording`, `#recording`, `_recording`, `__recording`,
//! `master__part`), as `utils.from_camel_case` and `user_tables.py` make them.

use crate::error::{bail, Result};

/// The tier prefixes DataJoint puts before a table's name: manual, lookup, imported,
/// computed.
pub const TIER_PREFIXES: [&str; 4] = ["", "#", "_", "__"];

/// DataJoint's `from_camel_case`: `SessionEpoch` → `session_epoch`, `ABC` → `a_b_c`.
/// Underscores are dropped first (DataJoint warns and removes them); the rest must be
/// CamelCase: an ASCII capital, then ASCII letters and digits.
pub fn from_camel_case(class_name: &str) -> Result<String> {
    let name: String = class_name.chars().filter(|c| *c != '_').collect();
    let mut chars = name.chars();
    let camel = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric());
    if !camel {
        bail!(
            InvalidArgument,
            "class name {class_name:?} must be alphanumeric in CamelCase and begin with a capital letter"
        );
    }
    let mut snake = String::with_capacity(name.len() + 4);
    let mut previous_is_word = false;
    for c in name.chars() {
        // Python's `\B[A-Z]`: a capital right after a word character gets a `_`.
        if c.is_ascii_uppercase() && previous_is_word {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
        previous_is_word = true;
    }
    Ok(snake)
}

/// How a table is named by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableName {
    /// The SQL name as it is in the database (`#lookup`, `master__part`).
    Sql(String),
    /// A master class (`Recording`): its tier is found in the catalog.
    Class(String),
    /// A part class of a master class (`SessionEpoch.Part`).
    Part {
        /// The master's class name.
        master: String,
        /// The part's class name.
        part: String,
    },
}

impl TableName {
    /// A class name (`Recording`, `Master.Part`) if `name` starts with a capital letter,
    /// else an SQL name.
    pub fn parse(name: &str) -> Result<TableName> {
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            if name.is_empty() {
                bail!(InvalidArgument, "the table name is empty");
            }
            return Ok(TableName::Sql(name.to_string()));
        }
        match name.split_once('.') {
            None => Ok(TableName::Class(name.to_string())),
            Some((master, part)) if !part.contains('.') => Ok(TableName::Part {
                master: master.to_string(),
                part: part.to_string(),
            }),
            Some(_) => bail!(
                InvalidArgument,
                "table name {name:?}: a part table is named Master.Part, with one dot"
            ),
        }
    }

    /// The SQL names this name may stand for, one per tier a class may have; exactly
    /// one of them should exist in the schema.
    pub fn candidates(&self) -> Result<Vec<String>> {
        Ok(match self {
            TableName::Sql(sql) => vec![sql.clone()],
            TableName::Class(class) => with_tier_prefixes(&from_camel_case(class)?),
            TableName::Part { master, part } => {
                let part = from_camel_case(part)?;
                with_tier_prefixes(&from_camel_case(master)?)
                    .into_iter()
                    .map(|m| format!("{m}__{part}"))
                    .collect()
            }
        })
    }
}

fn with_tier_prefixes(snake: &str) -> Vec<String> {
    TIER_PREFIXES
        .iter()
        .map(|p| format!("{p}{snake}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_as_datajoint() {
        assert_eq!(from_camel_case("Recording").unwrap(), "recording");
        assert_eq!(from_camel_case("SessionEpoch").unwrap(), "session_epoch");
        assert_eq!(from_camel_case("ABC").unwrap(), "a_b_c");
        assert_eq!(from_camel_case("Rec2D").unwrap(), "rec2_d");
        assert_eq!(from_camel_case("Session_Epoch").unwrap(), "session_epoch");
        for bad in ["recording", "Rec-1", "", "Ünit"] {
            assert!(from_camel_case(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_their_candidates() {
        assert_eq!(
            TableName::parse("Recording").unwrap().candidates().unwrap(),
            ["recording", "#recording", "_recording", "__recording"]
        );
        assert_eq!(
            TableName::parse("SessionEpoch.Part")
                .unwrap()
                .candidates()
                .unwrap(),
            [
                "session_epoch__part",
                "#session_epoch__part",
                "_session_epoch__part",
                "__session_epoch__part"
            ]
        );
        assert_eq!(
            TableName::parse("__computed").unwrap(),
            TableName::Sql("__computed".into())
        );
        assert!(TableName::parse("A.B.C").is_err());
    }
}
