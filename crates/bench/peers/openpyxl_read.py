"""The peer a consultant would script: openpyxl reading every cell of the requirement sheet.

Prints one JSON line like the Rust measurements: seconds, peak resident memory (KiB), detail.
"""
import json
import resource
import sys
import time

import openpyxl

start = time.perf_counter()
# read_only streams the sheet: the fastest way openpyxl offers to read every value.
wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
cells = 0
text = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        for v in row:
            if v is not None:
                cells += 1
                text += len(v) if isinstance(v, str) else 8
wb.close()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_rss_kb": peak,
                  "detail": f"{cells} cells, {text} bytes of text"}))
