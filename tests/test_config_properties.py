"""Properties of the settings loader: whatever a variable or a file holds, the loader returns
settings or raises one ConfigError that names the setting; never another exception."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.config import Settings, check_smtp_url, env_name, load_settings
from litwatch.digests.mailer import parse_smtp_url
from litwatch.errors import ConfigError

EXAMPLES = int(os.environ.get("LITWATCH_PROPERTY_EXAMPLES", "60"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FIELDS = sorted(Settings.model_fields)
# What an environment variable can hold: no NUL byte (the OS refuses it).
ENV_TEXT = st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=40)
TOML_VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dates(),
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("LITWATCH_") or key == "NCBI_API_KEY":
            monkeypatch.delenv(key)


@FAST
@given(field=st.sampled_from(FIELDS), value=ENV_TEXT)
def test_any_variable_gives_settings_or_a_named_error(field: str, value: str) -> None:
    var = env_name(field)
    os.environ[var] = value
    try:
        load_settings()
    except ConfigError as exc:
        assert var in str(exc) and len(str(exc).splitlines()) == 1
    finally:
        del os.environ[var]


@FAST
@given(values=st.dictionaries(st.sampled_from(FIELDS), TOML_VALUES, max_size=4))
def test_any_toml_file_gives_settings_or_a_named_error(
    values: dict[str, object], tmp_path: Path
) -> None:
    path = tmp_path / "litwatch.toml"
    lines = [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return  # not a TOML file this test can write; the loader's refusal is tested elsewhere
    try:
        load_settings(path)
    except ConfigError as exc:
        assert any(env_name(k) in str(exc) for k in values), str(exc)


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return "nan"
    return str(value)  # ints, floats (inf included), dates and lists of ints read back as TOML


def _toml_string(value: str) -> str:
    escaped = "".join(
        c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value
    )
    return f'"{escaped}"'


URL_PART = st.text(st.characters(codec="ascii", blacklist_characters="\x00"), max_size=12)


@FAST
@given(
    scheme=st.sampled_from(["smtp", "smtps", "http", "SMTP", ""]),
    host=URL_PART,
    port=st.one_of(st.just(""), st.integers(-5, 70000).map(str), URL_PART),
    query=URL_PART,
)
def test_the_start_check_and_the_mailer_agree_on_smtp_urls(
    scheme: str, host: str, port: str, query: str
) -> None:
    url = f"{scheme}://{host}" + (f":{port}" if port else "") + (f"?{query}" if query else "")
    try:
        check_smtp_url(url)
    except ValueError:
        return
    parse_smtp_url(url)  # a URL passed at start is one the mailer can use
