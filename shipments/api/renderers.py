"""CSV for the cost report (``?format=csv``): the view writes the file with
shipments.reports.write_csv, the same writer as the admin's download; ZPL for labels."""

from rest_framework.renderers import BaseRenderer


class CostReportCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset) if isinstance(data, str) else b""


class ZPLRenderer(BaseRenderer):
    """A label stream the view has written (shipments.zpl); a printer client may ask for it by type."""

    media_type = "application/zpl"
    format = "zpl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset) if isinstance(data, str) else b""
