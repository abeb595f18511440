//! Text, bytes and `serde` datasets: JSON, YAML and Weir's binary "pickle".
//!
//! A dataset written in Rust can be typed (`JsonDataset::<Config>::new(path)`). A dataset
//! configured in `catalog.yml` does not know its Rust type; it learns it from the node that
//! reads it, and encodes what a node saves, through the [`SerdeTypes`] registered with the
//! project (`serde_json::Value`, strings, numbers, vectors and maps of those are built in).
//!
//! ## The binary ("pickle") format
//! `pickle.PickleDataset` files are written by Weir as: the 8 bytes `WEIRPKL1`, the Rust type
//! name as UTF-8 followed by `\n`, then the value encoded with `postcard` (a compact,
//! non-self-describing serde format). They are not Python pickles and Python cannot read them;
//! the type name lets Weir say what a file holds when a node asks for something else.

use std::any::TypeId;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use weir_core::{Data, Dataset, DatasetError, TypeInfo, Value};

use crate::fs::{Target, read_file, write_atomic};

const PICKLE_MAGIC: &[u8; 8] = b"WEIRPKL1";

/// The encodings of one type.
#[derive(Clone, Copy)]
struct Codec {
    info: TypeInfo,
    to_json: fn(&Value) -> Result<serde_json::Value, String>,
    from_json: fn(serde_json::Value) -> Result<Value, String>,
    to_yaml: fn(&Value) -> Result<String, String>,
    from_yaml: fn(&str) -> Result<Value, String>,
    to_binary: fn(&Value) -> Result<Vec<u8>, String>,
    from_binary: fn(&[u8]) -> Result<Value, String>,
}

fn codec<T: Data + Serialize + DeserializeOwned>() -> Codec {
    fn get<T: Data>(value: &Value) -> Result<&T, String> {
        value.downcast_ref::<T>().ok_or_else(|| {
            format!(
                "expected `{}`, found `{}`",
                TypeInfo::of::<T>(),
                value.type_info()
            )
        })
    }
    Codec {
        info: TypeInfo::of::<T>(),
        to_json: |v| serde_json::to_value(get::<T>(v)?).map_err(|e| e.to_string()),
        from_json: |j| {
            serde_json::from_value::<T>(j)
                .map(Value::new)
                .map_err(|e| e.to_string())
        },
        to_yaml: |v| serde_saphyr::to_string(get::<T>(v)?).map_err(|e| e.to_string()),
        from_yaml: |s| {
            serde_saphyr::from_str::<T>(s)
                .map(Value::new)
                .map_err(|e| e.to_string())
        },
        to_binary: |v| postcard::to_stdvec(get::<T>(v)?).map_err(|e| e.to_string()),
        from_binary: |b| {
            postcard::from_bytes::<T>(b)
                .map(Value::new)
                .map_err(|e| e.to_string())
        },
    }
}

/// The Rust types that catalog-configured JSON, YAML and pickle datasets can hold.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Model { coefficients: Vec<f64> }
/// impl weir_core::Data for Model {}
///
/// let types = weir_datasets::SerdeTypes::new().with::<Model>();
/// let registry = weir_datasets::registry(types);
/// assert!(registry.names().contains(&"pickle.PickleDataset".to_owned()));
/// ```
#[derive(Clone)]
pub struct SerdeTypes {
    codecs: HashMap<TypeId, Codec>,
}

impl std::fmt::Debug for SerdeTypes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<String> = self.codecs.values().map(|c| c.info.to_string()).collect();
        names.sort();
        f.debug_struct("SerdeTypes").field("types", &names).finish()
    }
}

impl Default for SerdeTypes {
    fn default() -> Self {
        Self::new()
    }
}

impl SerdeTypes {
    /// The built-in types: `serde_json::Value`, `String`, `bool`, `i64`, `u64`, `f64`, and
    /// `Vec`s and `BTreeMap<String, _>`s of those.
    pub fn new() -> Self {
        let mut types = Self {
            codecs: HashMap::new(),
        };
        types.add::<serde_json::Value>();
        types.add::<String>();
        types.add::<bool>();
        types.add::<i64>();
        types.add::<u64>();
        types.add::<f64>();
        types.add::<Vec<f64>>();
        types.add::<Vec<i64>>();
        types.add::<Vec<String>>();
        types.add::<BTreeMap<String, f64>>();
        types.add::<BTreeMap<String, String>>();
        types.add::<BTreeMap<String, serde_json::Value>>();
        types
    }

    /// Adds a type.
    #[must_use]
    pub fn with<T: Data + Serialize + DeserializeOwned>(mut self) -> Self {
        self.add::<T>();
        self
    }

    /// Adds a type.
    pub fn add<T: Data + Serialize + DeserializeOwned>(&mut self) {
        self.codecs.insert(TypeId::of::<T>(), codec::<T>());
    }

    fn get(&self, info: &TypeInfo) -> Option<&Codec> {
        self.codecs.get(&info.id())
    }

    fn for_value(&self, value: &Value) -> Result<&Codec, DatasetError> {
        self.get(&value.type_info()).ok_or_else(|| {
            DatasetError::message(format!(
                "cannot encode a `{}`: register it with `SerdeTypes::with::<{}>()` (it must implement serde's Serialize and Deserialize)",
                value.type_info(),
                value.type_info().short_name()
            ))
        })
    }

    fn for_reader(&self, expected: TypeInfo) -> Result<Option<&Codec>, DatasetError> {
        if expected.is_any() {
            return Ok(None);
        }
        self.get(&expected).map(Some).ok_or_else(|| {
            DatasetError::message(format!(
                "cannot decode into `{expected}`: register it with `SerdeTypes::with::<{}>()` (it must implement serde's Serialize and Deserialize)",
                expected.short_name()
            ))
        })
    }
}

/// Which serde format a [`SerdeDataset`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerdeFormat {
    /// JSON (`json.JSONDataset`), indented as configured.
    Json {
        /// Indentation; `None` for compact output.
        indent: Option<usize>,
    },
    /// YAML (`yaml.YAMLDataset`).
    Yaml,
    /// Weir's binary format (`pickle.PickleDataset`).
    Binary,
}

/// A JSON, YAML or binary file holding any registered serde type (the catalog's
/// `json.JSONDataset`, `yaml.YAMLDataset`, `pickle.PickleDataset`).
pub struct SerdeDataset {
    target: Target,
    format: SerdeFormat,
    types: Arc<SerdeTypes>,
}

impl SerdeDataset {
    /// A dataset at `target` in `format`, encoding the `types` registered.
    pub fn new(target: Target, format: SerdeFormat, types: Arc<SerdeTypes>) -> Self {
        Self {
            target,
            format,
            types,
        }
    }

    fn read(&self, expected: TypeInfo) -> Result<Value, DatasetError> {
        let path = self.target.load_path()?;
        let bytes = read_file(&path)?;
        let codec = self.types.for_reader(expected)?;
        let bad =
            |e: String| DatasetError::message(format!("cannot decode {}: {e}", path.display()));
        match self.format {
            SerdeFormat::Json { .. } => {
                let json: serde_json::Value =
                    serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
                match codec {
                    None => Ok(Value::new(json)),
                    Some(codec) => (codec.from_json)(json).map_err(bad),
                }
            }
            SerdeFormat::Yaml => {
                let text = String::from_utf8(bytes).map_err(|e| bad(e.to_string()))?;
                match codec {
                    None => serde_saphyr::from_str::<serde_json::Value>(&text)
                        .map(Value::new)
                        .map_err(|e| bad(e.to_string())),
                    Some(codec) => (codec.from_yaml)(&text).map_err(bad),
                }
            }
            SerdeFormat::Binary => {
                let rest = bytes.strip_prefix(PICKLE_MAGIC.as_slice()).ok_or_else(|| {
                    bad("not a Weir binary file (Python pickles cannot be read; re-save the data with Weir)".to_owned())
                })?;
                let newline = rest
                    .iter()
                    .position(|b| *b == b'\n')
                    .ok_or_else(|| bad("truncated header".to_owned()))?;
                let stored = String::from_utf8_lossy(&rest[..newline]).into_owned();
                let payload = &rest[newline + 1..];
                let Some(codec) = codec else {
                    return Err(bad(format!(
                        "the file holds a `{stored}`; the reading node must take that type (not an untyped value)"
                    )));
                };
                (codec.from_binary)(payload).map_err(|e| {
                    bad(format!(
                        "the file holds a `{stored}`, read as `{}`: {e}",
                        codec.info
                    ))
                })
            }
        }
    }
}

impl Dataset for SerdeDataset {
    type Value = Value;

    fn load(&self) -> Result<Value, DatasetError> {
        self.read(TypeInfo::of::<Value>())
    }

    fn load_for(&self, expected: TypeInfo) -> Result<Value, DatasetError> {
        self.read(expected)
    }

    fn save(&self, value: &Value) -> Result<(), DatasetError> {
        let codec = self.types.for_value(value)?;
        let bytes: Vec<u8> = match self.format {
            SerdeFormat::Json { indent } => {
                let json = (codec.to_json)(value).map_err(DatasetError::message)?;
                match indent {
                    None => serde_json::to_vec(&json),
                    Some(n) => {
                        let indent = vec![b' '; n];
                        let mut out = Vec::new();
                        let formatter = serde_json::ser::PrettyFormatter::with_indent(&indent);
                        let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
                        json.serialize(&mut ser).map(|()| out)
                    }
                }
                .map_err(|e| DatasetError::with_source(e.to_string(), e))?
            }
            SerdeFormat::Yaml => (codec.to_yaml)(value)
                .map_err(DatasetError::message)?
                .into_bytes(),
            SerdeFormat::Binary => {
                let payload = (codec.to_binary)(value).map_err(DatasetError::message)?;
                let mut out = Vec::with_capacity(payload.len() + 64);
                out.extend_from_slice(PICKLE_MAGIC);
                out.extend_from_slice(codec.info.name().as_bytes());
                out.push(b'\n');
                out.extend_from_slice(&payload);
                out
            }
        };
        let path = self.target.save_path()?;
        write_atomic(&path, |w| Ok(w.write_all(&bytes)?))?;
        self.target.saved();
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.target.exists())
    }

    fn release(&self) {
        self.target.release();
    }

    fn describe(&self) -> String {
        format!("{}({})", self.type_name(), self.target.describe())
    }

    fn type_name(&self) -> String {
        match self.format {
            SerdeFormat::Json { .. } => "json.JSONDataset",
            SerdeFormat::Yaml => "yaml.YAMLDataset",
            SerdeFormat::Binary => "pickle.PickleDataset",
        }
        .to_owned()
    }
}

/// A JSON file holding a `T`, for datasets declared in Rust.
///
/// ```
/// use weir_core::Dataset;
/// # let dir = tempfile::tempdir().unwrap();
/// let dataset = weir_datasets::JsonDataset::<Vec<u32>>::new(dir.path().join("x.json"));
/// dataset.save(&vec![1, 2, 3]).unwrap();
/// assert_eq!(dataset.load().unwrap(), vec![1, 2, 3]);
/// ```
pub struct JsonDataset<T> {
    target: Target,
    _type: PhantomData<fn() -> T>,
}

impl<T> JsonDataset<T> {
    /// A JSON file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            target: Target::plain(path),
            _type: PhantomData,
        }
    }
}

impl<T: Data + Serialize + DeserializeOwned> Dataset for JsonDataset<T> {
    type Value = T;

    fn load(&self) -> Result<T, DatasetError> {
        let path = self.target.load_path()?;
        serde_json::from_slice(&read_file(&path)?).map_err(|e| {
            DatasetError::with_source(format!("cannot decode {}: {e}", path.display()), e)
        })
    }

    fn save(&self, value: &T) -> Result<(), DatasetError> {
        let path = self.target.save_path()?;
        write_atomic(&path, |w| {
            serde_json::to_writer_pretty(w, value)
                .map_err(|e| DatasetError::with_source(e.to_string(), e))
        })
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.target.exists())
    }

    fn describe(&self) -> String {
        format!("JsonDataset({})", self.target.describe())
    }
}

/// What a whole file holds: text (`String`) or bytes (`Vec<u8>`).
pub trait FileContent: Data + Sized {
    /// The catalog type name of a file of this content.
    const TYPE_NAME: &'static str;
    /// The content from the file's bytes.
    fn from_bytes(bytes: Vec<u8>, path: &std::path::Path) -> Result<Self, DatasetError>;
    /// The bytes to write.
    fn bytes(&self) -> &[u8];
}

impl FileContent for String {
    const TYPE_NAME: &'static str = "text.TextDataset";

    fn from_bytes(bytes: Vec<u8>, path: &std::path::Path) -> Result<Self, DatasetError> {
        String::from_utf8(bytes).map_err(|e| {
            DatasetError::with_source(format!("{} is not UTF-8 text", path.display()), e)
        })
    }

    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl FileContent for Vec<u8> {
    const TYPE_NAME: &'static str = "bytes.BytesDataset";

    fn from_bytes(bytes: Vec<u8>, _: &std::path::Path) -> Result<Self, DatasetError> {
        Ok(bytes)
    }

    fn bytes(&self) -> &[u8] {
        self
    }
}

/// A whole file as text or bytes.
pub struct FileDataset<T> {
    target: Target,
    _content: PhantomData<fn() -> T>,
}

/// A text file as a `String` (`text.TextDataset`).
pub type TextDataset = FileDataset<String>;

/// A file's bytes as a `Vec<u8>` (`bytes.BytesDataset`).
pub type BytesDataset = FileDataset<Vec<u8>>;

impl<T> FileDataset<T> {
    /// A file at `target`.
    pub fn new(target: Target) -> Self {
        Self {
            target,
            _content: PhantomData,
        }
    }
}

impl<T: FileContent> Dataset for FileDataset<T> {
    type Value = T;

    fn load(&self) -> Result<T, DatasetError> {
        let path = self.target.load_path()?;
        T::from_bytes(read_file(&path)?, &path)
    }

    fn save(&self, value: &T) -> Result<(), DatasetError> {
        let path = self.target.save_path()?;
        write_atomic(&path, |w| Ok(w.write_all(value.bytes())?))?;
        self.target.saved();
        Ok(())
    }

    fn exists(&self) -> Result<bool, DatasetError> {
        Ok(self.target.exists())
    }

    fn release(&self) {
        self.target.release();
    }

    fn describe(&self) -> String {
        format!("{}({})", T::TYPE_NAME, self.target.describe())
    }

    fn type_name(&self) -> String {
        T::TYPE_NAME.to_owned()
    }
}
