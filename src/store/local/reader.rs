//! A file store's version reader: the object's file, opened once. Every read of one
//! load, row read or map comes from that open file, so a concurrent replacement of
//! the object at its path (an overwriting put) is read as the old object or the new
//! one, whole, never as the new bytes under the old header.
//!
//! Ranges of one read that lie at most the store's merge gap apart are read by one
//! `pread` into a scratch buffer and copied out; a range alone is read straight into
//! its destination.

use super::read_file_at;
use crate::error::{Error, Result};
use crate::store::{Read, VersionReader};
use crate::transfer::Transfer;
use std::fs::File;
use std::ops::Range;
use std::path::PathBuf;

/// A merged read spans at most this many bytes, so its scratch buffer stays small.
const MAX_MERGED: u64 = 8 << 20;

/// One open file of a file store, with its size when it was opened.
#[derive(Debug)]
pub(super) struct FileReader {
    file: File,
    size: u64,
    /// The file's full path, for messages.
    shown: PathBuf,
    /// Ranges at most this far apart are read together.
    merge_gap: u64,
}

impl FileReader {
    /// A reader of `file` (at `shown`) merging ranges `merge_gap` apart, and its
    /// first `len` bytes (fewer when it is shorter).
    pub(super) fn open(
        file: File,
        shown: PathBuf,
        len: u64,
        merge_gap: u64,
    ) -> Result<(FileReader, Vec<u8>)> {
        let size = file
            .metadata()
            .map_err(|e| Error::io(&e, "cannot stat", shown.display()))?
            .len();
        let mut head = vec![0u8; len.min(size) as usize];
        read_file_at(&file, 0, &mut head, &shown)?;
        let reader = FileReader {
            file,
            size,
            shown,
            merge_gap,
        };
        Ok((reader, head))
    }
}

/// The groups of `ranges` (sorted by offset) that one read each fetches: neighbours
/// at most `gap` bytes apart, spanning at most `max_span` bytes (a range longer than
/// that alone), as index ranges into `ranges`.
fn merged(ranges: &[(u64, &mut [u8])], gap: u64, max_span: u64) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    let mut group_start = 0u64;
    let mut end = 0u64;
    for (i, (offset, buf)) in ranges.iter().enumerate() {
        let next_end = offset + buf.len() as u64;
        match groups.last_mut() {
            Some(g)
                if *offset >= end && offset - end <= gap && next_end - group_start <= max_span =>
            {
                g.end = i + 1;
            }
            _ => {
                groups.push(i..i + 1);
                group_start = *offset;
            }
        }
        end = next_end;
    }
    groups
}

impl VersionReader for FileReader {
    fn size(&self) -> u64 {
        self.size
    }

    fn etag(&self) -> Option<&str> {
        None
    }

    fn read(&self, ranges: &mut [(u64, &mut [u8])], transfer: Option<&Transfer>) -> Read<()> {
        if !ranges.is_sorted_by_key(|r| r.0) {
            ranges.sort_by_key(|r| r.0);
        }
        let mut scratch = Vec::new();
        for group in merged(ranges, self.merge_gap, MAX_MERGED) {
            let parts = &mut ranges[group];
            let useful: u64 = parts.iter().map(|(_, buf)| buf.len() as u64).sum();
            match parts {
                [(offset, buf)] => read_file_at(&self.file, *offset, buf, &self.shown)?,
                _ => {
                    let first = parts.first().map_or(0, |p| p.0);
                    let end = parts.last().map_or(0, |(o, b)| o + b.len() as u64);
                    scratch.resize((end - first) as usize, 0);
                    read_file_at(&self.file, first, &mut scratch, &self.shown)?;
                    for (offset, buf) in parts.iter_mut() {
                        let at = (*offset - first) as usize;
                        buf.copy_from_slice(&scratch[at..at + buf.len()]);
                    }
                }
            }
            if let Some(t) = transfer {
                t.add(useful);
                t.check()?; // a cancelled transfer stops between merged runs
            }
        }
        Ok(())
    }

    fn file(&self) -> Option<&File> {
        Some(&self.file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(spans: &[(u64, usize)], gap: u64, max: u64) -> Vec<Range<usize>> {
        let mut bufs: Vec<Vec<u8>> = spans.iter().map(|&(_, n)| vec![0; n]).collect();
        let ranges: Vec<(u64, &mut [u8])> = spans
            .iter()
            .zip(bufs.iter_mut())
            .map(|(&(o, _), b)| (o, &mut b[..]))
            .collect();
        merged(&ranges, gap, max)
    }

    #[test]
    fn neighbours_within_the_gap_and_the_span_merge() {
        let spans = [(0, 2), (10, 2), (20, 2), (100, 2)];
        assert_eq!(groups(&spans, 8, 1 << 20), [0..3, 3..4]);
        assert_eq!(groups(&spans, 7, 1 << 20), [0..1, 1..2, 2..3, 3..4]);
        assert_eq!(groups(&spans, 1000, 1 << 20), vec![0..4]);
        // The span cap starts a new group.
        assert_eq!(groups(&spans, 1000, 12), [0..2, 2..3, 3..4]);
        // Touching runs merge at gap 0; overlapping ones never do.
        assert_eq!(groups(&[(0, 4), (4, 4), (6, 4)], 0, 1 << 20), [0..2, 2..3]);
        assert_eq!(groups(&[], 8, 8), Vec::<Range<usize>>::new());
    }

    #[test]
    fn merged_and_lone_ranges_read_their_own_bytes_in_any_order() {
        let dir = std::env::temp_dir().join(format!("npystore-merge-{}", std::process::id()));
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(&dir, &data).unwrap();
        for gap in [0, 16, 1 << 20] {
            let file = File::open(&dir).unwrap();
            let (reader, head) = FileReader::open(file, dir.clone(), 4, gap).unwrap();
            assert_eq!(head, data[..4]);
            let (mut a, mut b, mut c) = ([0u8; 3], [0u8; 5], [0u8; 100]);
            let mut ranges: Vec<(u64, &mut [u8])> =
                vec![(4000, &mut c[..]), (7, &mut a[..]), (20, &mut b[..])];
            let t = Transfer::new();
            reader.read(&mut ranges, Some(&t)).unwrap();
            assert_eq!((a.as_slice(), b.as_slice()), (&data[7..10], &data[20..25]));
            assert_eq!(c.as_slice(), &data[4000..4100]);
            assert_eq!(t.done(), 108);
            let mut past = [0u8; 10];
            let Err(crate::store::Failure::Failed(e)) =
                reader.read(&mut [(4995, &mut past[..])], None)
            else {
                panic!("a read past the end must fail")
            };
            assert_eq!(e.kind(), crate::error::ErrorKind::Format);
        }
        std::fs::remove_file(&dir).unwrap();
    }
}
