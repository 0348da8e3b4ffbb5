//! Positioned reads and writes: at an offset, without a shared file cursor, so
//! several threads can read or write one open file at once.
//!
//! Unix has `pread`/`pwrite` (`FileExt::read_exact_at`/`write_all_at`). Windows has
//! `ReadFile`/`WriteFile` with an offset (`FileExt::seek_read`/`seek_write`), which
//! may move fewer bytes than asked and also move the handle's cursor. Nothing in
//! the file store relies on that cursor after a positioned call (uploads write
//! sequentially first, then rewrite the head at offset 0 last), so the loops below
//! give the same contract on both: all of `buf`, or an error (`UnexpectedEof` for a
//! read past the end).

use std::fs::File;
use std::io;

/// Fill `buf` from `file` at `offset`; `UnexpectedEof` when the file ends first.
#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Write all of `data` to `file` at `offset`.
#[cfg(unix)]
pub(super) fn write_all_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, data, offset)
}

/// Fill `buf` from `file` at `offset`, one `seek_read` after another;
/// `UnexpectedEof` when the file ends first (std reports `ERROR_HANDLE_EOF` as a
/// read of 0 bytes).
#[cfg(windows)]
pub(super) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Write all of `data` to `file` at `offset`, one `seek_write` after another.
#[cfg(windows)]
pub(super) fn write_all_at(file: &File, mut data: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !data.is_empty() {
        match file.seek_write(data, offset) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => {
                data = &data[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes land at their offsets, reads give them back, a read past the end is
    /// `UnexpectedEof`: the contract both platforms' loops keep.
    #[test]
    fn positioned_round_trip() {
        let path = std::env::temp_dir().join(format!("npystore-pio-{}", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        write_all_at(&file, b"world", 6).unwrap();
        write_all_at(&file, b"hello ", 0).unwrap();
        let mut buf = [0u8; 11];
        read_exact_at(&file, &mut buf, 0).unwrap();
        assert_eq!(&buf, b"hello world");
        let mut tail = [0u8; 4];
        let err = read_exact_at(&file, &mut tail, 9).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        drop(file);
        std::fs::remove_file(&path).unwrap();
    }
}
