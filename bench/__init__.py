"""Performance benchmarks of the overview page (``make bench``, see docs/performance.md).

``python -m bench.run --sizes demo,100k,1m --repeat 3`` measures, on SQLite, the overview's
server time with AppTest (cold and warm Streamlit cache), its SQL alone, and the naive
"load the tables into pandas" way of computing the same figures, and writes the results to
``docs/performance.md`` between the ``<!-- bench:begin -->`` / ``<!-- bench:end -->`` markers.
"""
