//! The random token in an object's file name (DataJoint's `generate_token`).

/// The 64 characters a token is drawn from: `A-Z a-z 0-9 - _`.
pub const TOKEN_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The token length DataJoint actually uses for a configured `token_length`: clamped to 4..=16.
pub fn clamp_token_length(len: i64) -> usize {
    len.clamp(4, 16) as usize
}

/// A fresh random token of `len` characters (clamped to 4..=16) from the OS random source.
///
/// Each byte of OS randomness picks one of the 64 [`TOKEN_ALPHABET`] characters, so every
/// character is uniform. Panics only if the operating system cannot supply randomness.
pub fn random_token(len: usize) -> String {
    let len = clamp_token_length(len.min(i64::MAX as usize) as i64);
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes[..len]).expect("the operating system random source failed");
    bytes[..len]
        .iter()
        .map(|b| TOKEN_ALPHABET[(b & 63) as usize] as char)
        .collect()
}

/// Whether `token` could have come from [`random_token`] (non-empty, alphabet only).
pub(crate) fn is_token(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| TOKEN_ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_clamped_and_chars_are_from_the_alphabet() {
        for (asked, got) in [
            (0, 4),
            (1, 4),
            (4, 4),
            (8, 8),
            (16, 16),
            (40, 16),
            (usize::MAX, 16),
        ] {
            let t = random_token(asked);
            assert_eq!(t.len(), got);
            assert!(is_token(&t), "{t}");
        }
        assert_ne!(random_token(16), random_token(16));
        assert_eq!(clamp_token_length(-3), 4);
    }
}
