//! Plain YAML scalars resolved as Kedro users' files have always been read: PyYAML's YAML 1.1
//! rules with OmegaConf's float extension (`1e3` is a float) and without timestamps (dates stay
//! strings).

use crate::tree::Kind;

/// Resolves an unquoted scalar.
pub fn resolve_plain(text: &str) -> Kind {
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Kind::Null;
    }
    if let Some(b) = parse_bool(text) {
        return Kind::Bool(b);
    }
    if let Some(f) = parse_float(text) {
        return Kind::Float(f);
    }
    if let Some(i) = parse_int(text) {
        return i;
    }
    Kind::Str(text.to_owned())
}

/// YAML 1.1 booleans as PyYAML reads them (`y` and `n` stay strings).
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

fn all(text: &str, allowed: impl Fn(u8) -> bool) -> bool {
    !text.is_empty() && text.bytes().all(allowed)
}

fn digits_(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// PyYAML's integers: decimal, `0b`, `0x`, leading-zero octal and sexagesimal (`1:30`), with
/// `_` separators. Too large for 64 bits: a float, as close as it gets.
fn parse_int(text: &str) -> Option<Kind> {
    let (negative, body) = split_sign(text);
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0b") {
        all(rest, |b| matches!(b, b'0' | b'1' | b'_')).then_some((2, rest))?
    } else if let Some(rest) = body.strip_prefix("0x") {
        all(rest, |b| b.is_ascii_hexdigit() || b == b'_').then_some((16, rest))?
    } else if body == "0" {
        (10, body)
    } else if let Some(rest) = body.strip_prefix('0') {
        all(rest, |b| matches!(b, b'0'..=b'7' | b'_')).then_some((8, rest))?
    } else if body
        .as_bytes()
        .first()
        .is_some_and(|b| (b'1'..=b'9').contains(b))
    {
        if all(body, digits_) {
            (10, body)
        } else {
            return parse_sexagesimal(body, false)
                .map(|v| Kind::Int(if negative { -v } else { v }));
        }
    } else {
        return None;
    };
    let cleaned: String = digits.chars().filter(|c| *c != '_').collect();
    let cleaned = if cleaned.is_empty() {
        "0".to_owned()
    } else {
        cleaned
    };
    match i64::from_str_radix(&cleaned, radix) {
        Ok(v) => Some(Kind::Int(if negative { -v } else { v })),
        Err(_) => {
            let v = cleaned
                .chars()
                .filter_map(|c| c.to_digit(radix))
                .fold(0.0_f64, |acc, d| acc * f64::from(radix) + f64::from(d));
            Some(Kind::Float(if negative { -v } else { v }))
        }
    }
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+`, base 60 (a leading zero is allowed before a fraction).
fn parse_sexagesimal(body: &str, leading_zero: bool) -> Option<i64> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    if !all(first, digits_) || (!leading_zero && first.starts_with('0')) {
        return None;
    }
    let mut value: i64 = first.replace('_', "").parse().ok()?;
    let mut any = false;
    for part in parts {
        if !(1..=2).contains(&part.len()) || !all(part, |b| b.is_ascii_digit()) {
            return None;
        }
        if part.len() == 2 && part.as_bytes()[0] > b'5' {
            return None;
        }
        value = value
            .checked_mul(60)?
            .checked_add(part.parse::<i64>().ok()?)?;
        any = true;
    }
    any.then_some(value)
}

/// Floats: PyYAML's forms plus OmegaConf's (exponent without a dot, exponent sign optional).
pub fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let (negative, body) = split_sign(text);
    let sign = if negative { -1.0 } else { 1.0 };
    // `.5`, `.5e-3`: no sign allowed before the dot, and the exponent needs a sign.
    if let Some(fraction) = body.strip_prefix('.') {
        if text.starts_with(['-', '+']) {
            return None;
        }
        let (mantissa, exponent) = split_exponent(fraction);
        if !all(mantissa, digits_) || mantissa.starts_with('_') {
            return None;
        }
        if let Some(exp) = exponent
            && !(exp.starts_with(['-', '+']) && all(&exp[1..], |b| b.is_ascii_digit()))
        {
            return None;
        }
        return parse_clean(&format!("0{body}"));
    }
    if !body.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    // Sexagesimal float: `1:30.5`.
    if body.contains(':') {
        let (whole, fraction) = body.split_once('.')?;
        let int = parse_sexagesimal(whole, true)?;
        if !fraction.is_empty() && !all(fraction, digits_) {
            return None;
        }
        let frac: f64 = format!("0.{}", fraction.replace('_', "")).parse().ok()?;
        #[allow(clippy::cast_precision_loss)]
        return Some(sign * (int as f64 + frac));
    }
    let (mantissa, exponent) = split_exponent(body);
    if let Some(exp) = exponent {
        let exp_digits = exp.strip_prefix(['-', '+']).unwrap_or(exp);
        if !all(exp_digits, |b| b.is_ascii_digit()) {
            return None;
        }
    }
    match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            if !all(whole, digits_) || !(fraction.is_empty() || all(fraction, digits_)) {
                return None;
            }
        }
        None => {
            if exponent.is_none() || !all(mantissa, digits_) {
                return None;
            }
        }
    }
    parse_clean(text)
}

fn split_exponent(text: &str) -> (&str, Option<&str>) {
    match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    }
}

fn parse_clean(text: &str) -> Option<f64> {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let cleaned = cleaned.replace(".e", ".0e").replace(".E", ".0E");
    let cleaned = if cleaned.ends_with('.') {
        format!("{cleaned}0")
    } else {
        cleaned
    };
    cleaned.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_scalars_as_pyyaml_reads_them() {
        let cases: &[(&str, Kind)] = &[
            ("yes", Kind::Bool(true)),
            ("No", Kind::Bool(false)),
            ("on", Kind::Bool(true)),
            ("OFF", Kind::Bool(false)),
            ("y", Kind::Str("y".into())),
            ("n", Kind::Str("n".into())),
            ("~", Kind::Null),
            ("", Kind::Null),
            ("1_000", Kind::Int(1000)),
            ("010", Kind::Int(8)),
            ("0x1F", Kind::Int(31)),
            ("0b101", Kind::Int(5)),
            ("-17", Kind::Int(-17)),
            ("1:30", Kind::Int(90)),
            ("09", Kind::Str("09".into())),
            ("1e3", Kind::Float(1000.0)),
            ("1.5e3", Kind::Float(1500.0)),
            ("1.", Kind::Float(1.0)),
            (".5", Kind::Float(0.5)),
            ("-2.5", Kind::Float(-2.5)),
            ("2026-11-30", Kind::Str("2026-11-30".into())),
            ("0.2", Kind::Float(0.2)),
            ("1.2.3", Kind::Str("1.2.3".into())),
            ("e3", Kind::Str("e3".into())),
            ("-.inf", Kind::Float(f64::NEG_INFINITY)),
            ("hello", Kind::Str("hello".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(&resolve_plain(text), expected, "{text:?}");
        }
        assert!(matches!(resolve_plain(".nan"), Kind::Float(f) if f.is_nan()));
    }
}
