"""The HTML report of a run folder: verdict, targets table and embedded figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_targets import make_run

from analysis.report import write_report

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(make_run(tmp_path_factory.mktemp("run") / "fixture"))


def test_report_has_verdict_table_and_figures(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert report.name == "report.html"
    assert text.index("Reliable 可靠") < text.index("<table")  # the verdict comes first
    assert "失负荷小时数" in text and "利用小时数" in text and "弃电率" in text
    assert "input not honoured" in text and "outside the model" in text
    images = re.findall(r'<img [^>]*src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == 7
    assert all(len(i) > 1000 for i in images)
    assert "http://" not in text and "https://" not in text  # opens offline


@pytest.mark.browser
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed (/usr/bin/chromium; Debian package 'chromium')")
    probe = tmp_path / "probe.html"
    check = (
        "<script>window.onload=()=>{document.title=[...document.images]"
        ".every(i=>i.complete&&i.naturalWidth>0)?'IMAGES_OK':'IMAGES_BROKEN'}</script>"
    )
    shutil.copy(report, probe)
    probe.write_text(
        probe.read_text(encoding="utf-8").replace("</body>", check + "</body>"), encoding="utf-8"
    )
    out = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "<title>IMAGES_OK</title>" in out.stdout
    assert "Reliable" in out.stdout
