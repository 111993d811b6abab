//! The offset map from prose bytes to source bytes, and the builder that writes prose and map together.
//!
//! A paragraph's prose is a sequence of pieces. Each piece covers a contiguous run of prose bytes and says
//! where those bytes came from:
//!
//! - `Verbatim`: the prose bytes equal the source bytes (an identity shift).
//! - `Atomic`: the prose was produced from a source construct (`&alpha;` → `α`, `\"o` → `ö`, `--` → `–`);
//!   any prose offset inside it maps to the whole source range.
//! - `Synthetic`: inserted by the extractor (a space for a removed construct, the `1` placeholder of
//!   `\ref`); its source range is empty, at the insertion point.
//!
//! The builder never emits a space directly. Whitespace and removed constructs only set a *pending*
//! space, which becomes one space before the next kept character when that reads naturally (not at the
//! start, not twice, not after an opening bracket, not before closing punctuation).

use std::ops::Range;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Where a run of prose bytes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PieceKind {
    /// The prose bytes equal the source bytes.
    Verbatim,
    /// The prose was produced from the whole source range (entity, accent command, dash, inline math).
    Atomic,
    /// Inserted by the extractor; the source range is empty.
    Synthetic,
}

/// One run of prose bytes and the source bytes it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub prose: Range<usize>,
    pub source: Range<usize>,
    pub kind: PieceKind,
}

/// Prose bytes to source bytes: sorted pieces that are contiguous in prose.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffsetMap {
    pieces: Vec<Piece>,
}

impl OffsetMap {
    /// The pieces, sorted by prose offset, contiguous and covering the whole prose string.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Moves every piece's source range by `delta` bytes (the source text before it grew or
    /// shrank).
    pub(crate) fn shift_source(&mut self, delta: isize) {
        for piece in &mut self.pieces {
            piece.source = ((piece.source.start as isize + delta) as usize)
                ..((piece.source.end as isize + delta) as usize);
        }
    }

    /// The piece that contains the prose byte `offset`.
    pub fn piece_at(&self, offset: usize) -> Option<&Piece> {
        let index = self
            .pieces
            .partition_point(|piece| piece.prose.end <= offset);
        self.pieces
            .get(index)
            .filter(|piece| piece.prose.start <= offset && offset < piece.prose.end)
    }

    /// Maps a prose byte range to the covering source byte range.
    ///
    /// Synthetic pieces and whitespace at either end are trimmed first, so an entity that touches an
    /// inserted space or the `\ref` placeholder still lands on real source characters. Returns `None`
    /// when nothing real is left, or when the range is not a valid range of char boundaries of `prose`.
    pub fn to_source(&self, prose: &str, range: Range<usize>) -> Option<Range<usize>> {
        if range.start > range.end
            || range.end > prose.len()
            || !prose.is_char_boundary(range.start)
            || !prose.is_char_boundary(range.end)
        {
            return None;
        }
        let (mut start, mut end) = (range.start, range.end);
        while start < end {
            let piece = self.piece_at(start)?;
            if piece.kind == PieceKind::Synthetic {
                start = piece.prose.end.min(end);
                continue;
            }
            let character = prose[start..].chars().next()?;
            if !character.is_whitespace() {
                break;
            }
            start += character.len_utf8();
        }
        while start < end {
            let piece = self.piece_at(end - 1)?;
            if piece.kind == PieceKind::Synthetic {
                end = piece.prose.start.max(start);
                continue;
            }
            let character = prose[..end].chars().next_back()?;
            if !character.is_whitespace() {
                break;
            }
            end -= character.len_utf8();
        }
        if start >= end {
            return None;
        }
        let first = self.piece_at(start)?;
        let source_start = match first.kind {
            PieceKind::Verbatim => first.source.start + (start - first.prose.start),
            PieceKind::Atomic | PieceKind::Synthetic => first.source.start,
        };
        let last = self.piece_at(end - 1)?;
        let source_end = match last.kind {
            PieceKind::Verbatim => last.source.start + (end - last.prose.start),
            PieceKind::Atomic | PieceKind::Synthetic => last.source.end,
        };
        Some(source_start..source_end.max(source_start))
    }
}

/// Characters that are removed at zero length: soft hyphen, zero-width space/joiners, word joiner, BOM.
pub(crate) fn is_invisible(character: char) -> bool {
    matches!(
        character,
        '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

/// Whitespace that the builder folds into a pending space. No-break spaces are kept as characters:
/// tokenizers treat them as spaces, and keeping them keeps the source map exact.
pub(crate) fn is_fold_space(character: char) -> bool {
    matches!(character, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

fn suppresses_space_after(character: char) -> bool {
    character.is_whitespace() || matches!(character, '(' | '[' | '{' | '“' | '‘' | '„' | '«' | '/')
}

fn suppresses_space_before(character: char) -> bool {
    character.is_whitespace()
        || matches!(
            character,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '”' | '’' | '»'
        )
}

#[derive(Clone, Debug)]
enum Pending {
    /// Source whitespace (or a tie) at this range; the space maps onto it.
    Whitespace(Range<usize>),
    /// A removed construct at this source offset; the space is synthetic.
    Removal(usize),
}

/// Writes prose and its offset map together, one paragraph at a time.
#[derive(Debug)]
pub(crate) struct ProseBuilder<'source> {
    source: &'source str,
    text: String,
    pieces: Vec<Piece>,
    pending: Option<Pending>,
    /// Something was removed since the last kept character (for dropping emptied brackets).
    removed_since_text: bool,
}

impl<'source> ProseBuilder<'source> {
    pub(crate) fn new(source: &'source str) -> Self {
        Self {
            source,
            text: String::new(),
            pieces: Vec::new(),
            pending: None,
            removed_since_text: false,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// A removed construct at source offset `at`: a space is owed before the next kept character.
    pub(crate) fn space_for_removal(&mut self, at: usize) {
        self.removed_since_text = true;
        if self.pending.is_none() {
            self.pending = Some(Pending::Removal(at));
        }
    }

    /// Source whitespace (or a construct that reads as a space, like `~` or `\,`) over `range`.
    pub(crate) fn space_over(&mut self, range: Range<usize>) {
        match self.pending {
            None | Some(Pending::Removal(_)) => self.pending = Some(Pending::Whitespace(range)),
            Some(Pending::Whitespace(_)) => {}
        }
    }

    fn flush_pending(&mut self, next: char) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let Some(last) = self.text.chars().next_back() else {
            return;
        };
        if suppresses_space_after(last) || suppresses_space_before(next) {
            return;
        }
        let start = self.text.len();
        self.text.push(' ');
        let prose = start..start + 1;
        let piece = match pending {
            Pending::Whitespace(source) if source.is_empty() => Piece {
                prose,
                source: source.start..source.start,
                kind: PieceKind::Synthetic,
            },
            Pending::Whitespace(source) => {
                let kind = if self.source.get(source.clone()) == Some(" ") {
                    PieceKind::Verbatim
                } else {
                    PieceKind::Atomic
                };
                Piece {
                    prose,
                    source,
                    kind,
                }
            }
            Pending::Removal(at) => Piece {
                prose,
                source: at..at,
                kind: PieceKind::Synthetic,
            },
        };
        // A copied space joins the copied text before it (fewer pieces, same map).
        if piece.kind == PieceKind::Verbatim
            && let Some(last) = self.pieces.last_mut()
            && last.kind == PieceKind::Verbatim
            && last.prose.end == piece.prose.start
            && last.source.end == piece.source.start
        {
            last.prose.end = piece.prose.end;
            last.source.end = piece.source.end;
            return;
        }
        self.pieces.push(piece);
    }

    /// Appends the source bytes `range`, which read as themselves. Whitespace folds into pending
    /// spaces, invisible characters are removed, and runs that are not in NFC become Atomic pieces per
    /// composed character.
    pub(crate) fn push_source(&mut self, range: Range<usize>) {
        let whole: &'source str = self.source;
        let Some(source) = whole.get(range.clone()) else {
            return;
        };
        let offset = range.start;
        let bytes = source.as_bytes();
        let mut run_start: Option<usize> = None;
        let mut space_start: Option<usize> = None;
        // Bytes rather than chars: foldable spaces are ASCII and the invisible characters have
        // three known lead bytes, so most bytes are classified without decoding.
        let mut index = 0;
        while index < bytes.len() {
            let byte = bytes[index];
            let (width, fold, invisible) = if byte < 0x80 {
                (
                    1,
                    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c),
                    false,
                )
            } else {
                let width = match byte {
                    0xF0.. => 4,
                    0xE0.. => 3,
                    _ => 2,
                };
                let invisible = matches!(byte, 0xC2 | 0xE2 | 0xEF)
                    && source
                        .get(index..index + width)
                        .and_then(|character| character.chars().next())
                        .is_some_and(is_invisible);
                (width, false, invisible)
            };
            if fold || invisible {
                if let Some(start) = run_start.take() {
                    self.push_run(&source[start..index], offset + start);
                }
                if fold {
                    space_start.get_or_insert(index);
                } else if let Some(start) = space_start.take() {
                    self.space_over(offset + start..offset + index);
                }
                index += width;
                continue;
            }
            if let Some(start) = space_start.take() {
                self.space_over(offset + start..offset + index);
            }
            run_start.get_or_insert(index);
            index += width;
        }
        if let Some(start) = run_start {
            self.push_run(&source[start..], offset + start);
        }
        if let Some(start) = space_start {
            self.space_over(offset + start..offset + source.len());
        }
    }

    /// A run without foldable whitespace or invisible characters.
    fn push_run(&mut self, mut run: &str, mut offset: usize) {
        let Some(mut first) = run.chars().next() else {
            return;
        };
        // "(\citealp{x}; Smith)" and "[@fig:x]. Title": punctuation that only separated a removed
        // construct from the start of the paragraph or from an opening bracket goes as well.
        if matches!(first, ';' | ',' | '.' | ':')
            && self.removed_since_text
            && (self.text.is_empty() || self.text.ends_with(['(', '[']))
        {
            run = &run[1..];
            offset += 1;
            let Some(next) = run.chars().next() else {
                return;
            };
            first = next;
        }
        // "(\cite{x})" and "[@key]"-like leftovers: brackets emptied by removals go as well.
        if matches!(first, ')' | ']') && self.removed_since_text && self.drop_emptied_opener(first)
        {
            self.space_for_removal(offset);
            run = &run[1..];
            offset += 1;
            let Some(next) = run.chars().next() else {
                return;
            };
            first = next;
        }
        self.removed_since_text = false;
        if run.is_ascii() || is_nfc_quick(run.chars()) == IsNormalized::Yes {
            self.flush_pending(first);
            self.push_verbatim_piece(run, offset);
            return;
        }
        // Slow path: split into a starter plus its combining marks, and normalise each cluster.
        let mut cluster_start = 0;
        let mut indices = run.char_indices().peekable();
        while let Some((_, _)) = indices.next() {
            let next_is_starter = match indices.peek() {
                Some((_, next)) => {
                    unicode_normalization::char::canonical_combining_class(*next) == 0
                }
                None => true,
            };
            if !next_is_starter {
                continue;
            }
            let cluster_end = indices.peek().map_or(run.len(), |(index, _)| *index);
            let cluster = &run[cluster_start..cluster_end];
            let composed: String = cluster.nfc().collect();
            if composed == cluster {
                if let Some(character) = cluster.chars().next() {
                    self.flush_pending(character);
                }
                self.push_verbatim_piece(cluster, offset + cluster_start);
            } else {
                self.push_atomic_text(&composed, offset + cluster_start..offset + cluster_end);
            }
            cluster_start = cluster_end;
        }
    }

    /// Removes a trailing `(` or `[` that matches `closer` (and the space before it); `false` when the
    /// prose does not end with the opener.
    fn drop_emptied_opener(&mut self, closer: char) -> bool {
        let opener = if closer == ')' { '(' } else { '[' };
        let Some(last) = self.pieces.last_mut() else {
            return false;
        };
        if !self.text.ends_with(opener) || last.kind == PieceKind::Synthetic {
            return false;
        }
        match last.kind {
            PieceKind::Verbatim if last.prose.len() > 1 => {
                last.prose.end -= 1;
                last.source.end -= 1;
            }
            _ => {
                self.pieces.pop();
            }
        }
        self.text.pop();
        // The space that was written before the opener goes too; it comes back as pending.
        if self.text.ends_with(' ')
            && let Some(last) = self.pieces.last_mut()
        {
            let at = last.source.end;
            if last.kind == PieceKind::Verbatim && last.prose.len() > 1 {
                last.prose.end -= 1;
                last.source.end -= 1;
            } else {
                self.pieces.pop();
            }
            self.text.pop();
            self.pending = Some(Pending::Removal(at.saturating_sub(1)));
        }
        true
    }

    fn push_verbatim_piece(&mut self, text: &str, offset: usize) {
        if text.is_empty() {
            return;
        }
        let prose_start = self.text.len();
        self.text.push_str(text);
        if let Some(last) = self.pieces.last_mut()
            && last.kind == PieceKind::Verbatim
            && last.prose.end == prose_start
            && last.source.end == offset
        {
            last.prose.end = self.text.len();
            last.source.end = offset + text.len();
            return;
        }
        self.pieces.push(Piece {
            prose: prose_start..self.text.len(),
            source: offset..offset + text.len(),
            kind: PieceKind::Verbatim,
        });
    }

    /// Appends produced text that stands for the whole source `range` (an entity, an accent command,
    /// a dash, simple inline math). Whitespace at its ends becomes pending space; inner whitespace runs
    /// are collapsed to one space; the text is normalised to NFC.
    pub(crate) fn push_atomic(&mut self, produced: &str, range: Range<usize>) {
        let trimmed = produced.trim_matches(is_fold_space);
        if trimmed.is_empty() {
            if !produced.is_empty() {
                self.space_over(range);
            }
            return;
        }
        if trimmed.len() != produced.len() && produced.starts_with(is_fold_space) {
            self.space_for_removal(range.start);
        }
        let mut collapsed = String::with_capacity(trimmed.len());
        let mut in_space = false;
        for character in trimmed.chars() {
            if is_invisible(character) {
                continue;
            }
            if is_fold_space(character) {
                if !in_space {
                    collapsed.push(' ');
                }
                in_space = true;
            } else {
                collapsed.push(character);
                in_space = false;
            }
        }
        let composed: String = if collapsed.is_ascii() {
            collapsed
        } else {
            collapsed.nfc().collect()
        };
        self.push_atomic_text(&composed, range.clone());
        if produced.ends_with(is_fold_space) {
            self.space_for_removal(range.end);
        }
    }

    fn push_atomic_text(&mut self, composed: &str, range: Range<usize>) {
        let Some(first) = composed.chars().next() else {
            return;
        };
        self.removed_since_text = false;
        self.flush_pending(first);
        let prose_start = self.text.len();
        self.text.push_str(composed);
        self.pieces.push(Piece {
            prose: prose_start..self.text.len(),
            source: range,
            kind: PieceKind::Atomic,
        });
    }

    /// Appends text that has no source (the `1` that stands for a `\ref`), at source offset `at`.
    pub(crate) fn push_synthetic(&mut self, text: &str, at: usize) {
        let Some(first) = text.chars().next() else {
            return;
        };
        self.removed_since_text = false;
        self.flush_pending(first);
        let prose_start = self.text.len();
        self.text.push_str(text);
        self.pieces.push(Piece {
            prose: prose_start..self.text.len(),
            source: at..at,
            kind: PieceKind::Synthetic,
        });
    }

    /// Ends the paragraph: returns its prose and map, or `None` when it holds no letter (nothing a
    /// tagger could find) or no real source character. The builder is left empty for the next paragraph.
    pub(crate) fn take(&mut self) -> Option<(String, OffsetMap, Range<usize>)> {
        self.pending = None;
        self.removed_since_text = false;
        let mut text = std::mem::take(&mut self.text);
        let mut pieces = std::mem::take(&mut self.pieces);
        if !text.chars().any(char::is_alphabetic) {
            return None;
        }
        trim_whitespace_ends(&mut text, &mut pieces);
        if text.is_empty() {
            return None;
        }
        let mut cover: Option<Range<usize>> = None;
        for piece in pieces
            .iter()
            .filter(|piece| piece.kind != PieceKind::Synthetic)
        {
            cover = Some(match cover {
                None => piece.source.clone(),
                Some(cover) => cover.start.min(piece.source.start)..cover.end.max(piece.source.end),
            });
        }
        let cover = cover?;
        Some((text, OffsetMap { pieces }, cover))
    }
}

/// Removes whitespace that the builder kept as characters (no-break and other Unicode spaces) from
/// both ends of a paragraph: whole whitespace pieces go, and pieces that start or end with
/// whitespace are cut.
fn trim_whitespace_ends(text: &mut String, pieces: &mut Vec<Piece>) {
    // The end first, so the offsets of the start stay valid while it is trimmed.
    while let Some(last) = pieces.last_mut() {
        let slice = &text[last.prose.clone()];
        let trimmed = slice.trim_end();
        if trimmed.len() == slice.len() {
            break;
        }
        if trimmed.is_empty() {
            text.truncate(last.prose.start);
            pieces.pop();
            continue;
        }
        // A Verbatim piece loses the same source bytes; an Atomic piece (a decomposed space plus a
        // combining mark, say) keeps its whole source range, as any part of it maps to all of it.
        let cut = slice.len() - trimmed.len();
        last.prose.end -= cut;
        if last.kind == PieceKind::Verbatim {
            last.source.end -= cut;
        }
        text.truncate(last.prose.end);
    }
    let mut lead = 0;
    let mut drop = 0;
    for piece in pieces.iter_mut() {
        let slice = &text[piece.prose.clone()];
        let trimmed = slice.trim_start();
        if trimmed.len() == slice.len() {
            break;
        }
        if trimmed.is_empty() {
            lead = piece.prose.end;
            drop += 1;
            continue;
        }
        let cut = slice.len() - trimmed.len();
        piece.prose.start += cut;
        if piece.kind == PieceKind::Verbatim {
            piece.source.start += cut;
        }
        lead = piece.prose.start;
        break;
    }
    if lead == 0 {
        return;
    }
    pieces.drain(..drop);
    text.replace_range(..lead, "");
    for piece in pieces.iter_mut() {
        piece.prose.start -= lead;
        piece.prose.end -= lead;
    }
}
