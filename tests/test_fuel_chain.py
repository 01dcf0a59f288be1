"""The coal fuel chain: hand-worked stockpiles on tiny networks, the register's deliveries, bad fuel tables.

A region's stockpile runs down while plants burn more than arrives, never below the operator's
floor (load is shed instead), and refills at the delivery limit once burn falls.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.dispatch.constraints import META_KEY, STOCK_TARGET_KEY
from model.network.thermal import add_fuel_region
from model.register import load_register
from model.scenario import CoalOptions
from model.thermal.fuel import MWH_PER_T_PER_KCAL, FuelRegion, fuel_regions
from tests.conftest import RUNS, fails_in_one_line, one_bus, solve

NORMAL, FLOOR, DELIVERY, EFF = 5_000.0, 2_000.0, 100.0, 0.5  # MWh_th, MWh_th, MWh_th/h, -


def _stock_network(load: list[float]):
    """Bus ``a`` served by one coal link (efficiency 0.5) from a region whose deliveries are 100
    MWh_th/h and whose stock starts full at 5,000 with a floor of 2,000 MWh_th; shedding at
    10,000 CNY/MWh is the backstop."""
    n = one_bus(len(load), load, start="2030-03-01")
    t = len(load)
    region = FuelRegion(name="r", prefectures=("a",), mwh_per_t=5.8, day_of_burn_mwh=2_400.0,
                        delivery_mwh_h=np.full(t, DELIVERY), stock_normal_mwh=NORMAL,
                        stock_floor_mwh=np.full(t, FLOOR), stock_start_mwh=NORMAL,
                        quality=np.ones(t))  # fmt: skip
    n.add("Carrier", [c for c in ("coal_fuel", "coal_delivery", "coal_stock", "coal", "shed")
                      if c not in n.c.carriers.static.index])  # fmt: skip
    add_fuel_region(n, region, fuel_chain=True)
    n.add("Link", "plant", bus0="coal fuel r", bus1="a", carrier="coal", p_nom=1_000.0, efficiency=EFF,
          marginal_cost=1.0)  # fmt: skip
    n.add("Generator", "shed", bus="a", carrier="shed", p_nom=1_000.0, marginal_cost=10_000.0)
    n.meta = {META_KEY: {STOCK_TARGET_KEY: {"stores": ["coal stock r"], "penalty_cny_per_mwh_day": 0.1}}}
    return solve(n)


def test_a_stockpile_runs_down_to_its_floor_and_no_further():
    # 100 MW for 48 h burns 200 MWh_th/h against 100 delivered: the 3,000 MWh_th above the floor
    # last 30 h, then the plant runs on deliveries alone (50 MW) and 50 MW is shed for 18 h
    n = _stock_network([100.0] * 48)
    e = n.c.stores.dynamic.e["coal stock r"]
    assert e.min() >= FLOOR - 1e-6
    assert e.iloc[-1] == pytest.approx(FLOOR, abs=1e-6)
    assert n.c.generators.dynamic.p["shed"].sum() == pytest.approx(18 * 50.0, rel=1e-9)
    assert n.c.generators.dynamic.p["coal delivery r"].sum() == pytest.approx(48 * DELIVERY, rel=1e-9)
    assert n.c.links.dynamic.p1["plant"].mul(-1).sum() == pytest.approx(48 * 100.0 - 900.0, rel=1e-9)


def test_a_stockpile_refills_at_the_delivery_limit():
    # two days at 100 MW empty the stock to its floor; then 20 MW burns 40 of the 100 MWh_th/h
    # delivered: +60 MWh_th/h, so the day ends stand at 2,000 + 1,440 k until the stock is full
    n = _stock_network([100.0] * 48 + [20.0] * 96)
    e = n.c.stores.dynamic.e["coal stock r"]
    day_ends = e.iloc[47::24].to_numpy()
    np.testing.assert_allclose(day_ends, [FLOOR, FLOOR + 1_440, FLOOR + 2_880, NORMAL, NORMAL], atol=1e-6)
    assert e.diff().iloc[48:].max() <= DELIVERY - 20.0 / EFF + 1e-6  # never faster than deliveries allow
    assert n.c.generators.dynamic.p["shed"].iloc[48:].sum() == pytest.approx(0.0, abs=1e-9)


def test_deliveries_are_contracts_plus_spot_in_heat_units(register):
    # 2023: contracts 173.5 kt/day, spot 0.75 of them from March, none in January-February
    # (coal_months.csv); 5,000 kcal/kg coal holds 5.815 MWh_th a tonne
    sns = pd.DatetimeIndex(["2023-01-15 12:00", "2023-03-15 12:00"])
    p_nom = pd.Series(600.0, index=register.thermal.id)  # [MW] each row; only the day of burn depends on it
    (region,) = fuel_regions(register, CoalOptions(), 2023, p_nom, sns)
    mwh_per_t = 5_000 * MWH_PER_T_PER_KCAL
    assert mwh_per_t == pytest.approx(5.815, abs=1e-3)
    np.testing.assert_allclose(region.delivery_mwh_h, np.array([173.5, 173.5 * 1.75]) * 1e3 * mwh_per_t / 24)
    np.testing.assert_allclose(region.stock_floor_mwh / region.day_of_burn_mwh, [15.0, 7.0])  # winter floor
    assert region.stock_start_mwh / region.day_of_burn_mwh == pytest.approx(15.0)
    scaled = fuel_regions(register, CoalOptions(delivery_scale=0.5, spot_share=0.0), 2023, p_nom, sns)[0]
    np.testing.assert_allclose(scaled.delivery_mwh_h, 0.5 * 173.5e3 * mwh_per_t / 24)


def _edit(path, row: int, column: str, value: object) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = str(value)
    df.to_csv(path, index=False)


BAD_FUEL = [
    ("stock floor above the normal level", "coal_supply.csv", 0, "stock_floor_days", 25,
     ["coal_supply.csv", "stock_floor_days 25", "below stock_normal_days"]),
    ("stock above a physical bound", "coal_supply.csv", 0, "stock_normal_days", 120,
     ["coal_supply.csv", "line 2", "stock_normal_days"]),
    ("negative stock", "coal_supply.csv", 0, "stock_start_days", -3,
     ["coal_supply.csv", "line 2", "stock_start_days"]),
    ("negative contract", "coal_supply.csv", 0, "contract_kt_per_day", -10,
     ["coal_supply.csv", "line 2", "contract_kt_per_day"]),
    ("negative delivery factor", "coal_months.csv", 0, "delivery_factor", -0.2,
     ["coal_months.csv", "line 2", "delivery_factor"]),
    ("derate above 1", "coal_months.csv", 0, "quality_derate", 1.3,
     ["coal_months.csv", "line 2", "quality_derate"]),
    ("fuel region naming no prefecture", "fuel_regions.csv", 0, "prefectures", "atlantis",
     ["fuel_regions.csv", "atlantis"]),
    ("region of a supply row not a fuel region", "coal_supply.csv", 0, "region", "yunnan",
     ["coal_supply.csv", "line 2", "'yunnan' is not in fuel_regions.csv"]),
    ("stress probabilities not summing to one", "fuel_stress.csv", 0, "probability", 0.3,
     ["fuel_stress.csv", "line 2", "hydrology 'wet' add up to 1.25", "must add up to 1"]),
    ("stress probability above 1", "fuel_stress.csv", 0, "probability", 1.5,
     ["fuel_stress.csv", "line 2", "probability"]),
    ("stress of an unknown hydrology", "fuel_stress.csv", 0, "hydrology", "soggy",
     ["fuel_stress.csv", "line 2", "hydrology 'soggy'", "extreme_dry"]),
    ("stress of an unknown kind", "fuel_stress.csv", 0, "kind", "famine",
     ["fuel_stress.csv", "line 2", "kind", "fuel_crisis"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "file", "row", "column", "value", "needles"), BAD_FUEL,
                         ids=[c[0] for c in BAD_FUEL])  # fmt: skip
def test_bad_fuel_tables_exit_2_naming_the_file_and_key(register_copy, capsys, case, file, row, column, value,
                                                        needles):  # fmt: skip
    _edit(register_copy / file, row, column, value)
    fails_in_one_line(capsys, ["validate", str(RUNS / "2030-target.yaml"), "--register", str(register_copy)],
                      *needles)  # fmt: skip


def test_the_bundled_fuel_tables_load(register):
    reg = load_register(register.path)
    assert set(reg.coal_supply.region) <= set(reg.fuel_regions.region)
    assert reg.coal_supply.source.str.len().min() > 20  # every row says where it comes from


BAD_SCENARIOS = [
    ("stock below the winter floor", "coal:\n  stock_start_days: 5\n",
     ["bad.yaml", "coal.stock_start_days = 5", "winter floor (15 d)"]),
    ("observed reservoirs without an observed year", "reservoir_guide: observed\n",
     ["bad.yaml", "reservoir_guide: observed needs an observed hydrology year"]),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "needles"), BAD_SCENARIOS, ids=[c[0] for c in BAD_SCENARIOS])
def test_validate_refuses_what_a_run_would(tmp_path, capsys, case, text, needles):
    path = tmp_path / "bad.yaml"
    path.write_text(f"base: {RUNS / '2030-target.yaml'}\nname: bad\n{text}", encoding="utf-8")
    fails_in_one_line(capsys, ["validate", str(path)], *needles)
    assert [p.name for p in tmp_path.iterdir()] == ["bad.yaml"]  # nothing written
