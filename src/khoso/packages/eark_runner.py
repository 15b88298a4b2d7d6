"""Run the E-ARK validator (PyPI ``eark-validator``, CSIP profile) on a package and print its findings as JSON.

Why a separate script: eark-validator pins an old lxml, so it lives in its own virtual environment
(``.venv-eark``) and is run as a subprocess with that interpreter, never imported by Kho Số. This file
therefore imports neither Django nor anything of ``khoso``; it needs only the standard library and
the validator.

Why the ``urlopen`` replacement: on import the validator downloads the four CSIP vocabularies from
earkcsip.dilcis.eu. An archive's machines (and our tests) work offline, so the vocabularies are read
from a local folder (``--vocab``, by default ../shared/spec/eark-vocab) and every other URL is refused,
so the run can never reach the network.

Usage: ``.venv-eark/bin/python eark_runner.py [--vocab DIR] [--version V2.0.4] PACKAGE...`` where a
package is an unpacked package folder (the folder named after its OBJID) or a ZIP. The output is one
JSON object per package in a list: ``{"package", "structure", "valid", "results": [{"rule_id",
"severity", "source", "location", "message"}]}``; the exit status is 0 when every package is valid and
``FINDINGS_EXIT`` (4) when one is not (1 stays Python's own status for a crash, 2 argparse's).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts this folder first on sys.path, where our selectors.py would shadow the
# standard library's (imported by socket, hence by urllib.request). Drop it before anything else.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import urllib.request  # noqa: E402
from typing import Any  # noqa: E402

#: TT 05/2025 extends CSIP v2.0.4 (standards.md §6.3).
DEFAULT_VERSION = "V2.0.4"
FINDINGS_EXIT = 4
DEFAULT_VOCAB = Path(__file__).resolve().parents[4] / "shared" / "spec" / "eark-vocab"


def offline_urlopen(vocab_dir: Path):  # type: ignore[no-untyped-def]
    """An ``urlopen`` that serves the CSIP vocabulary files from ``vocab_dir`` and refuses any other URL."""
    known = {path.name: path for path in vocab_dir.glob("*.xml")}

    def urlopen(url: Any, *args: Any, **kwargs: Any) -> io.BytesIO:
        address = url if isinstance(url, str) else url.get_full_url()
        name = address.rstrip("/").rsplit("/", 1)[-1]
        if name not in known:
            raise OSError(f"offline: no local copy of {address} in {vocab_dir}")
        return io.BytesIO(known[name].read_bytes())

    return urlopen


def _result(message: Any, source: str) -> dict[str, str]:
    return {
        "rule_id": message.rule_id or "",
        "severity": message.severity.value if message.severity else "",
        "source": source,
        "location": message.location or "",
        "message": message.message or "",
    }


def validate(package: Path, version: str) -> dict[str, Any]:
    from eark_validator.packages import PackageValidator
    from eark_validator.specifications.specification import SpecificationVersion

    report = PackageValidator(package, SpecificationVersion(version)).validation_report
    results = [_result(message, "structure") for message in report.structure.messages]
    if report.metadata is not None:
        results += [_result(message, "schema") for message in report.metadata.schema_results.messages]
        results += [_result(message, "schematron") for message in report.metadata.schematron_results.messages]
    return {
        "package": str(package),
        "structure": report.structure.status.value,
        "valid": report.metadata is not None and report.is_valid,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="E-ARK CSIP validation of TT 05 packages, offline, as JSON.")
    parser.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB, help="folder of CSIPVocabulary*.xml")
    parser.add_argument("--version", default=DEFAULT_VERSION, help="CSIP version (V2.0.4 or V2.1.0)")
    parser.add_argument("packages", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if not args.vocab.is_dir():
        parser.error(f"vocabulary folder not found: {args.vocab}")
    urllib.request.urlopen = offline_urlopen(args.vocab)  # before the validator is imported (see docstring)
    reports = [validate(package, args.version) for package in args.packages]
    json.dump(reports, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0 if all(report["valid"] for report in reports) else FINDINGS_EXIT


if __name__ == "__main__":
    sys.exit(main())
