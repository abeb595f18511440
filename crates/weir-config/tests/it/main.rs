//! Integration tests of weir-config: Kedro's config-loader and catalog-config cases, ported.

#![allow(clippy::unwrap_used, missing_docs)]

mod catalog;
mod errors;
mod limits;
mod loader;

use std::path::{Path, PathBuf};

/// A temporary `conf/` tree.
pub struct Conf {
    pub dir: tempfile::TempDir,
}

impl Conf {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("base")).unwrap();
        std::fs::create_dir_all(dir.path().join("local")).unwrap();
        let conf = Self { dir };
        for (path, text) in files {
            conf.write(path, text);
        }
        conf
    }

    pub fn write(&self, path: &str, text: &str) {
        let full = self.dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn loader(&self) -> weir_config::ConfigLoader {
        weir_config::ConfigLoader::new(self.path())
    }

    /// An error message with the temporary folder replaced by `<conf>`.
    pub fn clean(&self, message: impl std::fmt::Display) -> String {
        message
            .to_string()
            .replace(&self.path().display().to_string(), "<conf>")
    }
}

pub fn spaceflights_conf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/spaceflights/conf")
}
