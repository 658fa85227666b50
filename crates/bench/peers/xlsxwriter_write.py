"""The peer a consultant would script: XlsxWriter writing the cells of an exported matrix.

The cells are read with openpyxl first (not timed); only the writing is measured, as on the
Rust side. Prints one JSON line: seconds, peak resident memory (KiB), detail.
"""
import json
import resource
import sys
import time

import openpyxl
import xlsxwriter

source = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)
sheets = []
for ws in source.worksheets:
    cells = []
    for r, row in enumerate(ws.iter_rows(values_only=True)):
        for c, v in enumerate(row):
            if v is not None:
                cells.append((r, c, v))
    sheets.append((ws.title, cells))
source.close()

start = time.perf_counter()
wb = xlsxwriter.Workbook(sys.argv[2])
count = 0
for title, cells in sheets:
    ws = wb.add_worksheet(title)
    for r, c, v in cells:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            ws.write_number(r, c, v)
        else:
            ws.write_string(r, c, str(v))
        count += 1
wb.close()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_rss_kb": peak,
                  "detail": f"{count} cells in {len(sheets)} sheets"}))
