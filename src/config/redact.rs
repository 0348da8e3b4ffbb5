//! Keeping credentials out of text: configured secret values, and passwords written
//! into URLs (`https://user:password@host`, as an S3 `endpoint`, a `proxy_server` or
//! an Azure `BlobEndpoint` may carry them), which are not secret fields of their own.
//! Both are replaced by `***`.

use super::endpoint;

/// `url` (with or without a scheme, e.g. an S3 endpoint `user:pw@minio:9000`) with
/// the password of its user info replaced by `***` (the whole user info when it is a
/// single token, as `https://token@host`). The URL is cut as [`endpoint::split`]
/// cuts it: the user info runs up to the last `@` before the authority ends.
pub(crate) fn redact_url(url: &str) -> String {
    let parts = endpoint::split(url);
    let Some(userinfo) = parts.userinfo else {
        return url.to_string();
    };
    let scheme = parts.scheme.map(|s| format!("{s}://")).unwrap_or_default();
    format!(
        "{scheme}{}@{}{}",
        hide_password(userinfo),
        parts.host_port,
        parts.rest
    )
}

/// `text` with the password of every `scheme://user:password@` in it replaced by
/// `***`. After each `://` (whatever the scheme's letter case), the authority is the
/// longest run of characters an authority may hold (RFC 3986: unreserved,
/// percent-escapes, sub-delimiters, `:`, `@`, `[`, `]`; any non-ASCII character too,
/// to be safe); its user info runs up to the last `@` in that run.
pub(crate) fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let end = rest.find(|c: char| !in_authority(c)).unwrap_or(rest.len());
        let authority = &rest[..end];
        // Without user info, scanning goes on inside the run: `http://HTTP://u:p@h`
        // has a second URL there.
        if let Some(at) = authority.rfind('@') {
            out.push_str(&hide_password(&authority[..at]));
            out.push_str(&authority[at..]);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// A character that can be part of a URL's authority (or might be, unescaped).
fn in_authority(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@[]".contains(c) || !c.is_ascii()
}

/// `user:***` for `user:password`, `***` for a single token.
fn hide_password(userinfo: &str) -> String {
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{user}:***"),
        None => "***".to_string(),
    }
}

/// `text` with every value of `secrets` (of 4 characters or more: shorter ones would
/// blot out ordinary words) and every password inside a URL replaced by `***`.
pub(crate) fn scrub(text: &str, secrets: &[String]) -> String {
    let text = secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text.to_string(), |text, secret| {
            text.replace(secret.as_str(), "***")
        });
    redact_urls(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("https://lab:pa55w0rd@minio.lab:9000/x"),
            "https://lab:***@minio.lab:9000/x"
        );
        assert_eq!(redact_url("lab:pw@minio:9000"), "lab:***@minio:9000");
        assert_eq!(
            redact_url("http://tok3n@proxy:3128"),
            "http://***@proxy:3128"
        );
        assert_eq!(redact_url("minio.lab:9000"), "minio.lab:9000");
        assert_eq!(
            redact_url("http://h/p@q"),
            "http://h/p@q",
            "an @ in the path"
        );
        let text = "GET http://u:s3cr3t@127.0.0.1:9/b/a.npy failed; proxy \"http://p:pw@x:1\"";
        assert_eq!(
            redact_urls(text),
            "GET http://u:***@127.0.0.1:9/b/a.npy failed; proxy \"http://p:***@x:1\""
        );
        // RFC 3986 lets a password hold sub-delimiters; the scheme has any case.
        assert_eq!(
            redact_url("HTTP://u:a;b'c(d)e,f@h:9/x"),
            "HTTP://u:***@h:9/x"
        );
        assert_eq!(
            redact_urls("(url HTTP://u:a;b'c(d)e,f@h:9/x) and http://HTTP://v:w@h"),
            "(url HTTP://u:***@h:9/x) and http://HTTP://v:***@h"
        );
        assert_eq!(
            scrub(
                "key AKIA1234 at https://a:b@h",
                &["AKIA1234".into(), "ab".into()]
            ),
            "key *** at https://a:***@h"
        );
    }
}
