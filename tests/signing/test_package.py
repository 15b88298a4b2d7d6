"""The signing core is a library: importing it pulls in no web framework (it is shared by web, CLI and tasks)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_signing_imports_without_django() -> None:
    code = (
        "import sys, khoso.signing, khoso.signing.testca, khoso.signing.stamps, khoso.signing.pades\n"
        "import khoso.signing.ltv, khoso.signing.testpki\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'django')\n"
        "assert not loaded, loaded\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
