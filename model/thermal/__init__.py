"""Thermal plant as it is available to run: units, maintenance, outages, fuel and coal quality.

The one place that says how much of each thermal unit class can run, hour by hour, and how
much coal reaches it. Both the network builder (:mod:`model.network.thermal`) and the adequacy
engine (:mod:`model.adequacy.system`) read it, so the dispatch LP and the Monte Carlo see the
same fleet:

- :mod:`.units`: the register's rows as individual units (the Markov chains of forced outages);
- :mod:`.availability`: planned maintenance, forced outages, coal-supply spells and coal
  quality as hourly factors on each register row's capacity;
- :mod:`.fuel`: the coal fuel chain of each supply region: deliveries per day (by month), the
  plants' stockpile (normal level, the operator's floor from the national minimum-stock rules,
  the level on 1 January) in energy of fuel [MWh_th].
"""
