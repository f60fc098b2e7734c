"""Module metadata: validating front matter and sidecars, inferring what is missing."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from content_index.errors import MetadataError
from content_index.model import DIFFICULTIES, FORMATS, ModuleMeta
from content_index.structure import RawDocument

WORDS_PER_MINUTE = 200
SIDECAR_MAX_BYTES = 1024 * 1024
_SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml", ".yaml", ".yml")
_SLUG_JUNK = re.compile(r"[\W_]+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"“'(\[]?[A-Z0-9])")
_LIST_OR_TABLE = re.compile(r"^(?:[-*+]\s|\d+[.)]\s)|\s\|\s")
_SUMMARY_MIN_WORDS = 25
_SUMMARY_MAX_WORDS = 60
_SUMMARY_MIN_PARAGRAPH = 8

_Validator = Callable[[object], object]


class _Invalid(ValueError):
    """A field value has the wrong type or is out of range; the text says what was expected."""


def _describe(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return repr(value)


def _text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f"expected text, got {_describe(value)}")
    return str(value).strip()


def _names(value: object) -> tuple[str, ...]:
    """A list of names; a single string (comma-separated or not) is accepted too."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if not isinstance(value, list | tuple):
        raise _Invalid(f"expected a list of names, got {_describe(value)}")
    names = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise _Invalid(f"expected a list of names, but one item is {_describe(item)}")
        if str(item).strip():
            names.append(str(item).strip())
    return tuple(names)


def _minutes(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise _Invalid(f"expected a positive whole number of minutes, got {_describe(value)}")
    return math.ceil(value)


def _choice(allowed: tuple[str, ...]) -> _Validator:
    def validate(value: object) -> str:
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower()
        raise _Invalid(f"expected one of {', '.join(allowed)}, got {_describe(value)}")

    return validate


_FIELDS: dict[str, _Validator] = {
    "id": _text,
    "title": _text,
    "summary": _text,
    "url": _text,
    "competencies": _names,
    "prerequisites": _names,
    "audience": _names,
    "tags": _names,
    "difficulty": _choice(DIFFICULTIES),
    "format": _choice(FORMATS),
    "minutes": _minutes,
}


def validate_metadata(
    fields: Mapping[str, object],
    *,
    path: str,
    origin: str,
    lines: Mapping[str, int] | None = None,
) -> dict[str, object]:
    """Check and normalise the known metadata fields; unknown keys are ignored.

    Args:
        fields: Front matter or sidecar mapping.
        path: The document, named in errors.
        origin: Where the fields come from, for errors ("front matter", "sidecar x.yaml").
        lines: Source line of each key, when known.

    Returns:
        The known fields that have a non-empty value, normalised (tuples, ints, lowercase).

    Raises:
        MetadataError: A known field has the wrong type or an unknown value.
    """
    result: dict[str, object] = {}
    for name, validate in _FIELDS.items():
        if name not in fields or fields[name] is None:
            continue
        try:
            value = validate(fields[name])
        except _Invalid as exc:
            line = (lines or {}).get(name)
            where = f" (line {line})" if line else ""
            message = f"has an invalid {origin} field '{name}'{where}: {exc}"
            raise MetadataError(path, message, field=name) from None
        if value not in ("", ()):
            result[name] = value
    return result


def build_meta(
    raw: RawDocument,
    *,
    source: str,
    filename: str,
    sidecar: Mapping[str, object] | None = None,
) -> ModuleMeta:
    """Combine the document's own metadata, its sidecar (which wins) and inferred values.

    Raises:
        MetadataError: Front matter or sidecar fields are invalid.
    """
    path = source or filename
    given = validate_metadata(
        raw.metadata, path=path, origin="front matter", lines=raw.metadata_lines
    )
    if sidecar:
        given.update(validate_metadata(sidecar, path=path, origin="sidecar"))
    inferred = _inferred_fields(raw, source=path, filename=filename)
    missing = tuple(name for name in inferred if name not in given)
    values = {**{name: inferred[name] for name in missing}, **given}
    return ModuleMeta(**values, source=source, inferred=missing)  # type: ignore[arg-type]


def _inferred_fields(raw: RawDocument, *, source: str, filename: str) -> dict[str, object]:
    words = sum(len(paragraph.split()) for paragraph in raw.paragraphs())
    stem_title = humanise(PurePosixPath(source.replace("\\", "/") or filename))
    inferred: dict[str, object] = {
        "id": module_id(source or filename),
        "title": raw.title_hint or raw.first_heading() or stem_title,
        "minutes": max(1, math.ceil(words / WORDS_PER_MINUTE)),
        "difficulty": "foundation",
        "format": "text",
        "summary": infer_summary(raw),
    }
    if "://" in source:
        inferred["url"] = source
    return inferred


def module_id(source: str) -> str:
    """Slug a source path into a module id.

    "Security/Phishing Basics.md" gives "security/phishing-basics"; URLs keep their host
    and path; the file extension is dropped.
    """
    if "://" in source:
        parts = urlsplit(source)
        source = parts.netloc + parts.path
    pure = PurePosixPath(source.replace("\\", "/"))
    names = [*pure.parent.parts, pure.stem if pure.suffix else pure.name]
    slugs = [_SLUG_JUNK.sub("-", name.lower()).strip("-") for name in names]
    return "/".join(s for s in slugs if s) or "module"


def humanise(path: PurePosixPath) -> str:
    """A readable title from a file path: "phishing-basics.md" -> "Phishing basics".

    "index" and "readme" files take their folder's name, as that is what they describe.
    """
    stem = path.stem if path.suffix else path.name
    if stem.lower() in ("index", "readme") and path.parent.name:
        stem = path.parent.name
    words = " ".join(_SLUG_JUNK.sub(" ", stem).split())
    return words[:1].upper() + words[1:] if words else "Untitled"


def infer_summary(raw: RawDocument) -> str:
    """The first sentence or two of the first prose paragraph (lists and tables skipped)."""
    paragraphs = [" ".join(p.split()) for p in raw.paragraphs()]
    prose = [
        p
        for p in paragraphs
        if len(p.split()) >= _SUMMARY_MIN_PARAGRAPH and not _LIST_OR_TABLE.search(p)
    ]
    chosen = (prose or paragraphs or [""])[0]
    summary: list[str] = []
    for sentence in _SENTENCE_BREAK.split(chosen):
        summary.append(sentence)
        if len(summary) == 2 or len(" ".join(summary).split()) >= _SUMMARY_MIN_WORDS:
            break
    words = " ".join(summary).split()
    if len(words) > _SUMMARY_MAX_WORDS:
        return " ".join(words[:_SUMMARY_MAX_WORDS]) + "…"
    return " ".join(words)


def find_sidecar(path: Path) -> Path | None:
    """The metadata file next to a document, if any.

    Looked up in order: "guide.pdf.meta.yaml", "guide.meta.yaml", "guide.pdf.yaml",
    "guide.yaml" (each also with ".yml").
    """
    for suffix in _SIDECAR_SUFFIXES:
        for base in (path.name, path.stem):
            candidate = path.with_name(base + suffix)
            if candidate != path and candidate.is_file():
                return candidate
    return None


def is_sidecar(path: Path) -> bool:
    """Whether a file is some document's metadata sidecar rather than content."""
    name = path.name.lower()
    if name.endswith((".meta.yaml", ".meta.yml")):
        return True
    if not name.endswith((".yaml", ".yml")):
        return False
    base = path.name[: path.name.rfind(".")]
    if path.with_name(base).is_file():
        return True
    return any(
        sibling.stem == base and sibling.suffix.lower() not in (".yaml", ".yml")
        for sibling in path.parent.iterdir()
    )


def load_sidecar(path: Path) -> dict[str, object]:
    """Read a sidecar YAML file into a mapping (fields are validated when parsing).

    Raises:
        MetadataError: Too large, not UTF-8, not valid YAML or not a mapping.
    """
    import yaml

    name = str(path)
    data = path.read_bytes()
    if len(data) > SIDECAR_MAX_BYTES:
        raise MetadataError(name, "is too large for a metadata file (over 1 MB)")
    try:
        loaded = yaml.load(
            data.decode("utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except UnicodeDecodeError:
        raise MetadataError(name, "is not UTF-8 text; re-save it as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise MetadataError(name, f"is not valid YAML{where}: {exc}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise MetadataError(name, f"must be a mapping of fields, not a {type(loaded).__name__}")
    return {str(key): value for key, value in loaded.items()}
