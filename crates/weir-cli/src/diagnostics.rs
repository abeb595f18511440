//! Errors as the command line shows them: miette diagnostics with their code, help text,
//! related problems and, for configuration files, the lines around the mistake.
//!
//! The errors of every layer (configuration, plugin settings, pipelines, validation, hooks,
//! sessions) are read into one [`Report`] and drawn by miette's graphical handler: in colour
//! with Unicode on a terminal (unless `NO_COLOR` is set), plain ASCII otherwise, so logs and
//! CI output stay readable.

use std::error::Error;
use std::fmt;
use std::io::IsTerminal;
use std::path::Path;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};
use weir_config::{ConfigError, SettingsError};
use weir_core::{
    HookFailure, PipelineError, PluginConfigError, RunError, TaskFailure, ValidationReport,
};

use crate::session::SessionError;
use crate::text::no_color;

/// Files larger than this are not read to show a snippet.
const MAX_SNIPPET_FILE: u64 = 4 * 1024 * 1024;

/// How a report is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Colour and Unicode box drawing, for a terminal.
    Fancy,
    /// ASCII without colour: logs, pipes, `NO_COLOR`, tests.
    Plain,
}

impl Style {
    /// [`Style::Fancy`] when standard error is a terminal and `NO_COLOR` is not set.
    pub fn detect() -> Self {
        if std::io::stderr().is_terminal() && !no_color() {
            Self::Fancy
        } else {
            Self::Plain
        }
    }
}

/// One error as shown to people: its message, code, help, the file snippet it points at, and
/// the problems found with it.
#[derive(Debug)]
pub struct Report {
    message: String,
    code: Option<String>,
    help: Option<String>,
    snippet: Option<Snippet>,
    related: Vec<Report>,
    cause: Option<Box<Report>>,
}

#[derive(Debug)]
struct Snippet {
    source: NamedSource<String>,
    span: SourceSpan,
    label: String,
}

impl Report {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: None,
            help: None,
            snippet: None,
            related: Vec::new(),
            cause: None,
        }
    }

    /// Reads any error: Weir's own error types keep their structure (help, related problems,
    /// file locations); others are shown with their chain of causes.
    pub fn from_error(error: &(dyn Error + 'static)) -> Self {
        if let Some(error) = error.downcast_ref::<SessionError>() {
            return Self::from_session(error);
        }
        if let Some(error) = error.downcast_ref::<ConfigError>() {
            return Self::from_config(error);
        }
        if let Some(error) = error.downcast_ref::<SettingsError>() {
            let mut report = Self::from_diagnostic(error);
            report.snippet = snippet_at(&error.location, &error.key);
            return report;
        }
        if let Some(error) = error.downcast_ref::<PluginConfigError>() {
            let mut report = Self::new(error.to_string());
            report.code = Some("weir::plugin::settings".to_owned());
            report.snippet = snippet_at(&error.location, &error.key);
            return report;
        }
        if let Some(error) = error.downcast_ref::<ValidationReport>() {
            return Self::from_validation(error);
        }
        if let Some(error) = error.downcast_ref::<PipelineError>() {
            return Self::from_diagnostic(error).with_causes(error);
        }
        if let Some(error) = error.downcast_ref::<RunError>() {
            return Self::from_run(error);
        }
        if let Some(error) = error.downcast_ref::<HookFailure>() {
            // The hook's own error keeps its help and snippet; the message says which hook.
            let mut report = Self::from_error(error.source.as_ref());
            report.message = error.to_string();
            return report;
        }
        Self::new(error.to_string()).with_causes(error)
    }

    fn from_session(error: &SessionError) -> Self {
        match error {
            SessionError::Config(error) => Self::from_config(error),
            SessionError::Pipeline(error) => Self::from_diagnostic(error).with_causes(error),
            SessionError::Hook(cause) => Self::from_error(cause.as_ref()),
            SessionError::Run(error) => Self::from_run(error),
            other => Self::from_diagnostic(other),
        }
    }

    fn from_run(error: &RunError) -> Self {
        match error {
            RunError::Invalid(report) => Self::from_validation(report),
            RunError::Task(failure) => Self::from_task(failure),
            other => Self::new(other.to_string()).with_causes(other),
        }
    }

    fn from_task(failure: &TaskFailure) -> Self {
        Self::new(failure.to_string()).with_causes(failure)
    }

    fn from_validation(report: &ValidationReport) -> Self {
        let count = report.problems.len();
        let mut out = Self::new(format!(
            "the pipeline is not valid ({count} problem{}); no node ran",
            if count == 1 { "" } else { "s" }
        ));
        out.code = Some("weir::validation".to_owned());
        out.related = report
            .problems
            .iter()
            .map(|problem| {
                let mut item = Self::new(problem.message.clone());
                item.help = problem.help.clone();
                item
            })
            .collect();
        out
    }

    fn from_config(error: &ConfigError) -> Self {
        let mut report = Self::from_diagnostic(error);
        match error {
            ConfigError::Many(errors) => {
                report.message = format!("{} configuration problems", errors.len());
                report.related = errors.iter().map(Self::from_config).collect();
            }
            ConfigError::At {
                loc: Some(loc),
                key,
                ..
            } => {
                report.snippet = Snippet::read(&loc.file, loc.line, loc.column, label_for(key));
            }
            ConfigError::Yaml {
                file, line, column, ..
            } => {
                report.snippet = Snippet::read(file, *line, *column, "here".to_owned());
            }
            ConfigError::Io { source, .. } if !report.message.contains(&source.to_string()) => {
                report.cause = Some(Box::new(Self::new(source.to_string())));
            }
            _ => {}
        }
        report
    }

    /// The message, code, help and related problems a diagnostic declares.
    fn from_diagnostic(diagnostic: &dyn Diagnostic) -> Self {
        let mut report = Self::new(diagnostic.to_string());
        report.code = diagnostic.code().map(|code| code.to_string());
        report.help = diagnostic.help().map(|help| help.to_string());
        if let Some(related) = diagnostic.related() {
            report.related = related.map(Self::from_diagnostic).collect();
        }
        report
    }

    /// Adds the error's causes that its message does not already say.
    fn with_causes(mut self, error: &dyn Error) -> Self {
        let mut said = self.message.clone();
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !said.contains(&text) {
                said.push('\n');
                said.push_str(&text);
                causes.push(text);
            }
            source = cause.source();
        }
        let mut chain: Option<Box<Report>> = None;
        for text in causes.into_iter().rev() {
            let mut report = Report::new(text);
            report.cause = chain;
            chain = Some(Box::new(report));
        }
        self.cause = chain;
        self
    }

    /// The report drawn in `style`, `width` columns wide.
    pub fn render(&self, style: Style, width: usize) -> String {
        let theme = match style {
            Style::Fancy => GraphicalTheme::unicode(),
            Style::Plain => GraphicalTheme::none(),
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(width)
            .with_context_lines(2)
            .with_links(false);
        let mut out = String::new();
        if handler.render_report(&mut out, self).is_err() {
            // Drawing failed (it does not for these reports): fall back to the plain message.
            out = format!("Error: {}", self.message);
        }
        out
    }
}

fn label_for(key: &str) -> String {
    if key.is_empty() {
        "here".to_owned()
    } else {
        format!("`{key}`")
    }
}

/// A snippet for a `file:line:column` location, when it is one and the file can be read.
fn snippet_at(location: &str, key: &str) -> Option<Snippet> {
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    Snippet::read(Path::new(file), line, column, label_for(key))
}

impl Snippet {
    fn read(file: &Path, line: usize, column: usize, label: String) -> Option<Self> {
        // Credentials files are never shown: the lines around a mistake hold secrets.
        if file.components().any(|part| {
            part.as_os_str()
                .to_string_lossy()
                .to_ascii_lowercase()
                .starts_with("credentials")
        }) {
            return None;
        }
        let size = std::fs::metadata(file).ok()?.len();
        if size > MAX_SNIPPET_FILE || line == 0 {
            return None;
        }
        let text = mask_passwords(&std::fs::read_to_string(file).ok()?);
        let offset = offset_of(&text, line, column)?;
        let rest = &text[offset..];
        let length = rest
            .find(['\n', '\r'])
            .unwrap_or(rest.len())
            .min(rest.find(": ").map_or(usize::MAX, |colon| colon))
            .max(1)
            .min(rest.len());
        Some(Self {
            source: NamedSource::new(file.display().to_string(), text),
            span: SourceSpan::new(offset.into(), length),
            label,
        })
    }
}

/// The text with the password of every URL (`scheme://user:password@host`) replaced by `***`.
fn mask_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let authority_end = after
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(after.len());
        let authority = &after[..authority_end];
        match (authority.rfind('@'), authority.find(':')) {
            (Some(at), Some(colon)) if colon < at => {
                out.push_str(&authority[..=colon]);
                out.push_str("***");
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &after[authority_end..];
    }
    out.push_str(rest);
    out
}

/// The byte offset of a 1-based line and column (columns count characters).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start..];
    let line_end = line_text.find('\n').unwrap_or(line_text.len());
    let within = line_text[..line_end]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_end, |(index, _)| index);
    Some(start + within)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.snippet
            .as_ref()
            .map(|snippet| &snippet.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.snippet.as_ref().map(|snippet| {
            Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
                Some(snippet.label.clone()),
                snippet.span,
            ))) as Box<dyn Iterator<Item = LabeledSpan>>
        })
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|report| report as &dyn Diagnostic),
        ))
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause
            .as_deref()
            .map(|report| report as &dyn Diagnostic)
    }
}

/// An error as the command line prints it on standard error.
pub fn render(error: &(dyn Error + 'static)) -> String {
    let style = Style::detect();
    let width = match style {
        Style::Fancy => terminal_width().unwrap_or(100),
        // Plain text is not wrapped: logs keep whole lines, and output does not depend on
        // the length of a path.
        Style::Plain => 400,
    };
    Report::from_error(error).render(style, width)
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|columns| columns.parse().ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn offsets_count_lines_and_characters() {
        let text = "a: 1\nbé: 2\nc: 3\n";
        assert_eq!(offset_of(text, 1, 1), Some(0));
        assert_eq!(offset_of(text, 2, 1), Some(5));
        // `é` is two bytes: column 3 is the `:` after it.
        assert_eq!(&text[offset_of(text, 2, 3).unwrap()..][..1], ":");
        assert_eq!(offset_of(text, 9, 1), None);
    }

    #[test]
    fn a_located_config_error_shows_its_line_and_help() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("catalog.yml");
        std::fs::write(
            &file,
            "companies:\n  type: MemoryDatset\n  filepath: x.csv\n",
        )
        .unwrap();
        let loc = weir_config::tree::Loc {
            file: file.as_path().into(),
            line: 2,
            column: 9,
        };
        let error = ConfigError::at(Some(&loc), "companies.type", "unknown dataset type")
            .with_help("did you mean `MemoryDataset`?");
        let text = Report::from_error(&error).render(Style::Plain, 100);
        assert!(text.contains("unknown dataset type"), "{text}");
        assert!(text.contains("2 |   type: MemoryDatset"), "{text}");
        assert!(
            text.contains("help: did you mean `MemoryDataset`?"),
            "{text}"
        );
        assert!(text.contains("`companies.type`"), "{text}");
    }

    #[test]
    fn snippets_never_show_secrets() {
        assert_eq!(
            mask_passwords("uri: http://ada:s3cret@host:5000/x\nother: https://host/y"),
            "uri: http://ada:***@host:5000/x\nother: https://host/y"
        );
        let dir = tempfile::tempdir().unwrap();
        let credentials = dir.path().join("credentials.yml");
        std::fs::write(&credentials, "db:\n  password: hunter2\n  port: x\n").unwrap();
        assert!(Snippet::read(&credentials, 3, 3, "here".to_owned()).is_none());
        let mlflow = dir.path().join("mlflow.yml");
        std::fs::write(
            &mlflow,
            "server:\n  mlflow_tracking_uri: http://ada:s3cret@h\n",
        )
        .unwrap();
        let loc = weir_config::tree::Loc {
            file: mlflow.as_path().into(),
            line: 2,
            column: 3,
        };
        let text = Report::from_error(&ConfigError::at(Some(&loc), "server", "bad"))
            .render(Style::Plain, 100);
        assert!(
            !text.contains("s3cret") && text.contains("ada:***@h"),
            "{text}"
        );
    }

    #[test]
    fn many_problems_are_related_reports() {
        let error = ConfigError::Many(vec![
            ConfigError::at(None, "a", "first").with_help("fix a"),
            ConfigError::at(None, "b", "second"),
        ]);
        let text = Report::from_error(&error).render(Style::Plain, 100);
        assert!(text.contains("2 configuration problems"), "{text}");
        assert!(text.contains("`a`: first"), "{text}");
        assert!(text.contains("help: fix a"), "{text}");
        assert!(text.contains("`b`: second"), "{text}");
    }

    #[test]
    fn causes_are_shown_once() {
        let inner = std::io::Error::other("disk full");
        let error = weir_core::BoxError::from(format!("cannot save: {inner}"));
        let text = Report::from_error(error.as_ref()).render(Style::Plain, 100);
        assert_eq!(text.matches("disk full").count(), 1, "{text}");
    }
}
