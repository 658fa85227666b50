use std::path::PathBuf;

/// Why a catalogue (or profile) file could not be used. Every variant names the file; validation
/// errors also name the entry (`item 'REF'`, `link 'A -> B'`, `profile 'ID'`) and its line.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not have the expected shape (unknown field, wrong type…).
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    /// The file parses but breaks a rule: duplicate ref, dangling link, bad version…
    #[error("{file}: {entry}{}: {message}", line.map(|l| format!(" (line {l})")).unwrap_or_default())]
    Invalid {
        file: String,
        entry: String,
        line: Option<usize>,
        message: String,
    },
}

impl CatalogueError {
    pub(crate) fn invalid(
        file: &str,
        entry: impl Into<String>,
        line: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        CatalogueError::Invalid {
            file: file.to_string(),
            entry: entry.into(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn parse(file: &str, error: toml::de::Error) -> Self {
        CatalogueError::Parse {
            file: file.to_string(),
            message: error.to_string().trim_end().to_string(),
        }
    }
}

/// 1-based line of a byte offset, for error messages.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    Lines::new(text).line(offset)
}

/// Line starts of a text, so that many offsets can be turned into lines cheaply.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines(starts)
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset)
    }
}
