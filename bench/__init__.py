"""Performance benchmarks of the dashboard's pages (``make bench``, see docs/performance.md).

``python -m bench.run --sizes demo,100k,1m --repeat 3`` measures, on SQLite, the server time of
the overview, the coverage map and the ledger with AppTest (cold and warm Streamlit cache), each
page's SQL alone, and the naive "load the tables into pandas" way of computing the overview's
figures, and writes the results to ``docs/performance.md`` between the ``<!-- bench:begin -->`` /
``<!-- bench:end -->`` markers (``python -m bench.report`` renders saved results again).
"""
