//! Files on disk: atomic saves and Kedro's versioned layout.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use weir_config::VersionSpec;
use weir_core::DatasetError;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes a file atomically: the content goes to a temporary file beside it, which is flushed
/// to disk and then renamed over the target. A save that fails or is interrupted leaves the
/// previous file untouched (and at most a hidden `.<name>.weir-tmp-*` file behind).
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<std::fs::File>) -> Result<(), DatasetError>,
) -> Result<(), DatasetError> {
    write_atomic_to_path(path, |temp| {
        let file = std::fs::File::create(temp).map_err(|e| {
            DatasetError::with_source(format!("cannot create {}: {e}", temp.display()), e)
        })?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        write(&mut writer)?;
        writer.flush()?;
        Ok(())
    })
}

/// Like [`write_atomic`], for writers that open the file themselves: `write` gets the path of a
/// temporary file beside `path` to create and fill; it is then flushed to disk and renamed over
/// the target. A failed `write` leaves the previous file untouched.
pub fn write_atomic_to_path(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), DatasetError>,
) -> Result<(), DatasetError> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| {
        DatasetError::with_source(format!("cannot create folder {}: {e}", parent.display()), e)
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(
        ".{name}.weir-tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        write(&temp)?;
        std::fs::File::open(&temp)?.sync_all()?;
        std::fs::rename(&temp, path).map_err(|e| {
            DatasetError::with_source(
                format!("cannot move the saved file to {}: {e}", path.display()),
                e,
            )
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Where a file dataset reads and writes: a plain path, or Kedro's versioned layout
/// `<filepath>/<version>/<file name>`.
#[derive(Debug)]
pub struct Target {
    filepath: PathBuf,
    version: Option<VersionSpec>,
    resolved_load: Mutex<Option<String>>,
}

impl Target {
    /// A plain path.
    pub fn plain(filepath: impl Into<PathBuf>) -> Self {
        Self {
            filepath: filepath.into(),
            version: None,
            resolved_load: Mutex::new(None),
        }
    }

    /// A path, versioned if `version` is given.
    pub fn new(filepath: impl Into<PathBuf>, version: Option<VersionSpec>) -> Self {
        Self {
            filepath: filepath.into(),
            version,
            resolved_load: Mutex::new(None),
        }
    }

    /// The configured path.
    pub fn filepath(&self) -> &Path {
        &self.filepath
    }

    /// Whether the dataset is versioned.
    pub fn is_versioned(&self) -> bool {
        self.version.is_some()
    }

    fn file_name(&self) -> &std::ffi::OsStr {
        self.filepath.file_name().unwrap_or_default()
    }

    /// Versions on disk, newest first.
    pub fn list_versions(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.filepath) else {
            return Vec::new();
        };
        let mut versions: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join(self.file_name()).exists())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|v| !v.starts_with('.'))
            .collect();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        versions
    }

    /// The version to load: the one asked for, or the newest on disk.
    pub fn load_version(&self) -> Result<Option<String>, DatasetError> {
        let Some(spec) = &self.version else {
            return Ok(None);
        };
        if let Some(version) = &spec.load {
            return Ok(Some(version.clone()));
        }
        let mut cached = self
            .resolved_load
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(version) = cached.as_ref() {
            return Ok(Some(version.clone()));
        }
        let newest = self.list_versions().into_iter().next().ok_or_else(|| {
            DatasetError::message(format!(
                "Did not find any versions for {}",
                self.filepath.display()
            ))
        })?;
        *cached = Some(newest.clone());
        Ok(Some(newest))
    }

    /// The path to read.
    pub fn load_path(&self) -> Result<PathBuf, DatasetError> {
        match self.load_version()? {
            None => Ok(self.filepath.clone()),
            Some(version) => {
                let path = self.filepath.join(&version).join(self.file_name());
                if !path.exists() {
                    return Err(DatasetError::message(format!(
                        "version '{version}' of {} does not exist ({}); available: {}",
                        self.filepath.display(),
                        path.display(),
                        {
                            let versions = self.list_versions();
                            if versions.is_empty() {
                                "none".to_owned()
                            } else {
                                versions.join(", ")
                            }
                        }
                    )));
                }
                Ok(path)
            }
        }
    }

    /// The path to write. A versioned save never overwrites an existing version.
    pub fn save_path(&self) -> Result<PathBuf, DatasetError> {
        let Some(spec) = &self.version else {
            return Ok(self.filepath.clone());
        };
        let version = spec
            .save
            .clone()
            .unwrap_or_else(weir_core::runner::generate_timestamp);
        if self.filepath.is_file() {
            return Err(DatasetError::message(format!(
                "Cannot save versioned dataset '{}' to '{}' because a file with the same name already exists in the directory. This is likely because versioning was enabled on a dataset already saved previously. Either remove '{}' from the directory or manually convert it into a versioned dataset by placing it in a versioned directory (e.g. with default versioning format '{}/<version>/{}').",
                self.file_name().to_string_lossy(),
                self.filepath
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                self.file_name().to_string_lossy(),
                self.filepath.display(),
                self.file_name().to_string_lossy(),
            )));
        }
        let path = self.filepath.join(&version).join(self.file_name());
        if path.exists() {
            return Err(DatasetError::message(format!(
                "Save path '{}' for {} must not exist if versioning is enabled.",
                path.display(),
                self.filepath.display()
            )));
        }
        Ok(path)
    }

    /// Called after a save: the saved version becomes the one to load.
    pub fn saved(&self) {
        if let Some(spec) = &self.version {
            let mut cached = self
                .resolved_load
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let (Some(load), Some(save)) = (&spec.load, &spec.save)
                && load != save
            {
                tracing::warn!(
                    "Save version '{save}' did not match load version '{load}' for {}. This is strongly discouraged due to inconsistencies it may cause between 'save' and 'load' operations. Please refrain from setting exact load version for intermediate datasets where possible to avoid this warning.",
                    self.filepath.display()
                );
            }
            *cached = spec.save.clone();
        }
    }

    /// Whether there is something to load.
    pub fn exists(&self) -> bool {
        if self.version.is_some() {
            return self.load_path().is_ok_and(|p| p.exists());
        }
        self.filepath.exists()
    }

    /// Forgets the resolved load version.
    pub fn release(&self) {
        *self
            .resolved_load
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// `filepath=..., version=...` for descriptions.
    pub fn describe(&self) -> String {
        match &self.version {
            None => format!("filepath={}", self.filepath.display()),
            Some(spec) => format!(
                "filepath={}, version=Version(load={:?}, save={:?})",
                self.filepath.display(),
                spec.load,
                spec.save
            ),
        }
    }
}

/// Reads a whole file, with an error that names it.
pub fn read_file(path: &Path) -> Result<Vec<u8>, DatasetError> {
    std::fs::read(path).map_err(|e| read_error(path, e))
}

/// Opens a file for reading, with the same errors as [`read_file`]. Readers that can map the
/// file (polars) then need no copy of it in memory.
pub fn open_file(path: &Path) -> Result<std::fs::File, DatasetError> {
    std::fs::File::open(path).map_err(|e| read_error(path, e))
}

fn read_error(path: &Path, e: std::io::Error) -> DatasetError {
    let hint = if e.kind() == std::io::ErrorKind::NotFound {
        " (no such file: check `filepath` in the catalog, or run the node that writes it)"
    } else {
        ""
    };
    DatasetError::with_source(format!("cannot read {}: {e}{hint}", path.display()), e)
}
