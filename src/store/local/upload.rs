//! Streaming uploads to file stores: a new object written front to back whose first
//! bytes (the `.npy` header) are only known at the end. A temporary file beside the
//! target (`<name>.<random>.npystore-tmp`, see [`temp_name_for`]), the head rewritten
//! in place at the end, then published exactly as a put publishes (`Dir::publish`:
//! rename, or a publish that never replaces when not overwriting). Nothing is visible at the final path until
//! [`Upload::finish`]; an abort, a failure or a drop leaves nothing behind.

use super::beneath::Dir;
use super::positioned::write_all_at;
use super::temp_name_for;
use crate::error::{Error, ErrorKind, Result};
use crate::store::backend::{Upload, UploadOptions, WriteOptions};
use std::fs::File;
use std::io::{BufWriter, Write};

/// Bytes a file upload buffers before writing to its file.
const FILE_BUFFER: usize = 1 << 20;

/// The `State` error of a call on an upload already finished or aborted.
fn closed(dir: &Dir, name: &str) -> Error {
    Error::new(
        ErrorKind::State,
        format!("the upload to {} is closed", dir.show(name).display()),
    )
}

/// A streaming write into a temporary file beside the target.
#[derive(Debug)]
pub(crate) struct FileUpload {
    /// The verified directory of the target.
    dir: Dir,
    /// The target's name in `dir`.
    name: String,
    /// The temporary file's name in `dir`.
    temp: String,
    /// `None` once finished or aborted.
    file: Option<BufWriter<File>>,
    options: WriteOptions,
}

impl FileUpload {
    /// Create the temporary file beside `name` in `dir` and write `head` into it.
    pub(crate) fn begin(dir: Dir, name: &str, head: &[u8], options: UploadOptions) -> Result<Self> {
        let temp = temp_name_for(name);
        let file = dir.create_new(&temp)?;
        let mut upload = FileUpload {
            dir,
            name: name.to_string(),
            temp,
            file: Some(BufWriter::with_capacity(FILE_BUFFER, file)),
            options: options.write,
        };
        upload.write(head)?;
        Ok(upload)
    }

    fn publish(&mut self, head: &[u8]) -> Result<()> {
        let Some(buffered) = self.file.take() else {
            return Err(closed(&self.dir, &self.name));
        };
        let io = |what: &str| {
            let temp = self.dir.show(&self.temp).display().to_string();
            let what = what.to_string();
            move |e: std::io::Error| Error::io(&e, &what, temp)
        };
        let file = buffered
            .into_inner()
            .map_err(|e| io("cannot write")(e.into_error()))?;
        write_all_at(&file, head, 0).map_err(io("cannot write"))?;
        if self.options.fsync {
            file.sync_all().map_err(io("cannot fsync"))?;
        }
        drop(file);
        self.dir
            .publish(&self.temp, &self.name, self.options.overwrite)?;
        if self.options.fsync {
            self.dir.sync()?;
        }
        Ok(())
    }
}

impl Upload for FileUpload {
    fn write(&mut self, data: &[u8]) -> Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(closed(&self.dir, &self.name));
        };
        file.write_all(data)
            .map_err(|e| Error::io(&e, "cannot write", self.dir.show(&self.temp).display()))
    }

    fn finish(&mut self, head: &[u8]) -> Result<Option<String>> {
        let published = self.publish(head);
        if published.is_err() {
            let _ = self.dir.remove(&self.temp);
        }
        published.map(|()| None)
    }

    fn abort(&mut self) -> Result<()> {
        let Some(buffered) = self.file.take() else {
            return Ok(());
        };
        drop(buffered.into_parts()); // the buffered bytes are discarded, not written
        match self.dir.remove(&self.temp) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

impl Drop for FileUpload {
    fn drop(&mut self) {
        let _ = self.abort();
    }
}
