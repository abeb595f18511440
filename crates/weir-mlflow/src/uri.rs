//! Server addresses as they may be shown: without a password.

/// A URI without the password it may carry (`http://user:secret@host` → `http://user:***@host`).
pub(crate) fn redact_uri(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..])
        }
        None => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            redact_uri("http://ada:pw@host:5000/x"),
            "http://ada:***@host:5000/x"
        );
        assert_eq!(redact_uri("http://host:5000"), "http://host:5000");
        assert_eq!(redact_uri("mlruns"), "mlruns");
    }
}
