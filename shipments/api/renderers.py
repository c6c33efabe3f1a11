"""CSV for the cost report (``?format=csv``), for managers who live in spreadsheets."""

import csv
import io

from rest_framework.renderers import BaseRenderer


class CostReportCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["key", "label", "packages", "revenue", "average_cost", "currency"])
        for row in data.get("rows", []):
            writer.writerow(
                [row["key"], row["label"], row["packages"], row["revenue"], row["average_cost"], data["currency"]]
            )
        totals = data.get("totals")
        if totals:
            writer.writerow(
                ["total", "Total", totals["packages"], totals["revenue"], totals["average_cost"], data["currency"]]
            )
        return buffer.getvalue().encode(self.charset)
