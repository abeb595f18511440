//! What a `before_node_run` hook asks of the runner: input overrides, or skipping the node.

use crate::value::{Data, Value};

/// What a `before_node_run` hook asks of the runner: go on, with some inputs replaced, or skip
/// the function (a cache hit) with the outputs to use instead.
#[derive(Default, Debug)]
pub struct NodeDirective {
    overrides: Vec<(String, Value)>,
    skip: Option<Vec<(String, Value)>>,
    /// The hook that gave each override, then the hook that asked to skip (filled in by the
    /// hook manager, for error messages).
    override_hooks: Vec<Option<String>>,
    skip_hook: Option<String>,
}

impl NodeDirective {
    /// Run the node as planned.
    pub fn proceed() -> Self {
        Self::default()
    }

    /// Replaces an input's value (Kedro's `before_node_run` returning a dict). The value must be
    /// of the type the node's argument takes.
    pub fn override_input(mut self, name: impl Into<String>, value: impl Data) -> Self {
        self.overrides.push((name.into(), Value::new(value)));
        self.override_hooks.push(None);
        self
    }

    /// Skips the node's function and uses these values as its outputs (they are saved and
    /// passed on as if the node had produced them). Every output must be given.
    pub fn skip_with_outputs<N: Into<String>>(
        outputs: impl IntoIterator<Item = (N, Value)>,
    ) -> Self {
        Self {
            skip: Some(
                outputs
                    .into_iter()
                    .map(|(name, value)| (name.into(), value))
                    .collect(),
            ),
            ..Self::default()
        }
    }

    /// Skips the node's function without producing outputs: what its outputs already hold is
    /// used (only sensible when they are persisted datasets that exist).
    pub fn skip() -> Self {
        Self {
            skip: Some(Vec::new()),
            ..Self::default()
        }
    }

    /// The input overrides, in order.
    pub fn overrides(&self) -> &[(String, Value)] {
        &self.overrides
    }

    /// The outputs to use instead of running, if the node is skipped.
    pub fn skipped_outputs(&self) -> Option<&[(String, Value)]> {
        self.skip.as_deref()
    }

    /// Whether this directive changes nothing.
    pub fn is_proceed(&self) -> bool {
        self.overrides.is_empty() && self.skip.is_none()
    }

    /// The hook that gave the override at `index`, when known.
    pub(crate) fn override_hook(&self, index: usize) -> Option<&str> {
        self.override_hooks.get(index).and_then(Option::as_deref)
    }

    /// The hook that asked to skip, when known.
    pub(crate) fn skip_hook(&self) -> Option<&str> {
        self.skip_hook.as_deref()
    }

    /// Merges a later hook's directive into this one: later overrides and skips win.
    pub fn merge(&mut self, later: NodeDirective) {
        self.merge_from(later, None);
    }

    pub(super) fn merge_from(&mut self, later: NodeDirective, hook: Option<&str>) {
        let origins = later
            .override_hooks
            .into_iter()
            .chain(std::iter::repeat(None));
        for ((name, value), origin) in later.overrides.into_iter().zip(origins) {
            let origin = origin.or_else(|| hook.map(str::to_owned));
            match self.overrides.iter().position(|(n, _)| *n == name) {
                Some(index) => {
                    self.overrides[index].1 = value;
                    self.override_hooks[index] = origin;
                }
                None => {
                    self.overrides.push((name, value));
                    self.override_hooks.push(origin);
                }
            }
        }
        if later.skip.is_some() {
            self.skip = later.skip;
            self.skip_hook = later.skip_hook.or_else(|| hook.map(str::to_owned));
        }
    }
}
