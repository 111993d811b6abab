//! 1-based lines and columns (in characters) of byte offsets of a plain `str`, as the command line
//! and the exports print them (the server's positions are in `line_index`, over a rope).

/// Line starts of the source, for 1-based line and column (in characters) of byte offsets.
pub struct TextLines {
    starts: Vec<usize>,
}

impl TextLines {
    pub fn new(text: &str) -> TextLines {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (index, byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' => starts.push(index + 1),
                b'\r' if bytes.get(index + 1) != Some(&b'\n') => starts.push(index + 1),
                _ => {}
            }
        }
        TextLines { starts }
    }

    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|start| *start <= offset).max(1) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..offset.min(text.len()))
            .map_or(0, |head| head.chars().count());
        (line + 1, column + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_from_one() {
        let text = "ab\nçd\r\nx";
        let lines = TextLines::new(text);
        assert_eq!(lines.position(text, 0), (1, 1));
        assert_eq!(lines.position(text, 3), (2, 1));
        assert_eq!(lines.position(text, 5), (2, 2));
        assert_eq!(lines.position(text, 8), (3, 1));
    }
}
