//! Keeping credentials out of text: configured secret values, and passwords written
//! into URLs (`https://user:password@host`, as an S3 `endpoint`, a `proxy_server` or
//! an Azure `BlobEndpoint` may carry them), which are not secret fields of their own.
//! Both are replaced by `***`.

/// `url` (with or without a scheme, e.g. an S3 endpoint `user:pw@minio:9000`) with
/// the password of its user info replaced by `***` (the whole user info when it is a
/// single token, as `https://token@host`).
pub(crate) fn redact_url(url: &str) -> String {
    match url.find("://") {
        Some(at) => format!("{}{}", &url[..at + 3], redact_authority(&url[at + 3..])),
        None => redact_authority(url),
    }
}

/// `text` with the password of every `scheme://user:password@` in it replaced by `***`.
pub(crate) fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        out.push_str(&rest[..at + 3]);
        rest = &rest[at + 3..];
        let end = rest
            .find(|c: char| "/?#\"'<>(),;".contains(c) || c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&redact_authority(&rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
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

/// An authority (`user:password@host:port`, and whatever follows it up to a path)
/// with its user info redacted.
fn redact_authority(authority: &str) -> String {
    let host_end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    let Some(at) = authority[..host_end].rfind('@') else {
        return authority.to_string();
    };
    let shown = match authority[..at].split_once(':') {
        Some((user, _password)) => format!("{user}:***"),
        None => "***".to_string(),
    };
    format!("{shown}{}", &authority[at..])
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
        assert_eq!(
            scrub(
                "key AKIA1234 at https://a:b@h",
                &["AKIA1234".into(), "ab".into()]
            ),
            "key *** at https://a:***@h"
        );
    }
}
