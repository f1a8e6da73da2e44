//! UTF-8 byte offsets to 1-based lines and columns, columns in Unicode code points.

/// Walks a text forward once: offsets must be asked in non-decreasing order, as
/// [`crate::Masker::scan`] returns its findings (sorted, never overlapping).
pub(super) struct Positions<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
    column: u64,
}

impl<'a> Positions<'a> {
    /// At the start of `text`: line 1, column 1.
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    /// The (line, column) of the character starting at byte `offset` (or of the end of
    /// the text). An offset before the last one asked gives the last position.
    pub(super) fn at(&mut self, offset: usize) -> (u64, u64) {
        let to = offset.min(self.bytes.len());
        for &b in self.bytes.get(self.offset..to).unwrap_or_default() {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                // Every byte but a continuation byte starts a code point.
                self.column += 1;
            }
        }
        self.offset = self.offset.max(to);
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::Positions;

    #[test]
    fn columns_count_code_points_and_lines_split_at_newline() {
        let text = "ab\né€😀x\r\ny";
        let mut p = Positions::new(text);
        assert_eq!(p.at(0), (1, 1));
        assert_eq!(p.at(3), (2, 1)); // é
        assert_eq!(p.at(5), (2, 2)); // € (é is 2 bytes)
        assert_eq!(p.at(8), (2, 3)); // 😀 (€ is 3 bytes)
        assert_eq!(p.at(12), (2, 4)); // x (😀 is 4 bytes, one code point)
        assert_eq!(p.at(15), (3, 1)); // y, after \r\n
        assert_eq!(p.at(16), (3, 2)); // the end
        assert_eq!(p.at(99), (3, 2));
    }
}
