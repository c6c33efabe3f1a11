"""CSV for the cost report (``?format=csv``): the view writes the file with
shipments.reports.write_csv, the same writer as the admin's download; ZPL for labels."""

from rest_framework.renderers import BaseRenderer, JSONRenderer


class ErrorsAsJSONMixin:
    """For a view that answers a file (CSV, ZPL): its errors stay JSON, in the one
    error shape, whatever format was asked for."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class _WrittenTextRenderer(BaseRenderer):
    """Text the view has already written, sent as it is (an error is rendered as JSON by the view)."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode(self.charset) if isinstance(data, str) else b""


class CostReportCSVRenderer(_WrittenTextRenderer):
    media_type = "text/csv"
    format = "csv"


class ZPLRenderer(_WrittenTextRenderer):
    """A label stream (shipments.zpl); a printer client may ask for it by type."""

    media_type = "application/zpl"
    format = "zpl"
