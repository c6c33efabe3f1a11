"""The API's JSON parser: DRF's, with a document nested thousands of levels
deep refused as a 400 in the error shape (Python's decoder gives up with a
RecursionError, which would be a 500). Null characters in strings are the
serializer fields' to refuse, with the field named in ``details``."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON is nested too deeply.") from None
