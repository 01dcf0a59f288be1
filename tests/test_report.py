"""The HTML report of a run folder: verdict, targets table and embedded figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.report import causes_html, hindcast_html, write_report
from model.weather.hydrology import RECORD_PERIODS
from tests.conftest import make_run

#: Debian's package installs /usr/bin/chromium; other systems may call it chromium-browser.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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
    assert len(images) == 8
    assert "储能" in text and "full cycles" in text  # the storage table per kind
    assert "历史回算" not in text  # no hindcast.csv in this run folder
    assert all(len(i) > 1000 for i in images)
    assert "http://" not in text and "https://" not in text  # opens offline


def _hindcast_csv(folder: Path) -> Path:
    """A ``hindcast.csv`` as ``gzgrid hindcast`` writes it: hydro 5 % above the record, levels
    lowest in May and highest in October."""
    record = np.linspace(2.0, 7.0, len(RECORD_PERIODS))
    level = [0.6, 0.5, 0.4, 0.3, 0.2, 0.3, 0.5, 0.6, 0.7, 0.9, 0.8, 0.7]
    hydro = zip(RECORD_PERIODS, record, strict=True)
    rows = [("hydro", "monthly hydro", p, 1.05 * r, r, "TWh") for p, r in hydro]
    rows += [("level", "month end", f"m{i}", x, np.nan, "share") for i, x in enumerate(level)]
    rows += [("peak", "peak domestic load", "year", 20.0, 21.0, "GW")]
    columns = ["section", "item", "period", "model", "record", "unit"]
    pd.DataFrame(rows, columns=columns).to_csv(folder / "hindcast.csv", index=False)
    return folder


def test_hindcast_section(tmp_path: Path) -> None:
    section = hindcast_html(_hindcast_csv(tmp_path))
    assert section.startswith("<h2>Hindcast 历史回算</h2>")
    assert "Jan+Feb" in section and "monthly hydro correlation" in section
    assert section.count('class="l met">passed') == 4  # annual hydro 5 % off: the one failed check
    assert section.count('class="l missed">failed') == 1
    assert "<img" not in section  # no hindcast.png
    (tmp_path / "hindcast.csv").write_text("section,item\nhydro,x\n", encoding="utf-8")
    assert "cannot be read" in hindcast_html(tmp_path)  # a damaged table: a note, not a failure
    assert hindcast_html(tmp_path / "elsewhere") == ""


@pytest.mark.browser
def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        pytest.skip("headless Chromium not installed (no 'chromium' on PATH; Debian package 'chromium')")
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
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    assert "<title>IMAGES_OK</title>" in out.stdout
    assert "Reliable" in out.stdout


def test_the_report_says_what_caused_each_shortfall(tmp_path: Path) -> None:
    import json

    assert "No demand response" in causes_html(tmp_path)  # no summary: nothing to attribute
    event = {"start": "2022-12-01T00:00:00", "hours": 480, "dr_mwh": 414_200.0, "unserved_mwh": 0.0,
             "peak_mw": 1381.0, "export_cut_mwh": 276_600.0, "hydro_share_of_normal": 0.23,
             "inflow_vs_expected": -0.21, "coal_maintenance_mw": 0.0, "coal_outage_mw": 1900.0,
             "coal_supply_mw": 0.0, "coal_quality_mw": 0.0, "coal_fuel_mw": 14_600.0,
             "load_above_normal": 0.0}  # fmt: skip
    (tmp_path / "summary.json").write_text(json.dumps({"shortfall_causes": [event]}), encoding="utf-8")
    text = causes_html(tmp_path)
    for cell in ("2022-12-01 00:00", ">480<", ">414.2<", ">23%<", ">-21%<", ">14.6<", "coal without fuel GW"):
        assert cell in text, cell
