//! `crypto.x509.parse_certificates` for policies: X.509 certificates (PEM, base64 PEM or
//! base64 DER, one or a chain) parsed with `x509-parser` into the objects OPA returns,
//! which are Go's `x509.Certificate` written as JSON.
//!
//! The fields policies read are there under Go's names: `Raw`, `Version`, `SerialNumber`,
//! `Subject` and `Issuer` (`CommonName`, `Country`, `Organization`, `OrganizationalUnit`,
//! `Locality`, `Province`, `StreetAddress`, `PostalCode`, `SerialNumber`, `Names`),
//! `NotBefore`, `NotAfter`, `KeyUsage`, `ExtKeyUsage`, `BasicConstraintsValid`, `IsCA`,
//! `MaxPathLen`, `SubjectKeyId`, `AuthorityKeyId`, `DNSNames`, `EmailAddresses`,
//! `IPAddresses`, `URIStrings`, `SignatureAlgorithm`, `PublicKeyAlgorithm`. Go's other
//! fields (the parsed public key, policies, CRL points, raw sub-structures) are not.

use super::{text, to_value, Builtin};
use anyhow::{anyhow, bail, Result};
use base64::Engine as _;
use serde_json::{json, Map, Value};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::x509::X509Name;

/// The `crypto.x509.*` builtins.
pub(super) const BUILTINS: &[(&str, u8, Builtin)] = &[("crypto.x509.parse_certificates", 1, |a| {
    to_value(&parse_certificates(text(a, 0)?)?)
})];

/// The DER certificates `text` holds: PEM, or base64 of PEM or of (concatenated) DER.
fn der_certificates(text: &str) -> Result<Vec<Vec<u8>>> {
    let trimmed = text.trim();
    let pem_or_der = if trimmed.starts_with("-----BEGIN") {
        trimmed.as_bytes().to_vec()
    } else {
        let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact.trim_end_matches('='))
            .or_else(|_| {
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(compact.trim_end_matches('='))
            })
            .map_err(|_| anyhow!("input is neither PEM nor base64"))?
    };
    if pem_or_der.starts_with(b"-----BEGIN") {
        let mut out = Vec::new();
        for block in x509_parser::pem::Pem::iter_from_buffer(&pem_or_der) {
            let block = block.map_err(|e| anyhow!("PEM: {e}"))?;
            if block.label == "CERTIFICATE" {
                out.push(block.contents);
            }
        }
        if out.is_empty() {
            bail!("no CERTIFICATE block in PEM input");
        }
        return Ok(out);
    }
    // Concatenated DER: each certificate is one SEQUENCE.
    let mut out = Vec::new();
    let mut rest: &[u8] = &pem_or_der;
    while !rest.is_empty() {
        let (next, _) = x509_parser::parse_x509_certificate(rest)
            .map_err(|e| anyhow!("DER certificate {}: {e}", out.len() + 1))?;
        out.push(rest[..rest.len() - next.len()].to_vec());
        rest = next;
    }
    Ok(out)
}

/// `crypto.x509.parse_certificates(certs)`: one object per certificate.
fn parse_certificates(text: &str) -> Result<Value> {
    let ders = der_certificates(text)?;
    if ders.is_empty() {
        bail!("no certificates in input");
    }
    let mut out = Vec::with_capacity(ders.len());
    for der in &ders {
        let (_, cert) =
            x509_parser::parse_x509_certificate(der).map_err(|e| anyhow!("certificate: {e}"))?;
        out.push(certificate(der, &cert)?);
    }
    Ok(Value::Array(out))
}

fn b64(bytes: &[u8]) -> Value {
    Value::from(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Go writes an empty slice as `null`.
fn list(items: Vec<Value>) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    }
}

fn rfc3339(timestamp: i64) -> Result<Value> {
    let time = time::OffsetDateTime::from_unix_timestamp(timestamp)?;
    Ok(Value::from(
        time.format(&time::format_description::well_known::Rfc3339)?,
    ))
}

type Attribute<'a> = x509_parser::x509::AttributeTypeAndValue<'a>;

/// Every string value of `attributes` (`null` for none, as Go writes an empty slice).
fn strings<'a>(attributes: impl Iterator<Item = &'a Attribute<'a>>) -> Value {
    list(
        attributes
            .filter_map(|a| a.as_str().ok())
            .map(Value::from)
            .collect(),
    )
}

/// The first string value of `attributes`, or "".
fn first<'a>(mut attributes: impl Iterator<Item = &'a Attribute<'a>>) -> String {
    attributes
        .find_map(|a| a.as_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn name(name: &X509Name<'_>) -> Value {
    let serial_oid = x509_parser::oid_registry::OID_X509_SERIALNUMBER;
    let street_oid = x509_parser::der_parser::oid!(2.5.4 .9);
    let postal_oid = x509_parser::der_parser::oid!(2.5.4 .17);
    let names: Vec<Value> = name
        .iter_attributes()
        .map(|a| {
            let arcs: Vec<Value> = a
                .attr_type()
                .iter()
                .map(|arcs| arcs.map(Value::from).collect())
                .unwrap_or_default();
            json!({"Type": arcs, "Value": a.as_str().unwrap_or_default()})
        })
        .collect();
    json!({
        "Country": strings(name.iter_country()),
        "Organization": strings(name.iter_organization()),
        "OrganizationalUnit": strings(name.iter_organizational_unit()),
        "Locality": strings(name.iter_locality()),
        "Province": strings(name.iter_state_or_province()),
        "StreetAddress": strings(name.iter_by_oid(&street_oid)),
        "PostalCode": strings(name.iter_by_oid(&postal_oid)),
        "SerialNumber": first(name.iter_by_oid(&serial_oid)),
        "CommonName": first(name.iter_common_name()),
        "Names": list(names),
        "ExtraNames": null,
    })
}

/// Go's `x509.SignatureAlgorithm` number for a signature OID (0: unknown).
fn signature_algorithm(oid: &str) -> u8 {
    match oid {
        "1.2.840.113549.1.1.4" => 2,
        "1.2.840.113549.1.1.5" => 3,
        "1.2.840.113549.1.1.11" => 4,
        "1.2.840.113549.1.1.12" => 5,
        "1.2.840.113549.1.1.13" => 6,
        "1.2.840.10040.4.3" => 7,
        "2.16.840.1.101.3.4.3.2" => 8,
        "1.2.840.10045.4.1" => 9,
        "1.2.840.10045.4.3.2" => 10,
        "1.2.840.10045.4.3.3" => 11,
        "1.2.840.10045.4.3.4" => 12,
        "1.2.840.113549.1.1.10" => 13, // RSASSA-PSS; Go picks 13-15 by its hash
        "1.3.101.112" => 16,
        _ => 0,
    }
}

/// Go's `x509.PublicKeyAlgorithm` number for a key OID (0: unknown).
fn public_key_algorithm(oid: &str) -> u8 {
    match oid {
        "1.2.840.113549.1.1.1" => 1,
        "1.2.840.10040.4.1" => 2,
        "1.2.840.10045.2.1" => 3,
        "1.3.101.112" => 4,
        _ => 0,
    }
}

fn certificate(der: &[u8], cert: &X509Certificate<'_>) -> Result<Value> {
    let mut out = Map::new();
    out.insert("Raw".into(), b64(der));
    out.insert("Version".into(), json!(cert.version().0 + 1));
    let serial = cert.tbs_certificate.serial.clone();
    out.insert(
        "SerialNumber".into(),
        match u64::try_from(serial.clone()) {
            Ok(small) => json!(small),
            // Larger than a u64: the nearest double, as a JSON number like Go's big.Int.
            Err(_) => json!(serial.to_string().parse::<f64>().unwrap_or(f64::NAN)),
        },
    );
    out.insert("Subject".into(), name(cert.subject()));
    out.insert("Issuer".into(), name(cert.issuer()));
    out.insert(
        "NotBefore".into(),
        rfc3339(cert.validity().not_before.timestamp())?,
    );
    out.insert(
        "NotAfter".into(),
        rfc3339(cert.validity().not_after.timestamp())?,
    );
    out.insert(
        "SignatureAlgorithm".into(),
        json!(signature_algorithm(
            &cert.signature_algorithm.algorithm.to_id_string()
        )),
    );
    out.insert(
        "PublicKeyAlgorithm".into(),
        json!(public_key_algorithm(
            &cert.public_key().algorithm.algorithm.to_id_string()
        )),
    );
    let (mut key_usage, mut ext_key_usage) = (0u16, Vec::new());
    let (mut basic_valid, mut is_ca, mut max_path_len) = (false, false, 0i64);
    let (mut subject_key_id, mut authority_key_id) = (Value::Null, Value::Null);
    let (mut dns, mut emails, mut ips, mut uris) = (vec![], vec![], vec![], vec![]);
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::KeyUsage(usage) => key_usage = usage.flags,
            ParsedExtension::ExtendedKeyUsage(usage) => {
                let known = [
                    (usage.any, 0),
                    (usage.server_auth, 1),
                    (usage.client_auth, 2),
                    (usage.code_signing, 3),
                    (usage.email_protection, 4),
                    (usage.time_stamping, 8),
                    (usage.ocsp_signing, 9),
                ];
                ext_key_usage = known
                    .iter()
                    .filter(|(on, _)| *on)
                    .map(|(_, n)| json!(n))
                    .collect();
            }
            ParsedExtension::BasicConstraints(bc) => {
                basic_valid = true;
                is_ca = bc.ca;
                max_path_len = bc.path_len_constraint.map_or(-1, i64::from);
            }
            ParsedExtension::SubjectKeyIdentifier(id) => subject_key_id = b64(id.0),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                if let Some(id) = &aki.key_identifier {
                    authority_key_id = b64(id.0);
                }
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                for general in &san.general_names {
                    match general {
                        GeneralName::DNSName(n) => dns.push(json!(n)),
                        GeneralName::RFC822Name(e) => emails.push(json!(e)),
                        GeneralName::URI(u) => uris.push(json!(u)),
                        GeneralName::IPAddress(bytes) => {
                            if let Some(ip) = ip_text(bytes) {
                                ips.push(json!(ip));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out.insert("KeyUsage".into(), json!(key_usage));
    out.insert("ExtKeyUsage".into(), list(ext_key_usage));
    out.insert("BasicConstraintsValid".into(), json!(basic_valid));
    out.insert("IsCA".into(), json!(is_ca));
    out.insert("MaxPathLen".into(), json!(max_path_len));
    out.insert(
        "MaxPathLenZero".into(),
        json!(basic_valid && max_path_len == 0),
    );
    out.insert("SubjectKeyId".into(), subject_key_id);
    out.insert("AuthorityKeyId".into(), authority_key_id);
    out.insert("DNSNames".into(), list(dns));
    out.insert("EmailAddresses".into(), list(emails));
    out.insert("IPAddresses".into(), list(ips));
    out.insert("URIStrings".into(), list(uris));
    Ok(Value::Object(out))
}

fn ip_text(bytes: &[u8]) -> Option<String> {
    match bytes.len() {
        4 => Some(std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string()),
        16 => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            Some(std::net::Ipv6Addr::from(octets).to_string())
        }
        _ => None,
    }
}
