//! Numbering plans for validating E.164 phone numbers per region: the country code (the
//! ITU assigns them as a prefix code, so at most one of the 1-, 2- and 3-digit prefixes is
//! assigned) and the length of the national significant number (NSN) that follows it.
//! A number whose country is in the table must have an NSN length its plan allows (and,
//! for North America, an area code starting 2-9); other assigned countries keep the
//! E.164 bounds alone. A leading `0` is never a country code.

/// (country code, shortest NSN, longest NSN), from the ITU-T E.164 national numbering
/// plan notes. Ranges are kept wide where a plan mixes landline and mobile lengths.
const PLANS: &[(&str, usize, usize)] = &[
    ("1", 10, 10),  // NANP: US, Canada, Caribbean
    ("7", 10, 10),  // Russia, Kazakhstan
    ("20", 8, 10),  // Egypt
    ("27", 9, 9),   // South Africa
    ("30", 10, 10), // Greece
    ("31", 9, 9),   // Netherlands
    ("32", 8, 9),   // Belgium
    ("33", 9, 9),   // France
    ("34", 9, 9),   // Spain
    ("36", 8, 9),   // Hungary
    ("39", 6, 11),  // Italy
    ("40", 9, 9),   // Romania
    ("41", 9, 9),   // Switzerland
    ("43", 4, 13),  // Austria
    ("44", 9, 10),  // United Kingdom
    ("45", 8, 8),   // Denmark
    ("46", 7, 13),  // Sweden
    ("47", 8, 8),   // Norway
    ("48", 9, 9),   // Poland
    ("49", 6, 13),  // Germany
    ("52", 10, 10), // Mexico
    ("54", 10, 11), // Argentina
    ("55", 10, 11), // Brazil
    ("61", 9, 9),   // Australia
    ("62", 8, 12),  // Indonesia
    ("63", 8, 10),  // Philippines
    ("64", 8, 10),  // New Zealand
    ("65", 8, 8),   // Singapore
    ("81", 9, 10),  // Japan
    ("82", 8, 10),  // South Korea
    ("86", 9, 11),  // China
    ("90", 10, 10), // Turkey
    ("91", 10, 10), // India
    ("234", 8, 10), // Nigeria
    ("351", 9, 9),  // Portugal
    ("353", 7, 9),  // Ireland
    ("358", 5, 12), // Finland
    ("380", 9, 9),  // Ukraine
    ("420", 9, 9),  // Czechia
    ("852", 8, 8),  // Hong Kong
    ("886", 8, 9),  // Taiwan
    ("966", 9, 9),  // Saudi Arabia
    ("971", 8, 9),  // United Arab Emirates
    ("972", 8, 9),  // Israel
];

/// Whether `digits` (ASCII digits after the `+`, a `(0)` trunk prefix left out) fit the
/// numbering plan of their country: 9 to 15 digits in all (E.164), and the NSN length of
/// a country in [`PLANS`].
pub(crate) fn fits_plan(digits: &[u8]) -> bool {
    if !(9..=15).contains(&digits.len()) || digits[0] == b'0' {
        return false;
    }
    let plan = (1..=3).find_map(|n| {
        let code = digits.get(..n)?;
        PLANS.iter().find(|(cc, _, _)| cc.as_bytes() == code)
    });
    let Some((code, shortest, longest)) = plan else {
        return true;
    };
    let nsn = &digits[code.len()..];
    let area_ok = *code != "1" || nsn[0] >= b'2';
    (*shortest..=*longest).contains(&nsn.len()) && area_ok
}

#[cfg(test)]
mod tests {
    use super::fits_plan;

    #[test]
    fn plans_by_country() {
        for ok in [
            "12125550123",
            "442079460958",
            "4915112345678",
            "33123456789",
            "81312345678",
            "919876543210",
            "61412345678",
            "861012345678",
            "3531234567",
            "2348031234567",
        ] {
            assert!(fits_plan(ok.as_bytes()), "{ok}");
        }
        // UK NSN of 11, French NSN of 8, NANP area code 0xx, Indian NSN of 9, a leading 0.
        for bad in [
            "4420794609581",
            "3312345678",
            "10551234567",
            "91987654321",
            "0441234567890",
        ] {
            assert!(!fits_plan(bad.as_bytes()), "{bad}");
        }
        // A country not in the table keeps the E.164 bounds alone (Luxembourg).
        assert!(fits_plan(b"352123456789"));
    }
}
