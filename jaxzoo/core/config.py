"""Experiment configs: locked ``ml_collections.ConfigDict`` s and ``--config.a.b=value`` overrides."""

from __future__ import annotations

import ast

import ml_collections


class ConfigError(ValueError):
    """A config key or value a user gave is not allowed; the message says what is."""


def _parse(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        low = text.lower()
        if low in ("true", "false"):
            return low == "true"
        if low in ("none", "null"):
            return None
        return text


def apply_override(config: ml_collections.ConfigDict, dotted: str, text: str) -> None:
    """Set ``config.<dotted>`` from its command-line text, keeping the field's type."""
    *parents, leaf = dotted.split(".")
    node = config
    for i, p in enumerate(parents):
        if not isinstance(node, ml_collections.ConfigDict) or p not in node:
            raise ConfigError(f"unknown config key {'.'.join(parents[: i + 1])!r}; known keys here: "
                              f"{', '.join(sorted(node.keys())) if hasattr(node, 'keys') else '(none)'}")
        node = node[p]
    if not isinstance(node, ml_collections.ConfigDict) or leaf not in node:
        known = ", ".join(sorted(node.keys())) if isinstance(node, ml_collections.ConfigDict) else "(none)"
        raise ConfigError(f"unknown config key {dotted!r}; known keys here: {known}")
    old, value = node[leaf], _parse(text)
    if isinstance(old, bool) and not isinstance(value, bool):
        raise ConfigError(f"config.{dotted} must be true or false, got {text!r}")
    if isinstance(old, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(old, (tuple, list)) and isinstance(value, (int, float, str)):
        value = (value,)
    if isinstance(old, tuple) and isinstance(value, list):
        value = tuple(value)
    if old is not None and not isinstance(value, type(old)) and not (isinstance(old, int) and
                                                                      isinstance(value, int)):
        raise ConfigError(f"config.{dotted} must be a {type(old).__name__} (like {old!r}), got {text!r}")
    try:
        node[leaf] = value
    except (TypeError, KeyError, AttributeError) as e:
        raise ConfigError(f"cannot set config.{dotted} to {text!r}: {e}") from e


def check_positive(config, *names: str, allow_zero: bool = False) -> None:
    """Raise ConfigError unless each dotted ``name`` is a number > 0 (>= 0 with ``allow_zero``)."""
    for name in names:
        v = config
        for part in name.split("."):
            v = v[part]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 or (v == 0 and not allow_zero):
            raise ConfigError(f"config.{name} must be {'>= 0' if allow_zero else '> 0'}, got {v!r}")
