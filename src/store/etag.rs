//! ETags as version pins: whether two name the same version, and the one version the
//! responses of a multi-request read agree on.

/// Whether two ETags name the same version of an object. Quotes and a weak `W/`
/// prefix are set aside: a tag from a PUT answer and one from a GET answer may be
/// written differently by some servers.
pub(crate) fn same(a: &str, b: &str) -> bool {
    bare(a) == bare(b)
}

fn bare(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"')
}

/// The version a read made of several requests was served at, learnt response by
/// response. Starting from the tag a read is pinned to (if any), every response must
/// name the same one; a response without a tag says nothing.
#[derive(Debug, Default)]
pub(crate) struct Agreement {
    etag: Option<String>,
    mixed: bool,
}

impl Agreement {
    /// An agreement that starts from `pinned`, the tag the read insists on.
    pub(crate) fn pinned(pinned: Option<&str>) -> Agreement {
        Agreement {
            etag: pinned.map(str::to_string),
            mixed: false,
        }
    }

    /// One response came from version `etag`.
    pub(crate) fn see(&mut self, etag: Option<&str>) {
        match (&self.etag, etag) {
            (Some(known), Some(seen)) if !same(known, seen) => self.mixed = true,
            (None, Some(seen)) => self.etag = Some(seen.to_string()),
            _ => {}
        }
    }

    /// The one version every response came from (`None`: no response named one), or
    /// `None` when they came from different versions.
    pub(crate) fn agreed(self) -> Option<Option<String>> {
        (!self.mixed).then_some(self.etag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_weak_prefixes_do_not_make_a_new_version() {
        assert!(same("\"abc-2\"", "abc-2"));
        assert!(same("W/\"abc\"", "\"abc\""));
        assert!(!same("\"abc\"", "\"abd\""));
    }

    #[test]
    fn responses_must_agree_with_the_pin_and_with_each_other() {
        let mut a = Agreement::pinned(Some("\"v1\""));
        a.see(Some("v1"));
        a.see(None);
        assert_eq!(a.agreed(), Some(Some("\"v1\"".to_string())));
        let mut b = Agreement::pinned(Some("v1"));
        b.see(Some("v2"));
        assert_eq!(b.agreed(), None);
        let mut c = Agreement::default();
        c.see(Some("v1"));
        c.see(Some("v2"));
        assert_eq!(c.agreed(), None);
        assert_eq!(Agreement::default().agreed(), Some(None));
    }
}
