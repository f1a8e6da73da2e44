//! `net.cidr_intersects`, `net.cidr_contains_matches` and `net.cidr_merge`, with Go's
//! `net.ParseCIDR` / `net.ParseIP` rules as OPA uses them: an IPv4-mapped IPv6 address
//! (`::ffff:a.b.c.d`) is the IPv4 address, and an IPv4 network never contains an IPv6
//! address (nor the reverse).

use super::{text, type_name, Builtin};
use anyhow::{anyhow, bail, Result};
use regorus::Value;
use std::net::IpAddr;

/// The `net.cidr_*` builtins regorus lacks.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[
    ("net.cidr_intersects", 2, cidr_intersects),
    ("net.cidr_contains_matches", 2, cidr_contains_matches),
    ("net.cidr_merge", 1, cidr_merge),
];

/// An address family and an address in it: IPv4 in the low 32 bits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Addr {
    v6: bool,
    bits: u128,
}

/// A network: its address (host bits as given) and prefix length.
#[derive(Clone, Copy, Debug)]
struct Net {
    addr: Addr,
    prefix: u32,
}

impl Addr {
    fn from_ip(ip: IpAddr) -> Addr {
        match ip {
            IpAddr::V4(v4) => Addr {
                v6: false,
                bits: u128::from(u32::from(v4)),
            },
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Addr::from_ip(IpAddr::V4(v4)),
                None => Addr {
                    v6: true,
                    bits: u128::from(v6),
                },
            },
        }
    }

    fn width(self) -> u32 {
        if self.v6 {
            128
        } else {
            32
        }
    }

    fn text(self) -> String {
        if self.v6 {
            std::net::Ipv6Addr::from(self.bits).to_string()
        } else {
            std::net::Ipv4Addr::from(self.bits as u32).to_string()
        }
    }
}

/// The host bits of a `prefix`-long network of `width` bits.
fn host_mask(width: u32, prefix: u32) -> u128 {
    let host = width - prefix;
    if host >= 128 {
        u128::MAX
    } else {
        (1u128 << host) - 1
    }
}

impl Net {
    fn first(self) -> u128 {
        self.addr.bits & !host_mask(self.addr.width(), self.prefix)
    }

    fn last(self) -> u128 {
        self.addr.bits | host_mask(self.addr.width(), self.prefix)
    }

    fn contains(self, addr: Addr) -> bool {
        addr.v6 == self.addr.v6 && addr.bits & !host_mask(addr.width(), self.prefix) == self.first()
    }

    fn text(self) -> String {
        format!("{}/{}", self.addr.text(), self.prefix)
    }
}

/// Go's `net.ParseIP`: an IPv4 or IPv6 address without a zone.
fn parse_ip(text: &str) -> Option<Addr> {
    text.parse::<IpAddr>().ok().map(Addr::from_ip)
}

/// Go's `net.ParseCIDR`: the network (host bits cleared) of `addr/prefix`.
fn parse_cidr(text: &str) -> Result<Net> {
    let invalid = || anyhow!("invalid CIDR address: {text}");
    let (ip, prefix) = text.split_once('/').ok_or_else(invalid)?;
    let ip: IpAddr = ip.parse().map_err(|_| invalid())?;
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let prefix: u32 = prefix.parse().map_err(|_| invalid())?;
    let (v6, width, bits) = match ip {
        IpAddr::V4(v4) => (false, 32, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, 128, u128::from(v6)),
    };
    if prefix > width {
        return Err(invalid());
    }
    let network = bits & !host_mask(width, prefix);
    // Go treats a network that lands in ::ffff:0:0/96 as the IPv4 network it maps.
    if v6 && network >> 32 == 0xffff && prefix >= 96 {
        return Ok(Net {
            addr: Addr {
                v6: false,
                bits: network & 0xffff_ffff,
            },
            prefix: prefix - 96,
        });
    }
    Ok(Net {
        addr: Addr { v6, bits: network },
        prefix,
    })
}

/// `net.cidr_intersects(a, b)`: whether either network holds the other's first address.
fn cidr_intersects(args: &[Value]) -> Result<Value> {
    let a = parse_cidr(text(args, 0)?)?;
    let b = parse_cidr(text(args, 1)?)?;
    let first = |n: Net| Addr {
        v6: n.addr.v6,
        bits: n.first(),
    };
    Ok(Value::Bool(a.contains(first(b)) || b.contains(first(a))))
}

/// OPA's `net.cidr_contains(cidr, cidr_or_ip)`.
fn contains(cidr: &str, inner: &str) -> Result<bool> {
    let outer = parse_cidr(cidr)?;
    if let Some(ip) = parse_ip(inner) {
        return Ok(outer.contains(ip));
    }
    let inner = parse_cidr(inner).map_err(|_| {
        anyhow!("not a valid textual representation of an IP address or CIDR: {inner}")
    })?;
    let at = |bits| Addr {
        v6: inner.addr.v6,
        bits,
    };
    Ok(outer.contains(at(inner.first())) && outer.contains(at(inner.last())))
}

/// The (cidr, key) pairs of a `net.cidr_contains_matches` operand: a string is its own
/// key; array elements are keyed by index, set elements by themselves and object values
/// by their keys. An element is a CIDR string or an array whose first item is one.
fn match_operand(operand: usize, value: &Value) -> Result<Vec<(Value, Value)>> {
    let cidr = |element: &Value| -> Result<Value> {
        match element {
            Value::String(_) => Ok(element.clone()),
            Value::Array(items) if !items.is_empty() => Ok(items.as_slice()[0].clone()),
            _ => bail!("operand {operand}: element must be string or non-empty array"),
        }
    };
    Ok(match value {
        Value::String(_) => vec![(value.clone(), value.clone())],
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, e)| Ok((cidr(e)?, Value::from(i))))
            .collect::<Result<_>>()?,
        Value::Set(items) => items
            .iter()
            .map(|e| Ok((cidr(e)?, e.clone())))
            .collect::<Result<_>>()?,
        Value::Object(fields) => fields
            .iter()
            .map(|(k, e)| Ok((cidr(e)?, k.clone())))
            .collect::<Result<_>>()?,
        _ => Vec::new(),
    })
}

/// `net.cidr_contains_matches(cidrs, cidrs_or_ips)`: the set of `[key1, key2]` pairs
/// whose first CIDR contains the second CIDR or IP.
fn cidr_contains_matches(args: &[Value]) -> Result<Value> {
    let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
        bail!("net.cidr_contains_matches takes 2 operands");
    };
    let inner = match_operand(2, b)?;
    let mut out = std::collections::BTreeSet::new();
    for (cidr, key) in match_operand(1, a)? {
        for (candidate, candidate_key) in &inner {
            let both = [cidr.clone(), candidate.clone()];
            if contains(text(&both, 0)?, text(&both, 1)?)? {
                out.insert(Value::from(vec![key.clone(), candidate_key.clone()]));
            }
        }
    }
    Ok(Value::from(out))
}

/// A merge input: an IPv4 address alone stands for its classful network (Go's
/// `IP.DefaultMask`, as OPA does), written back unmasked when nothing merges with it.
fn merge_input(element: &Value) -> Result<Net> {
    let Value::String(text) = element else {
        bail!("element must be string");
    };
    match parse_ip(text) {
        None => parse_cidr(text),
        Some(addr) if addr.v6 => bail!("IPv6 invalid: needs prefix length"),
        Some(addr) => {
            let prefix = match addr.bits >> 24 {
                0..=127 => 8,
                128..=191 => 16,
                _ => 24,
            };
            Ok(Net { addr, prefix })
        }
    }
}

/// IPv4 addresses inside IPv6's `::ffff:0:0/96`, where OPA's merge places them: so
/// `::/0` absorbs every IPv4 network, as in OPA.
const V4_MAPPED: u128 = 0xffff << 32;

/// `net`'s first and last address in the 128-bit space IPv4 is mapped into.
fn mapped_range(net: Net) -> (u128, u128) {
    if net.addr.v6 {
        (net.first(), net.last())
    } else {
        (V4_MAPPED | net.first(), V4_MAPPED | net.last())
    }
}

/// A 128-bit network, written as IPv4 when it lies in the mapped range.
fn mapped_text(bits: u128, prefix: u32) -> String {
    let net = if prefix >= 96 && bits >> 32 == 0xffff {
        Net {
            addr: Addr {
                v6: false,
                bits: bits & 0xffff_ffff,
            },
            prefix: prefix - 96,
        }
    } else {
        Net {
            addr: Addr { v6: true, bits },
            prefix,
        }
    };
    net.text()
}

/// The fewest CIDRs that cover `first..=last` (128-bit, IPv4 mapped).
fn range_cidrs(mut first: u128, last: u128, out: &mut Vec<String>) {
    loop {
        let prefix = (0..=128)
            .find(|&p| {
                let host = host_mask(128, p);
                first & host == 0 && first | host <= last
            })
            .unwrap_or(128);
        out.push(mapped_text(first, prefix));
        match (first | host_mask(128, prefix)).checked_add(1) {
            Some(next) if next <= last => first = next,
            _ => return,
        }
    }
}

/// `net.cidr_merge(addrs)`: the smallest set of CIDRs covering the given networks and
/// addresses (adjacent and overlapping ones merged, duplicates removed).
fn cidr_merge(args: &[Value]) -> Result<Value> {
    let elements: Vec<&Value> = match args.first() {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(Value::Set(items)) => items.iter().collect(),
        Some(other) => bail!(
            "operand 1 must be one of {{array, set}} but got {}",
            type_name(other)
        ),
        None => bail!("missing operand 1"),
    };
    let mut nets = Vec::with_capacity(elements.len());
    let mut out = Vec::new();
    for element in elements {
        let net = merge_input(element)?;
        // OPA's merge mis-sizes an IPv4 network written in IPv6 form (`::ffff:a.b.c.d/n`:
        // its range gets 28 bytes), so such a network never merges with another.
        if matches!(element, Value::String(s) if s.contains(':')) && !net.addr.v6 {
            out.push(net.text());
        } else {
            nets.push(net);
        }
    }
    nets.sort_by_key(|&n| mapped_range(n));
    // Union the ranges; a range made of one input keeps that input's text.
    let mut merged: Vec<(Net, u128, u128, bool)> = Vec::new();
    for net in nets {
        let (first, last) = mapped_range(net);
        match merged.last_mut() {
            Some((_, _, end, alone)) if end.checked_add(1).is_none_or(|next| next >= first) => {
                *end = (*end).max(last);
                *alone = false;
            }
            _ => merged.push((net, first, last, true)),
        }
    }
    for (net, first, last, alone) in merged {
        if alone {
            out.push(net.text());
        } else {
            range_cidrs(first, last, &mut out);
        }
    }
    Ok(Value::from(
        out.into_iter()
            .map(Value::from)
            .collect::<std::collections::BTreeSet<_>>(),
    ))
}
