//! `crypto.md5` / `sha1` / `sha256` and `crypto.hmac.*`: hex digests of a string.

use super::{hex, text, Builtin};
use anyhow::{anyhow, Result};
use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::KeyInit;
use hmac::{Mac, SimpleHmac};
use regorus::Value;
use sha2::Digest;

/// The digest and HMAC builtins.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[
    ("crypto.md5", 1, |a| Ok(hex(&md5::Md5::digest(text(a, 0)?)))),
    ("crypto.sha1", 1, |a| {
        Ok(hex(&sha1::Sha1::digest(text(a, 0)?)))
    }),
    ("crypto.sha256", 1, |a| {
        Ok(hex(&sha2::Sha256::digest(text(a, 0)?)))
    }),
    ("crypto.hmac.md5", 2, |a| hmac_hex::<md5::Md5>(a)),
    ("crypto.hmac.sha1", 2, |a| hmac_hex::<sha1::Sha1>(a)),
    ("crypto.hmac.sha256", 2, |a| hmac_hex::<sha2::Sha256>(a)),
    ("crypto.hmac.sha512", 2, |a| hmac_hex::<sha2::Sha512>(a)),
    ("crypto.hmac.equal", 2, hmac_equal),
];

fn hmac_hex<D: Digest + BlockSizeUser>(args: &[Value]) -> Result<Value> {
    let mut mac = <SimpleHmac<D> as KeyInit>::new_from_slice(text(args, 1)?.as_bytes())
        .map_err(|e| anyhow!("{e}"))?;
    mac.update(text(args, 0)?.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()))
}

fn hmac_equal(args: &[Value]) -> Result<Value> {
    let (a, b) = (text(args, 0)?.as_bytes(), text(args, 1)?.as_bytes());
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    Ok(Value::Bool(same))
}
