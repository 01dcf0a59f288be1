"""Solar PV and wind: must-take at the weather's availability, curtailable."""

from __future__ import annotations

import pandas as pd
import pypsa


def add_renewables(
    n: pypsa.Network, table: pd.DataFrame, assets: pd.DataFrame, pv: pd.DataFrame, wind: pd.DataFrame
) -> None:
    """Solar and wind generators [MW] with their prefecture's availability [p.u.]."""
    re = table.set_index("id")
    profile = pd.concat(
        [
            (pv if c == "solar" else wind)[b].rename(i)
            for i, b, c in zip(re.index, re.bus, re.carrier, strict=True)
        ],
        axis=1,
    )
    n.add(
        "Generator",
        re.index,
        bus=re.bus,
        carrier=re.carrier,
        p_nom=assets.loc[re.index, "p_nom_mw"],
        p_max_pu=profile.clip(0, 1),
        marginal_cost=0.0,
    )
