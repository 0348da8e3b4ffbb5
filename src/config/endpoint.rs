//! URLs in settings (an S3 `endpoint` or `proxy_server`, an Azure `BlobEndpoint`, a
//! GCS `gcs_base_url`), read by RFC 3986's grammar: [`split`] finds the user info the
//! way redaction needs it, and [`check`] refuses at open what would break every
//! request later (object_store builds its request URIs from these strings).

use crate::error::Result;

/// A URL cut into its parts; `scheme` is `None` for `host:port` forms.
pub(crate) struct Parts<'a> {
    /// The text before `://`, as written.
    pub scheme: Option<&'a str>,
    /// What comes before the last `@` of the authority, if any.
    pub userinfo: Option<&'a str>,
    /// Host and port.
    pub host_port: &'a str,
    /// The path (from the first `/`, `?` or `#` after the authority), possibly empty.
    pub rest: &'a str,
}

/// Cut `url` into its parts. The authority ends at the first `/`, `?` or `#` after
/// `://` (or from the start, without a scheme); the user info runs up to the last
/// `@` before that end.
pub(crate) fn split(url: &str) -> Parts<'_> {
    let (scheme, after) = match url.find("://") {
        Some(at) => (Some(&url[..at]), &url[at + 3..]),
        None => (None, url),
    };
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    Parts {
        scheme,
        userinfo,
        host_port,
        rest,
    }
}

/// `url` with its scheme written in lower case (`HTTP://h` is `http://h`).
pub(crate) fn lowercase_scheme(url: &str) -> String {
    match url.find("://") {
        Some(at) => format!("{}{}", url[..at].to_ascii_lowercase(), &url[at..]),
        None => url.to_string(),
    }
}

/// Whether `url` starts with `scheme://`, in any letter case.
pub(crate) fn has_scheme(url: &str, scheme: &str) -> bool {
    split(url)
        .scheme
        .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
}

/// A Config error `<what> is not a valid URL: <why>` unless `url` is an `http` or
/// `https` URL (or, unless `scheme_required`, a `[user[:password]@]host[:port][/path]`)
/// that every request built on it can use. The message never shows the user info.
pub(crate) fn check(url: &str, what: &str, scheme_required: bool) -> Result<()> {
    match problem(url, scheme_required) {
        None => Ok(()),
        Some(why) => crate::error::bail!(Config, "{what} is not a valid URL: {why}"),
    }
}

/// RFC 3986 `unreserved` and `sub-delims`.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=".contains(c)
}

/// Whether every character of `text` is `plain`, `extra` or a `%XX` escape.
fn well_formed(text: &str, extra: &str) -> bool {
    first_bad(text, extra).is_none()
}

/// The first character of `text` that is neither `plain`, `extra` nor part of a
/// well-formed `%XX` escape.
fn first_bad(text: &str, extra: &str) -> Option<char> {
    let bytes = text.as_bytes();
    text.char_indices().find_map(|(i, c)| {
        let escape = c == '%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        (!(escape || plain(c) || extra.contains(c))).then_some(c)
    })
}

fn quoted(c: char) -> String {
    format!("'{}'", c.escape_debug())
}

/// Why `url` is refused, or `None`.
fn problem(url: &str, scheme_required: bool) -> Option<String> {
    let parts = split(url);
    match parts.scheme {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
        Some(_) => return Some("the scheme must be http or https".into()),
        None if scheme_required => return Some("it has no scheme (http:// or https://)".into()),
        None => {}
    }
    let after = url.find("://").map_or(url, |at| &url[at + 3..]);
    if let Some(c) = after.chars().find(|c| "#?".contains(*c)) {
        let code = if c == '#' { "%23" } else { "%3F" };
        return Some(format!(
            "it holds {} (in a user name or password, write it as {code})",
            quoted(c)
        ));
    }
    if parts.rest.contains('@') {
        return Some("'@' after '/': write '/' in a user name or password as %2F".into());
    }
    if parts.userinfo.is_some_and(|u| !well_formed(u, ":")) {
        return Some(
            "the user name or password holds a character that must be percent-encoded".into(),
        );
    }
    if let Some(why) = host_port_problem(parts.host_port) {
        return Some(why);
    }
    first_bad(parts.rest, ":@/").map(|c| format!("the path holds {}", quoted(c)))
}

fn host_port_problem(host_port: &str) -> Option<String> {
    let (host, port) = if let Some(inner) = host_port.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Some("'[' opens an IPv6 address that no ']' closes".into());
        };
        if inner[..close].parse::<std::net::Ipv6Addr>().is_err() {
            return Some("the IPv6 address between '[' and ']' is not valid".into());
        }
        match &inner[close + 1..] {
            "" => (None, None),
            after => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => return Some("']' is not followed by ':' and a port".into()),
            },
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(host_port), None),
        }
    };
    if let Some(host) = host {
        if host.is_empty() {
            return Some("it names no host".into());
        }
        if let Some(c) = host
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-._~".contains(*c)))
        {
            return Some(format!("the host holds {}", quoted(c)));
        }
    }
    let port_ok =
        |p: &str| p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|n| n > 0);
    match port {
        Some(p) if !port_ok(p) => Some("the port is not a number from 1 to 65535".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_last_at_sign_of_the_authority() {
        let p = split("HTTP://u:p;(x)@h:9/a@b");
        assert_eq!(
            (p.scheme, p.userinfo, p.host_port, p.rest),
            (Some("HTTP"), Some("u:p;(x)"), "h:9", "/a@b")
        );
        let p = split("u:p@q@h");
        assert_eq!(
            (p.scheme, p.userinfo, p.host_port),
            (None, Some("u:p@q"), "h")
        );
        assert_eq!(lowercase_scheme("HTTPS://U@H"), "https://U@H");
        assert!(has_scheme("Http://h", "http") && !has_scheme("h:80", "http"));
    }

    #[test]
    fn checks_by_the_grammar() {
        for ok in [
            "h",
            "h:9000",
            "https://s3.amazonaws.com",
            "HTTP://u:p;'(),!$&*+=~@h:9/x/",
            "http://u:%2F%23@[::1]:9",
            "http://[::1]",
            "u@h",
        ] {
            assert!(
                problem(ok, false).is_none(),
                "{ok}: {:?}",
                problem(ok, false)
            );
        }
        assert_eq!(
            problem("h", true).as_deref(),
            Some("it has no scheme (http:// or https://)")
        );
        assert_eq!(
            problem("http://[::g]", false).as_deref(),
            Some("the IPv6 address between '[' and ']' is not valid")
        );
        assert_eq!(
            problem("http://[::1]x", false).as_deref(),
            Some("']' is not followed by ':' and a port")
        );
        assert_eq!(
            problem("http://h:0", false).as_deref(),
            Some("the port is not a number from 1 to 65535")
        );
        assert_eq!(
            problem("http://h\n", false).as_deref(),
            Some("the host holds '\\n'")
        );
        assert_eq!(
            problem("http://:9", false).as_deref(),
            Some("it names no host")
        );
    }
}
