"""One node: x + 1."""
from kedro.pipeline import Pipeline, node


def increment(x):
    return x + 1


def register_pipelines():
    return {"__default__": Pipeline([node(increment, "params:x", "y", name="increment")])}
