//! Local file names as the operating system gives them back, made plain.

use std::path::PathBuf;

/// `path` as `canonicalize` gives it (Unix: unchanged).
#[cfg(not(windows))]
pub(crate) fn plain_native(path: PathBuf) -> PathBuf {
    path
}

/// `path` without the `\\?\` prefix `canonicalize` and `GetFinalPathNameByHandleW`
/// give on Windows, when the shorter name is within `MAX_PATH` (260): `\\?\C:\x` is
/// `C:\x` and `\\?\UNC\server\share\x` is `\\server\share\x`, names every Windows
/// program (MATLAB's `memmapfile` included) opens. Longer names keep the prefix,
/// which is what lets Windows open them at all.
#[cfg(windows)]
pub(crate) fn plain_native(path: PathBuf) -> PathBuf {
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
    use super::*;

    /// Short verbatim names lose their prefix; long ones and others keep theirs.
    #[test]
    fn verbatim_prefixes_are_dropped_when_short() {
        let plain = |s: &str| {
            plain_native(PathBuf::from(s))
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(plain(r"\\?\C:\data\a.npy"), r"C:\data\a.npy");
        assert_eq!(
            plain(r"\\?\UNC\server\share\a.npy"),
            r"\\server\share\a.npy"
        );
        assert_eq!(plain(r"\\?\Volume{x}\a.npy"), r"\\?\Volume{x}\a.npy");
        assert_eq!(plain(r"C:\data"), r"C:\data");
        let long = format!(r"\\?\C:\{}", "d".repeat(300));
        assert_eq!(plain(&long), long);
    }
}
