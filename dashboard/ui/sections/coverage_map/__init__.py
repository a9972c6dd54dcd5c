"""The sections of the coverage map (``app_pages/coverage_map.py``): the choropleth with its metric
selector and township tiles (a click sets the township filter), and the drill-down to the gap
enterprises of the selected townships."""
