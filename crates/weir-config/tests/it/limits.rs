//! Configuration a hostile or careless file can make slow or fatal: each limit is a located
//! error, and inputs just within it still load.

use std::fmt::Write as _;

use proptest::prelude::*;
use weir_config::{ConfigError, yaml};

use crate::Conf;

fn parameters_error(text: &str) -> (String, ConfigError) {
    let conf = Conf::new(&[("base/parameters.yml", text)]);
    let error = conf.loader().parameters().unwrap_err();
    (conf.clean(&error), error)
}

fn parameters(text: &str) -> serde_json::Value {
    let conf = Conf::new(&[("base/parameters.yml", text)]);
    conf.loader().parameters().unwrap()
}

fn help(error: &ConfigError) -> String {
    miette::Diagnostic::help(error)
        .map(|help| help.to_string())
        .unwrap_or_default()
}

/// `k0: first`, then `k<i>: <value of k<i-1>>` for each following level.
fn chain(levels: usize, first: &str, next: impl Fn(usize) -> String) -> String {
    let mut text = format!("k0: {first}\n");
    for level in 1..levels {
        let _ = writeln!(text, "k{level}: {}", next(level - 1));
    }
    text
}

#[test]
fn a_billion_laughs_catalog_is_an_error_at_the_alias() {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (previous, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let aliases = vec![format!("*{previous}"); 10].join(", ");
        let _ = writeln!(text, "{name}: &{name} [{aliases}]");
    }
    let conf = Conf::new(&[("base/catalog.yml", &text)]);
    let error = conf.clean(conf.loader().catalog().unwrap_err());
    assert!(
        error.starts_with(
            "Invalid YAML or JSON file <conf>/base/catalog.yml, unable to read line 5, position 32: the alias `*d` brings the values copied for anchors and aliases to more than 100000"
        ),
        "{error}"
    );
    assert!(error.contains("looks like an alias bomb"), "{error}");
}

#[test]
fn anchors_and_merge_keys_in_a_large_catalog_still_load() {
    // 2000 entries merging a 20-value template: 40000 copies, within the limit.
    let mut text = String::from("_csv: &csv\n  type: MemoryDataset\n  metadata:\n");
    for field in 0..9 {
        let _ = writeln!(text, "    f{field}: v");
    }
    for entry in 0..2000 {
        let _ = writeln!(text, "e{entry}:\n  <<: *csv\n  metadata: {{n: {entry}}}");
    }
    let conf = Conf::new(&[("base/catalog.yml", &text)]);
    let catalog = conf.loader().catalog().unwrap().to_json();
    assert_eq!(catalog["e1999"]["type"], "MemoryDataset");
    assert_eq!(catalog["e1999"]["metadata"]["n"], 1999);
}

#[test]
fn nesting_up_to_128_levels_loads_and_deeper_is_an_error() {
    let nested = |depth: usize| {
        format!(
            "top: {}'${{leaf}}'{}\nleaf: 1\n",
            "{a: ".repeat(depth - 1),
            "}".repeat(depth - 1)
        )
    };
    let value = parameters(&nested(128));
    let mut inner = &value["top"];
    for _ in 0..126 {
        inner = &inner["a"];
    }
    assert_eq!(inner["a"], 1);
    let (message, _) = parameters_error(&nested(129));
    assert_eq!(
        message,
        "Invalid YAML or JSON file <conf>/base/parameters.yml, unable to read line 1, position 514: lists and mappings nest more than 128 deep; configuration this deep is most likely a mistake"
    );
}

#[test]
fn a_chain_of_10000_references_is_an_error_at_its_start() {
    // Forward references, `k0: ${k1}`, `k1: ${k2}`, ..., would overflow the stack.
    let mut text = String::new();
    for level in 0..10_000 {
        let _ = writeln!(text, "k{level}: ${{k{}}}", level + 1);
    }
    text.push_str("k10000: end\n");
    let (message, error) = parameters_error(&text);
    assert_eq!(
        message,
        "<conf>/base/parameters.yml:1:1: `k0`: interpolation references go more than 64 deep: k0 -> k1 -> k2 -> k3 -> k4 -> ... (59 more) ... -> k64"
    );
    assert!(
        help(&error).contains("refer to the value at the end of the chain directly"),
        "{}",
        help(&error)
    );
}

#[test]
fn a_chain_of_64_references_resolves() {
    let mut text = String::new();
    for level in 0..64 {
        let _ = writeln!(text, "k{level}: ${{k{}}}", level + 1);
    }
    text.push_str("k64: end\n");
    assert_eq!(parameters(&text)["k0"], "end");
    text.insert_str(0, "before: ${k0}\n");
    let (message, _) = parameters_error(&text);
    assert!(
        message.starts_with("<conf>/base/parameters.yml:1:1: `before`: interpolation references go more than 64 deep: before -> k0 -> k1"),
        "{message}"
    );
}

#[test]
fn cycles_are_still_reported_as_cycles() {
    let (message, _) = parameters_error("a: ${b}\nb: x${c}\nc: ${a}\n");
    assert_eq!(
        message,
        "<conf>/base/parameters.yml:1:1: `a`: interpolation cycle: a -> b -> c -> a"
    );
}

#[test]
fn a_doubling_string_stops_at_one_mebibyte() {
    let doubling = |previous: usize| format!("'${{k{previous}}}${{k{previous}}}'");
    // k20 is exactly 1 MiB.
    let value = parameters(&chain(21, "x", doubling));
    assert_eq!(value["k20"].as_str().map(str::len), Some(1 << 20));

    let (message, error) = parameters_error(&chain(40, "x", doubling));
    assert_eq!(
        message,
        "<conf>/base/parameters.yml:22:1: `k21`: the interpolated string would be longer than 1 MiB"
    );
    assert!(help(&error).contains("doubles at each step"));
}

#[test]
fn a_doubling_list_stops_at_the_value_limit() {
    let doubling = |previous: usize| format!("['${{k{previous}}}', '${{k{previous}}}']");
    let value = parameters(&chain(12, "[x]", doubling));
    assert_eq!(value["k11"][1][0][1][0][1][0][1][0][1][0][1][0], "x");

    let (message, error) = parameters_error(&chain(40, "[x]", doubling));
    // Each level holds twice the values of the one below; k15 would pass 100000 copies.
    assert_eq!(
        message,
        "<conf>/base/parameters.yml:16:7: `k15.0`: resolving interpolations produces more than 100000 values (the configuration holds 120), here while copying `k14.0`"
    );
    assert!(help(&error).contains("refer to shared values fewer times"));
}

#[test]
fn copies_of_a_long_string_stop_at_the_text_limit() {
    // k20 is 1 MiB; each `c` copies it.
    let mut text = chain(21, "x", |previous| {
        format!("'${{k{previous}}}${{k{previous}}}'")
    });
    for copy in 0..10 {
        let _ = writeln!(text, "c{copy}: ${{k20}}");
    }
    assert_eq!(
        parameters(&text)["c9"].as_str().map(str::len),
        Some(1 << 20)
    );
    for copy in 10..30 {
        let _ = writeln!(text, "c{copy}: ${{k20}}");
    }
    let (message, _) = parameters_error(&text);
    // About 4 MiB to build k20, then 1 MiB a copy: the twelfth copy passes 16 MiB.
    assert_eq!(
        message,
        "<conf>/base/parameters.yml:33:1: `c11`: resolving interpolations produces more than 16777216 bytes of text (the configuration holds 534), here while copying `k20`"
    );
}

/// Text made of YAML's punctuation, anchors, aliases, merge keys and interpolations.
fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("a"),
            Just("b"),
            Just(": "),
            Just("\n"),
            Just("  "),
            Just("- "),
            Just("&a "),
            Just("&b "),
            Just("*a"),
            Just("*b"),
            Just("<<: "),
            Just("["),
            Just("]"),
            Just("{"),
            Just("}"),
            Just(", "),
            Just("'"),
            Just("\""),
            Just("!!str "),
            Just("!!int "),
            Just("#"),
            Just("|"),
            Just("---"),
            Just("${a}"),
            Just("${b.0}"),
            Just("${globals:a}"),
            Just("${runtime_params:a, 1}"),
            Just("${"),
            Just("1"),
            Just("yes"),
            Just("~"),
            Just("\t"),
        ],
        0..40,
    )
    .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_yaml_never_panics(text in yamlish()) {
        let _ = yaml::parse(&text, "random.yml".as_ref());
    }

    #[test]
    fn random_bytes_never_panic(text in "\\PC{0,80}") {
        let _ = yaml::parse(&text, "random.yml".as_ref());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_parameters_files_never_panic(text in yamlish(), globals in yamlish()) {
        let conf = Conf::new(&[
            ("base/parameters.yml", text.as_str()),
            ("base/globals.yml", globals.as_str()),
        ]);
        // Errors are fine; panics, hangs and overflows are not.
        let _ = conf.loader().parameters();
    }
}

#[test]
fn a_runtime_parameter_key_nested_too_deep_is_an_error() {
    let key = vec!["a"; 100_000].join(".");
    let error = weir_config::parse_runtime_params(&format!("{key}=1")).unwrap_err();
    assert!(
        error.to_string().contains("nests 100000 levels deep"),
        "{error}"
    );
    let fine = vec!["a"; 128].join(".");
    assert!(weir_config::parse_runtime_params(&format!("{fine}=1")).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// `--params` and `--load-versions` text of any shape: a value or an error, never a panic.
    #[test]
    fn random_command_line_values_never_panic(text in "[a-c.=,:'\" 0-9\\-_{}$\\[\\]]{0,60}") {
        let _ = weir_config::parse_runtime_params(&text);
        let _ = weir_config::parse_load_versions(&text);
    }

    /// Distinct `key=integer` items come back as numbers under their dotted keys.
    #[test]
    fn runtime_parameters_keep_each_item(
        items in proptest::collection::btree_map("[a-z]{1,6}(\\.[a-z]{1,6}){0,2}", any::<i32>(), 1..8)
    ) {
        // A key that is another key's prefix (`a` and `a.b`) replaces it, as in Kedro: keep
        // only keys that are no other key's prefix.
        let keys: Vec<&String> = items.keys().collect();
        let kept: Vec<(&String, &i32)> = items
            .iter()
            .filter(|(k, _)| !keys.iter().any(|other| other.starts_with(&format!("{k}."))))
            .filter(|(k, _)| !keys.iter().any(|other| k.starts_with(&format!("{other}."))))
            .collect();
        let text: Vec<String> = kept.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let parsed = weir_config::parse_runtime_params(&text.join(",")).unwrap();
        for (key, value) in kept {
            let mut at = &parsed;
            for part in key.split('.') {
                at = &at[part];
            }
            prop_assert_eq!(at, &serde_json::json!(value));
        }
    }
}
