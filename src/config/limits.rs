//! What S3 accepts of a multipart upload (GCS's multipart API has the same limits;
//! Azure allows more blocks). The store settings are validated against these here in
//! `config`, and `store/object` splits uploads by them; they live in the lower of the
//! two layers so that both import them downwards.

/// The most parts one multipart upload may have.
pub(crate) const MAX_PARTS: usize = 10_000;
/// The smallest part S3 accepts (every part but the last).
pub(crate) const MIN_PART_SIZE: u64 = 5 << 20;
/// The largest part S3 accepts.
pub(crate) const MAX_PART_SIZE: u64 = 5 << 30;
