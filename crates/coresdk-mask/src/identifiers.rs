//! Validators for identifiers with checksums or number rules: MAC addresses, US ITINs,
//! Ethereum addresses (EIP-55 mixed-case checksum) and Bitcoin addresses (base58check
//! P2PKH/P2SH, bech32/bech32m segwit). Same contract as validate.rs: the whole text and a
//! raw match in, the span to report or `None` out.

use super::boundary::{number_ends_alone, number_starts_alone, word_after, word_before};
use super::validate::Span;
use sha2::Digest;

/// MAC address: six hex pairs with one kind of separator (`:` or `-`), or Cisco's three
/// dotted groups of four (`00a0.c912.3456`, with at least one hex letter so dotted build
/// numbers such as `2026.1122.0001` stay), standing alone (not part of a longer run), and
/// not the all-zero or broadcast address.
pub(crate) fn mac_address(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let m = t.get(s..e)?;
    let (separator, cuts): (u8, &[usize]) = match m.len() {
        17 => (m[2], &[2, 5, 8, 11, 14]),
        14 => (b'.', &[4, 9]),
        _ => return None,
    };
    if !cuts.iter().all(|&i| m[i] == separator) {
        return None;
    }
    if separator == b'.' && !m.iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    let glued = |i: Option<&u8>| i.is_some_and(|&b| b.is_ascii_hexdigit() || b == separator);
    if glued(s.checked_sub(1).and_then(|i| t.get(i))) || glued(t.get(e)) {
        return None;
    }
    if word_before(t, s) || word_after(t, e) {
        return None;
    }
    let digits: Vec<u8> = m.iter().copied().filter(u8::is_ascii_hexdigit).collect();
    let special =
        digits.iter().all(|&b| b == b'0') || digits.iter().all(|&b| b == b'f' || b == b'F');
    (!special).then_some((s, e))
}

/// US ITIN: `9XX-GG-SSSS` with a group in 50-65, 70-88, 90-92 or 94-99 (IRS ranges).
pub(crate) fn us_itin(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let m = t.get(s..e).filter(|m| m.len() == 11 && m[0] == b'9')?;
    let group = u32::from(m[4] - b'0') * 10 + u32::from(m[5] - b'0');
    let valid_group = matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99);
    (m[3] == m[6] && valid_group && number_starts_alone(t, s) && number_ends_alone(t, e))
        .then_some((s, e))
}

/// Ethereum address: `0x` + 40 hex digits, standing alone; a mixed-case address must
/// carry a valid EIP-55 checksum (all lower or all upper case carries none).
pub(crate) fn ethereum_address(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    let hex = t.get(s + 2..e).filter(|h| h.len() == 40)?;
    if word_before(t, s) || word_after(t, e) {
        return None;
    }
    let has_lower = hex.iter().any(u8::is_ascii_lowercase);
    let has_upper = hex.iter().any(u8::is_ascii_uppercase);
    if !(has_lower && has_upper) {
        return Some((s, e));
    }
    let lower = hex.to_ascii_lowercase();
    let digest = sha3::Keccak256::digest(&lower);
    let checksum_ok = hex.iter().enumerate().all(|(i, &c)| {
        let nibble = (digest[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0xf;
        !c.is_ascii_alphabetic() || c.is_ascii_uppercase() == (nibble >= 8)
    });
    checksum_ok.then_some((s, e))
}

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Bitcoin base58check address (P2PKH `1...`, P2SH `3...`): decodes to 25 bytes, version
/// 0x00 or 0x05, and the last 4 bytes are the double SHA-256 checksum.
pub(crate) fn bitcoin_base58(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    if word_before(t, s) || word_after(t, e) {
        return None;
    }
    let mut bytes = [0u8; 25];
    for &c in t.get(s..e)? {
        let mut carry = BASE58.iter().position(|&b| b == c)? as u32;
        for byte in bytes.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return None;
        }
    }
    let check = sha2::Sha256::digest(sha2::Sha256::digest(&bytes[..21]));
    (matches!(bytes[0], 0x00 | 0x05) && check[..4] == bytes[21..]).then_some((s, e))
}

const BECH32: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// Bitcoin bech32 / bech32m segwit address (`bc1...`, lowercase): a valid checksum for the
/// `bc` prefix (BIP 173 constant 1 for witness version 0, BIP 350 constant for 1-16).
pub(crate) fn bitcoin_bech32(text: &str, s: usize, e: usize) -> Option<Span> {
    let t = text.as_bytes();
    if word_before(t, s) || word_after(t, e) {
        return None;
    }
    let data: Vec<u8> = t
        .get(s + 3..e)?
        .iter()
        .map(|&c| BECH32.iter().position(|&b| b == c).map(|p| p as u8))
        .collect::<Option<_>>()?;
    let (&version, _) = data.split_first()?;
    let mut values: Vec<u8> = b"bc".iter().map(|c| c >> 5).collect();
    values.push(0);
    values.extend(b"bc".iter().map(|c| c & 31));
    values.extend(&data);
    let expected = if version == 0 { 1 } else { 0x2bc8_30a3 };
    (data.len() >= 8 && version <= 16 && polymod(&values) == expected).then_some((s, e))
}

fn polymod(values: &[u8]) -> u32 {
    const GENERATOR: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    values.iter().fold(1u32, |chk, &v| {
        let top = chk >> 25;
        let mut chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GENERATOR.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
        chk
    })
}
