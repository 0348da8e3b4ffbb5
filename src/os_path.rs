//! Operating-system paths as users write them.

use std::path::PathBuf;

/// `path` as `canonicalize` gives it (Unix: unchanged).
#[cfg(not(windows))]
pub(crate) fn plain(path: PathBuf) -> PathBuf {
    path
}

/// `path` without the `\\?\` prefix `canonicalize` gives on Windows, when the
/// shorter name is within `MAX_PATH` (260): `\\?\C:\x` is `C:\x` and
/// `\\?\UNC\server\share\x` is `\\server\share\x`, the names users write and every
/// Windows program opens (so messages and resolved locations show them). Longer
/// names keep the prefix, which is what lets Windows open them at all.
#[cfg(windows)]
pub(crate) fn plain(path: PathBuf) -> PathBuf {
    let Some(text) = path.to_str() else {
        return path;
    };
    let short = if let Some(rest) = text.strip_prefix(r"\\?\UNC\") {
        format!(r"\\{rest}")
    } else if let Some(rest) = text.strip_prefix(r"\\?\") {
        let drive = rest.as_bytes();
        if !(drive.len() >= 3 && drive[0].is_ascii_alphabetic() && &drive[1..3] == br":\") {
            return path;
        }
        rest.to_string()
    } else {
        return path;
    };
    if short.len() < 260 {
        PathBuf::from(short)
    } else {
        path
    }
}

#[cfg(all(test, windows))]
mod tests {
    use super::plain;
    use std::path::PathBuf;

    #[test]
    fn the_verbatim_prefix_goes_when_the_short_name_fits() {
        for (long, short) in [
            (r"\\?\C:\data\x", r"C:\data\x"),
            (r"\\?\UNC\server\share\x", r"\\server\share\x"),
            (r"\\?\Volume{0}\x", r"\\?\Volume{0}\x"),
            (r"C:\data", r"C:\data"),
        ] {
            assert_eq!(plain(PathBuf::from(long)), PathBuf::from(short), "{long}");
        }
        let deep = format!(r"\\?\C:\{}", "d".repeat(300));
        assert_eq!(plain(PathBuf::from(&deep)), PathBuf::from(&deep));
    }
}
