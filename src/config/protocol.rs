//! The protocols a store may name, and their names in `datajoint.json`.

/// Where a store keeps its objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// A local or mounted directory (`location`).
    File,
    /// Amazon S3 or an S3-compatible server.
    S3,
    /// Google Cloud Storage.
    Gcs,
    /// Azure Blob Storage.
    Azure,
    /// npystore extension for tests: an in-memory store, gone when the process ends;
    /// `location` optional. DataJoint does not know it (it reports an unknown protocol).
    Memory,
}

impl Protocol {
    /// Every protocol npystore supports, in the order messages list them.
    pub const ALL: [Protocol; 5] = [
        Protocol::File,
        Protocol::S3,
        Protocol::Gcs,
        Protocol::Azure,
        Protocol::Memory,
    ];

    /// The name used in `datajoint.json`: `file`, `s3`, `gcs`, `azure`, `memory`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::File => "file",
            Protocol::S3 => "s3",
            Protocol::Gcs => "gcs",
            Protocol::Azure => "azure",
            Protocol::Memory => "memory",
        }
    }

    /// The protocol named `s` (exact lowercase name), if any.
    pub fn parse(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }
}
