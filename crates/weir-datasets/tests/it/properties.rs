//! Generated inputs for the CSV and Excel readers (the fuzzing of issue 17, as proptest
//! generators bounded in time): whatever the bytes, a read returns a frame or an error naming
//! the file, never a panic; a ragged row is always reported at its own line.

use polars::prelude::*;
use proptest::prelude::*;

use crate::catalog;

fn load(dir: &std::path::Path, entry: &str) -> Result<DataFrame, String> {
    let catalog = catalog(&format!("t:\n  {entry}\n"), dir, Default::default()).unwrap();
    catalog.load_as::<DataFrame>("t").map_err(|e| e.to_string())
}

/// Bytes that look like CSV often enough to reach the parser's corners.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(vec![b'a', b'1', b'.', b'-', b'e', b' ']),
            2 => Just(b','),
            2 => Just(b'\n'),
            1 => Just(b'"'),
            1 => Just(b'\r'),
            1 => any::<u8>(),
        ],
        0..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_read_as_csv_give_a_frame_or_an_error_naming_the_file(content in csvish()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/f.csv"), &content).unwrap();
        for args in ["{}", "{on_bad_lines: skip}", "{encoding: latin-1}"] {
            let entry = format!("type: pandas.CSVDataset\n  filepath: data/f.csv\n  load_args: {args}");
            if let Err(error) = load(dir.path(), &entry) {
                prop_assert!(error.contains("f.csv"), "{}", error);
            }
        }
    }

    #[test]
    fn a_ragged_row_is_reported_at_its_line(
        rows in prop::collection::vec(prop::collection::vec("[a-z0-9 ]{0,6}", 3), 1..30),
        at in any::<prop::sample::Index>(),
        extra in 1_usize..4,
        quoted_newline in any::<bool>(),
    ) {
        let mut text = String::from("a,b,c\n");
        let mut line = 2;
        let bad = at.index(rows.len());
        let mut bad_line = 0;
        for (i, row) in rows.iter().enumerate() {
            let mut fields = row.clone();
            if quoted_newline && i == 0 {
                fields[0] = format!("\"x\n{}\"", fields[0]);
            }
            if i == bad {
                bad_line = line;
                fields.extend(std::iter::repeat_n("z".to_owned(), extra));
            }
            line += 1 + usize::from(quoted_newline && i == 0);
            text.push_str(&fields.join(","));
            text.push('\n');
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/r.csv"), &text).unwrap();
        let string_types = "dtype: {a: str, b: str, c: str}";
        let error = load(
            dir.path(),
            &format!("type: pandas.CSVDataset\n  filepath: data/r.csv\n  load_args: {{{string_types}}}"),
        )
        .unwrap_err();
        let expected = format!("line {bad_line} has {} fields where the header has 3", 3 + extra);
        prop_assert!(error.contains(&expected), "{}\n{}", error, text);
        let frame = load(
            dir.path(),
            &format!("type: pandas.CSVDataset\n  filepath: data/r.csv\n  load_args: {{on_bad_lines: skip, {string_types}}}"),
        )
        .unwrap();
        prop_assert_eq!(frame.height(), rows.len() - 1);
    }
}

proptest! {
    // Each case reads up to a whole (1 MB) workbook.
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_prefix_or_corruption_of_a_workbook_is_an_error_or_a_frame(
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    ) {
        let whole = std::fs::read(crate::spaceflights().join("data/01_raw/shuttles.xlsx")).unwrap();
        let mut content = whole[..cut.index(whole.len())].to_vec();
        if !content.is_empty() {
            for (at, byte) in flips {
                let i = at.index(content.len());
                content[i] = byte;
            }
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data/s.xlsx"), &content).unwrap();
        if let Err(error) = load(dir.path(), "type: pandas.ExcelDataset\n  filepath: data/s.xlsx") {
            prop_assert!(error.contains("s.xlsx"), "{}", error);
        }
    }
}
