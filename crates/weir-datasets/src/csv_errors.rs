//! What is wrong in a CSV file that polars refused, said so that a user can act on it: the line
//! of a row with more fields than the header, the line and column of bytes that are not UTF-8.
//! Also pandas' `on_bad_lines` (drop the rows with too many fields), built on the same scan.
//!
//! The scan runs only after polars has refused a file (or when `on_bad_lines` asks for it), so
//! reading a good file costs nothing extra.

/// How the file is split into records and fields, as the read options say.
#[derive(Clone, Debug)]
pub(crate) struct Dialect {
    /// The field separator.
    pub(crate) separator: u8,
    /// The quote character (`None`: quoting is off).
    pub(crate) quote: Option<u8>,
    /// Lines starting with this are comments.
    pub(crate) comment: Option<Vec<u8>>,
    /// Whether the first record is the header.
    pub(crate) has_header: bool,
    /// Records skipped before the header.
    pub(crate) skip_rows: usize,
}

/// One record (a row, which may span lines inside quotes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    /// Byte offset where it starts.
    pub(crate) start: usize,
    /// Byte offset just past its line end.
    pub(crate) end: usize,
    /// The 1-based line it starts on.
    pub(crate) line: usize,
    /// How many fields it has.
    pub(crate) fields: usize,
}

/// Splits `bytes` into records, skipping empty lines and comments (but not `skip_rows`).
fn records<'a>(bytes: &'a [u8], dialect: &'a Dialect) -> impl Iterator<Item = Record> + 'a {
    let mut pos = 0;
    let mut line = 1;
    std::iter::from_fn(move || {
        loop {
            if pos >= bytes.len() {
                return None;
            }
            let start = pos;
            let start_line = line;
            let mut fields = 1;
            let mut in_quotes = false;
            let mut field_start = true;
            let mut end = bytes.len();
            let mut i = pos;
            while i < bytes.len() {
                let b = bytes[i];
                if b == b'\n' {
                    line += 1;
                }
                if in_quotes {
                    if Some(b) == dialect.quote {
                        if bytes.get(i + 1) == Some(&b) {
                            i += 1;
                        } else {
                            in_quotes = false;
                        }
                    }
                } else if b == b'\n' {
                    end = i + 1;
                    break;
                } else if b == dialect.separator {
                    fields += 1;
                    field_start = true;
                    i += 1;
                    continue;
                } else if field_start && Some(b) == dialect.quote {
                    in_quotes = true;
                }
                field_start = false;
                i += 1;
            }
            pos = end;
            let text = &bytes[start..end];
            let content = text
                .strip_suffix(b"\n")
                .map_or(text, |t| t.strip_suffix(b"\r").unwrap_or(t));
            if content.is_empty() {
                continue;
            }
            if let Some(prefix) = &dialect.comment
                && content.starts_with(prefix)
            {
                continue;
            }
            return Some(Record {
                start,
                end,
                line: start_line,
                fields,
            });
        }
    })
}

/// The expected field count (the header's, or the first row's without a header) and the
/// records after it that have more fields than that.
pub(crate) fn ragged_records(bytes: &[u8], dialect: &Dialect) -> (usize, Vec<Record>) {
    let mut rows = records(bytes, dialect).skip(dialect.skip_rows);
    let Some(first) = rows.next() else {
        return (0, Vec::new());
    };
    let expected = first.fields;
    (expected, rows.filter(|r| r.fields > expected).collect())
}

/// `bytes` without the given records.
pub(crate) fn without(bytes: &[u8], bad: &[Record]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    for record in bad {
        out.extend_from_slice(&bytes[pos..record.start]);
        pos = record.end;
    }
    out.extend_from_slice(&bytes[pos..]);
    out
}

/// Where the first byte that is not UTF-8 is: its 1-based line and byte column, and the byte.
pub(crate) fn first_invalid_utf8(bytes: &[u8]) -> Option<(usize, usize, u8)> {
    let error = std::str::from_utf8(bytes).err()?;
    let offset = error.valid_up_to();
    let before = &bytes[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    Some((line, offset - line_start + 1, bytes[offset]))
}

/// Latin-1 (ISO-8859-1) text as UTF-8: every byte is the code point of the same value.
pub(crate) fn latin1_to_utf8(bytes: &[u8]) -> Vec<u8> {
    if bytes.is_ascii() {
        return bytes.to_vec();
    }
    let text: String = bytes.iter().map(|&b| char::from(b)).collect();
    text.into_bytes()
}

/// Why polars refused the file, told from its message and a scan of the bytes; `None` when
/// the scan finds nothing more precise than polars' own message.
pub(crate) fn explain(polars_message: &str, bytes: &[u8], dialect: &Dialect) -> Option<String> {
    let lower = polars_message.to_ascii_lowercase();
    if lower.contains("utf-8") || lower.contains("utf8") {
        let (line, column, byte) = first_invalid_utf8(bytes)?;
        return Some(format!(
            "line {line}, column {column}: byte 0x{byte:02X} is not UTF-8 text. Save the file as UTF-8, or set `load_args.encoding` to its encoding (`latin-1`), or to `utf8-lossy` to replace such bytes"
        ));
    }
    if lower.contains("more fields") || lower.contains("ragged") {
        let (expected, bad) = ragged_records(bytes, dialect);
        let first = bad.first()?;
        let what = if dialect.has_header {
            "the header has"
        } else {
            "the first row has"
        };
        let more = match bad.len() {
            1 => String::new(),
            n => format!(
                " ({} more such rows, the next at line {})",
                n - 1,
                bad[1].line
            ),
        };
        return Some(format!(
            "line {} has {} fields where {what} {expected}{more}. Fix the row, or set `load_args.on_bad_lines: skip` (or `warn`) to drop rows with too many fields, as pandas does",
            first.line, first.fields
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialect() -> Dialect {
        Dialect {
            separator: b',',
            quote: Some(b'"'),
            comment: None,
            has_header: true,
            skip_rows: 0,
        }
    }

    #[test]
    fn ragged_rows_are_found_by_line_with_quotes_and_crlf() {
        let text = b"a,b,c\r\n1,2,3\r\n\"x,\ny\",2,3\r\n4,5,6,7\r\n\r\n8,9\r\n";
        let (expected, bad) = ragged_records(text, &dialect());
        assert_eq!(expected, 3);
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].line, bad[0].fields), (5, 4));
        let kept = without(text, &bad);
        assert_eq!(kept, b"a,b,c\r\n1,2,3\r\n\"x,\ny\",2,3\r\n\r\n8,9\r\n");
    }

    #[test]
    fn doubled_quotes_and_comments_do_not_count_as_fields() {
        let mut d = dialect();
        d.comment = Some(b"#".to_vec());
        let text = b"a,b\n# a, comment, line\n\"say \"\"hi, there\"\"\",2\nlast,row,extra";
        let (_, bad) = ragged_records(text, &d);
        assert_eq!(bad.iter().map(|r| r.line).collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn invalid_utf8_is_located_by_line_and_column() {
        assert_eq!(first_invalid_utf8(b"a,b\n1,caf\xe9\n"), Some((2, 6, 0xE9)));
        assert_eq!(first_invalid_utf8("a,é\n".as_bytes()), None);
        assert_eq!(latin1_to_utf8(b"caf\xe9"), "café".as_bytes());
    }

    #[test]
    fn explanations_name_the_line() {
        let message = explain(
            "found more fields than defined in 'Schema'",
            b"a,b\n1,2\n3,4,5\n",
            &dialect(),
        )
        .unwrap();
        assert!(
            message.starts_with("line 3 has 3 fields where the header has 2"),
            "{message}"
        );
        assert!(message.contains("on_bad_lines"), "{message}");
        let message = explain("invalid utf-8 sequence", b"a\n\xff\n", &dialect()).unwrap();
        assert!(
            message.starts_with("line 2, column 1: byte 0xFF"),
            "{message}"
        );
        assert_eq!(explain("some other error", b"a\n", &dialect()), None);
    }
}
