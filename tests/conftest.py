"""Shared fixtures and builders.

- The bundled register and scenario folders, and copies to break.
- Tiny networks whose answers are worked out by hand (one bus, 3-24 hours: merit order, storage
  paths, curtailment, exports, unserved energy, DR calls, hydro stations), as plain builder
  functions (a test may vary them) and as fixtures of the solved ones.
- The seasonal two-bus network on which decomposed and monolithic dispatch are compared.
- One real run folder (48 h of the 2030 target, written by ``gzgrid run`` in-process) for every
  test that reads a run folder; tests that change a run folder work on a copy.
- Readers of solved networks: bus and water balances, unserved energy.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import pytest
import yaml

from model import NETWORK_DATA, ROOT
from model.dispatch import solve_monolithic
from model.register import Register, load_register
from model.scenario import SolverOptions

RUNS = ROOT / "runs"
#: Value of lost load of the tiny networks [CNY/MWh].
VOLL = 10_000.0

pypsa.options.api.legacy_string_dtype = False


# ----------------------------------------------------------------------------------------------
# register and scenario files


@pytest.fixture(scope="session")
def register() -> Register:
    """The bundled asset register, loaded once."""
    return load_register()


@pytest.fixture
def register_copy(tmp_path: Path) -> Path:
    """A writable copy of data/network/ for tests that break one file."""
    dest = tmp_path / "network"
    shutil.copytree(NETWORK_DATA, dest)
    return dest


@pytest.fixture
def runs_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled scenario files."""
    dest = tmp_path / "runs"
    dest.mkdir()
    for f in RUNS.glob("*.yaml"):
        shutil.copy(f, dest / f.name)
    return dest


def weather_inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Prefectures (lon, lat), 2030 hydro stations and demand shares of the bundled register,
    as the weather generator takes them."""
    buses = pd.read_csv(NETWORK_DATA / "buses.csv")
    regions = buses[buses["kind"] == "prefecture"].set_index("id")[["lon", "lat"]]
    stations = (
        pd.read_csv(NETWORK_DATA / "hydro.csv").set_index("id").rename(columns={"p_nom_2030_mw": "p_nom_mw"})
    )
    shares = pd.read_csv(NETWORK_DATA / "demand_shares.csv").set_index("bus")["share"]
    return regions, stations, shares


# ----------------------------------------------------------------------------------------------
# tiny hand-worked networks

#: Carriers of the one-bus network (what model.network's adders refer to).
ONE_BUS_CARRIERS = ["AC", "load", "load_shedding", "dr", "export", "export_cut", "hydro", "spill", "inflow",
                    "hydro_reservoir", "battery", "ror", "gas", "coal"]  # fmt: skip


def fails_in_one_line(capsys, args: list[str], *needles: str) -> str:
    """Run ``gzgrid args`` in-process; assert exit status 2, no traceback, and every needle in
    the error (whitespace-normalised, so line wrapping does not matter); return that text."""
    from model.cli import main

    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    text = " ".join(err.split())
    for needle in needles:
        assert needle in text, err
    return text


def one_bus(hours: int, load: float | list[float], start: str = "2030-01-01") -> pypsa.Network:
    """One bus ``a`` with load ``load_a`` [MW] (a constant or one value per hour) from ``start``;
    nothing to serve it yet."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range(start, periods=hours, freq="h"))
    n.add("Carrier", ONE_BUS_CARRIERS)
    n.add("Bus", "a", carrier="AC")
    p_set = pd.Series(np.broadcast_to(np.asarray(load, dtype=float), hours).copy(), index=n.snapshots)
    n.add("Load", "load_a", bus="a", carrier="load", p_set=p_set)
    return n


def solve(n: pypsa.Network) -> pypsa.Network:
    """Solve ``n`` as gzgrid does (monolithic, gzgrid's own constraints, HiGHS defaults); the
    results are written into ``n``, which is returned."""
    solve_monolithic(n, SolverOptions())
    return n


def station(sid: str, **kw) -> dict:
    """One row of a hydro table: a 10 MW reservoir station at bus ``a`` with no storage, no
    run-of-river part and no ecological floor, unless ``kw`` says otherwise."""
    row = {
        "id": sid,
        "bus": "a",
        "river": "r",
        "kind": "reservoir",
        "cascade_order": 1,
        "downstream": "",
        "p_nom_mw": 10.0,
        "reservoir_mwh": 0.0,
        "ror_share": 0.0,
        "eco_min_pu": 0.0,
        "head_m": 100.0,
        "upstream": "",
        "head_ratio": 0.0,
    }
    row.update(kw)
    return row


def hydro_stations(rows: list[dict]) -> pd.DataFrame:
    """A hydro table (as :func:`model.network.add_hydro` takes it) from :func:`station` rows."""
    return pd.DataFrame(rows).set_index("id")


HOURS_OF_DAY = 24
#: Coal's CO2 per MWh of fuel in the metrics networks [t/MWh_th]; at efficiency 0.4: 0.85 t/MWh_el.
COAL_CO2_FUEL = 0.34


def _guiyang_day() -> pypsa.Network:
    """A day at Guiyang with the Guangdong export bus and the carriers of the metrics networks."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=HOURS_OF_DAY, freq="h"))
    colours = {"coal": "#4d4d4d", "solar": "#f5c400", "biomass": "#7a9a3a", "dr": "#e0a0a0"}
    for c in ("coal", "solar", "biomass", "dr", "load_shedding", "load", "export", "export_cut", "AC"):
        n.add("Carrier", c, color=colours.get(c, ""), co2_emissions=COAL_CO2_FUEL if c == "coal" else 0.0)
    n.add("Bus", ["guiyang", "guangdong"], carrier="AC")
    return n


def shortfall_network() -> pypsa.Network:
    """Solved. Load 100 MW, 150 MW in hours 10-13 and 130 MW in hour 20; 120 MW coal and 10 MW DR.

    Shed: 20 MW for 4 h (one event); DR: 10 MW in 5 h (two events).
    """
    n = _guiyang_day()
    load = np.full(HOURS_OF_DAY, 100.0)
    load[10:14] = 150.0
    load[20] = 130.0
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=load)
    n.add("Generator", "coal_guiyang", bus="guiyang", carrier="coal", p_nom=120, marginal_cost=300,
          efficiency=0.4)  # fmt: skip
    n.add("Generator", "dr_guiyang", bus="guiyang", carrier="dr", p_nom=10, marginal_cost=1000)
    n.add("Generator", "shed_guiyang", bus="guiyang", carrier="load_shedding", p_nom=200, marginal_cost=VOLL)
    return solve(n)


def export_network(biomass_mw: float = 0.0, coal_mw: float = 200.0) -> pypsa.Network:
    """Solved. Load 100 MW; 300 MW solar offering half in hours 8-15; 200 MW coal; 20 MW exported.

    Solar hours: demand 120, offered 150 -> 30 MW curtailed for 8 h. Coal: 120 MW for 16 h.
    """
    n = _guiyang_day()
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=np.full(HOURS_OF_DAY, 100.0))
    pu = np.zeros(HOURS_OF_DAY)
    pu[8:16] = 0.5
    n.add("Generator", "solar_guiyang", bus="guiyang", carrier="solar", p_nom=300, p_max_pu=pu)
    n.add("Generator", "coal_guiyang", bus="guiyang", carrier="coal", p_nom=coal_mw, marginal_cost=300,
          efficiency=0.4)  # fmt: skip
    if biomass_mw:
        n.add("Generator", "biomass_guiyang", bus="guiyang", carrier="biomass", p_nom=biomass_mw,
              marginal_cost=900)  # fmt: skip
    n.add("Generator", "shed_guiyang", bus="guiyang", carrier="load_shedding", p_nom=200, marginal_cost=VOLL)
    n.add("Link", "export-guiyang", bus0="guiyang", bus1="guangdong", carrier="export", p_nom=50,
          efficiency=1.0)  # fmt: skip
    n.add("Load", "export obligation", bus="guangdong", carrier="export", p_set=np.full(HOURS_OF_DAY, 20.0))
    n.add("Generator", "export cut", bus="guangdong", carrier="export_cut", p_nom=20, marginal_cost=3000)
    return solve(n)


#: Coal's marginal cost in the storage day [CNY/MWh].
STORAGE_DAY_PRICE = 300.0


def storage_day() -> pypsa.Network:
    """Solved. A one-bus day whose storage answers are worked out by hand.

    100 MW of load; 300 MW of solar offering 180 MW in hours 8-11, 150 MW in hours 12-15 and
    110 MW in hour 16, nothing otherwise; coal (300 CNY/MWh) covers the rest. A 20 MW / 200 MWh
    battery (charging 80 % efficient, discharging lossless) and a hydrogen chain (20 MW
    electrolyser at 50 %, 100 MWh H2 store, fuel cell taking 20 MW of H2 at 50 %) both start
    empty.

    Worked out: in hours 8-15 solar is curtailed, the price is 0 and both charge at full power
    (20 + 20 MW), leaving 40 MW curtailed in hours 8-11 and 10 MW in hours 12-15. In hour 16 the
    10 MW surplus goes to the battery (it values a MWh at 0.8 x 300 = 240 CNY, the electrolyser
    at 0.5 x 0.5 x 300 = 75), so nothing is curtailed and the price is 240. In the evening coal
    is marginal at 300 and everything stored comes back: the battery 0.8 x 170 = 136 MWh, the
    fuel cell 0.5 x 80 = 40 MWh from 80 MWh of H2.
    """
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=HOURS_OF_DAY, freq="h"))
    for c in ("coal", "solar", "battery", "H2", "electrolyser", "fuel_cell", "load", "AC"):
        n.add("Carrier", c, co2_emissions=0.0)
    n.add("Bus", "guiyang", carrier="AC")
    n.add("Bus", "h2", carrier="H2")
    n.add("Load", "load_guiyang", bus="guiyang", carrier="load", p_set=np.full(HOURS_OF_DAY, 100.0))
    pu = np.zeros(HOURS_OF_DAY)
    pu[8:12], pu[12:16], pu[16] = 0.6, 0.5, 110 / 300
    n.add("Generator", "solar_guiyang", bus="guiyang", carrier="solar", p_nom=300, p_max_pu=pu)
    n.add("Generator", "coal_guiyang", bus="guiyang", carrier="coal", p_nom=200,
          marginal_cost=STORAGE_DAY_PRICE)  # fmt: skip
    n.add("StorageUnit", "battery_guiyang", bus="guiyang", carrier="battery", p_nom=20, max_hours=10,
          efficiency_store=0.8, efficiency_dispatch=1.0, cyclic_state_of_charge=False,
          state_of_charge_initial=0.0)  # fmt: skip
    n.add("Store", "h2_store", bus="h2", carrier="H2", e_nom=100, e_cyclic=False, e_initial=0.0)
    n.add("Link", "electrolyser", bus0="guiyang", bus1="h2", carrier="electrolyser", p_nom=20, efficiency=0.5)
    n.add("Link", "fuel_cell", bus0="h2", bus1="guiyang", carrier="fuel_cell", p_nom=20, efficiency=0.5)
    return solve(n)


@pytest.fixture(scope="session")
def shortfall_day() -> pypsa.Network:
    """:func:`shortfall_network`, solved once (read only)."""
    return shortfall_network()


@pytest.fixture(scope="session")
def export_day() -> pypsa.Network:
    """:func:`export_network` with its defaults, solved once (read only)."""
    return export_network()


@pytest.fixture(scope="session")
def storage_day_solved() -> pypsa.Network:
    """:func:`storage_day`, solved once (tests that change it must put it back)."""
    return storage_day()


def make_run(folder: Path) -> Path:
    """A run folder: the resolved-scenario keys analysis reads and a small solved network
    (:func:`export_network` with 1 GW of biomass)."""
    folder.mkdir(parents=True, exist_ok=True)
    scenario = {
        "name": "fixture",
        "description": "tiny solved network",
        "year": 2030,
        "hydrology": "normal",
        "adequacy": {"lole_h": 2.4, "reserve_margin": 0.15},
    }
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario), encoding="utf-8")
    export_network(biomass_mw=1000.0).export_to_netcdf(folder / "network.nc")
    return folder


# ----------------------------------------------------------------------------------------------
# the seasonal network of decomposed against monolithic


def seasonal_network(hours: int, committed: bool = False) -> pypsa.Network:
    """Two buses; a big reservoir with seasonal inflow, solar, winter-peak load, battery, DR, shedding.

    Load and inflow follow a 56-day cycle. ``committed``: the coal units are committed
    (linearised unit commitment, start-up costs, minimum up and down times), as gzgrid commits
    coal. Not solved.
    """
    sns = pd.date_range("2030-01-01", periods=hours, freq="h")
    t = np.arange(hours)
    doy, hod = t / 24.0, t % 24
    n = pypsa.Network()
    n.set_snapshots(sns)
    n.add("Bus", ["a", "c"], carrier="AC")
    load = 1000 * (1 + 0.25 * np.cos(2 * np.pi * doy / 56)) * (1 + 0.2 * np.exp(-((hod - 19) ** 2) / 6))
    n.add("Load", ["load_a", "load_c"], bus=["a", "c"],
          p_set=pd.DataFrame({"load_a": load, "load_c": 0.5 * load}, index=sns))  # fmt: skip
    n.add("Generator", ["coal_a", "coal_c"], bus=["a", "c"], p_nom=[900, 500], marginal_cost=[300, 330],
          p_min_pu=0.3, ramp_limit_up=0.3, ramp_limit_down=0.3, carrier="coal", committable=committed,
          start_up_cost=[900 * 1050, 500 * 1050] if committed else 0.0, min_up_time=8 if committed else 0,
          min_down_time=8 if committed else 0, up_time_before=8 if committed else 1)  # fmt: skip
    sun = np.clip(np.sin(np.pi * (hod - 6) / 12), 0, None)
    n.add("Generator", "solar_c", bus="c", p_nom=700, p_max_pu=pd.Series(sun, sns), carrier="solar")
    n.add("Line", "ac", bus0="a", bus1="c", s_nom=400, x=0.1, r=0.01)
    n.add("StorageUnit", "bat_a", bus="a", p_nom=100, max_hours=4, efficiency_store=0.92,
          efficiency_dispatch=0.92, cyclic_state_of_charge=True, carrier="battery")  # fmt: skip
    n.add("Bus", "res_water", carrier="hydro_reservoir")
    inflow = 300 * (1 - 0.8 * np.cos(2 * np.pi * doy / 56))
    pu = pd.Series(inflow / inflow.max(), sns)
    n.add("Generator", "res_inflow", bus="res_water", p_nom=inflow.max(), p_max_pu=pu, p_min_pu=pu,
          carrier="hydro_inflow")  # fmt: skip
    n.add(
        "Store", "res_store", bus="res_water", e_nom=300 * 24 * 20, e_cyclic=True, carrier="hydro_reservoir"
    )
    n.add("Link", "res_turbine", bus0="res_water", bus1="a", p_nom=500, efficiency=0.9, carrier="hydro")
    n.add("Link", "res_spill", bus0="res_water", bus1="a", p_nom=1e4, efficiency=0.0, carrier="spill")
    n.add("Generator", ["dr_a", "dr_c"], bus=["a", "c"], p_nom=[80, 40], marginal_cost=2000, carrier="dr",
          e_sum_max=np.array([80, 40]) * 30)  # fmt: skip
    n.meta["gzgrid"] = {"dr_event_hours": {"dr_a": 3, "dr_c": 3}}
    n.add("Generator", ["shed_a", "shed_c"], bus=["a", "c"], p_nom=1e4, marginal_cost=VOLL,
          carrier="load_shedding")  # fmt: skip
    return n


# ----------------------------------------------------------------------------------------------
# one real run folder


@dataclass(frozen=True)
class ShortRun:
    """A real run folder and what ``gzgrid run`` printed while writing it."""

    folder: Path
    stdout: str
    status: int


@pytest.fixture(scope="session")
def short_run(tmp_path_factory: pytest.TempPathFactory) -> ShortRun:
    """48 h of the 2030 target, monolithic, written by ``gzgrid run`` (in-process) once.

    Read only: a test that writes into a run folder copies this one first.
    """
    from model.cli import main

    out = tmp_path_factory.mktemp("short-run") / "short"
    args = ["run", str(RUNS / "2030-target.yaml"), "--horizon", "48", "--mode", "monolithic",
            "--out", str(out)]  # fmt: skip
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = main(args)
    return ShortRun(out, printed.getvalue(), status)


# ----------------------------------------------------------------------------------------------
# readers of solved networks


def generation(n: pypsa.Network, carrier: str) -> pd.DataFrame:
    """Output of the generators of ``carrier`` [MW], one column each."""
    g = n.c.generators
    return g.dynamic.p.loc[:, g.static.carrier == carrier]


def unserved_mwh(n: pypsa.Network) -> float:
    """Load shed over the horizon [MWh], weighted by the snapshot weightings."""
    w = n.snapshot_weightings.generators
    return float(generation(n, "load_shedding").sum(axis=1).mul(w).sum())


def bus_balance(n: pypsa.Network) -> pd.DataFrame:
    """Power injected into each bus by every component [MW], summed per bus and hour: zero
    where the energy balance closes. Columns: the buses that have any component attached."""
    c = n.c
    parts = [
        c.generators.dynamic.p.T.groupby(c.generators.static.bus).sum().T,
        c.storage_units.dynamic.p.T.groupby(c.storage_units.static.bus).sum().T,
        c.stores.dynamic.p.T.groupby(c.stores.static.bus).sum().T,
        -c.loads.dynamic.p.T.groupby(c.loads.static.bus).sum().T,
    ]
    for comp in (c.links, c.lines):  # branches withdraw p_i at bus_i
        for i in ("0", "1", "2"):
            if f"p{i}" not in comp.dynamic or f"bus{i}" not in comp.static:
                continue
            p = comp.dynamic[f"p{i}"]
            if p.empty:
                continue
            bus = comp.static.loc[p.columns, f"bus{i}"]
            used = bus != ""  # links without a third bus
            parts.append(-p.loc[:, used].T.groupby(bus[used]).sum().T)
    return pd.concat(parts, axis=1).T.groupby(level=0).sum().T


def level_before(n: pypsa.Network, ids: pd.Index) -> pd.DataFrame:
    """Each store's energy at the end of the hour before [MWh]: the first hour starts from
    ``e_initial``, or from the last hour's level for a cyclic store."""
    st = n.c.stores.static
    e = n.c.stores.dynamic.e[ids]
    before = e.shift(1)
    before.iloc[0] = np.where(st.e_cyclic[ids], e.iloc[-1], st.e_initial[ids])
    return before


def water_balance_residual(n: pypsa.Network) -> float:
    """Largest |change of level + what the reservoir bus takes out| of any reservoir and hour [MWh]."""
    st = n.c.stores.static
    ids = st.index[st.carrier == "hydro_reservoir"]
    e, p = n.c.stores.dynamic.e[ids], n.c.stores.dynamic.p[ids]
    w = n.snapshot_weightings.stores.to_numpy()[:, None]
    # level change = what the bus puts in (inflow + upstream - turbine - spill) = -p x hours
    return float(np.abs((e - level_before(n, ids) + p * w).to_numpy()).max())
