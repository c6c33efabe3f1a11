"""The one family of domain errors. The admin shows ``message`` to the clerk; the
API answers with ``code``, ``message`` and ``details`` and the matching status."""


class ShipmentError(Exception):
    """A request the rules of the network refuse. Nothing was written."""

    code = "invalid"
    http_status = 400
    # ``details`` names fields (``{"sender.phone": "Not a phone number."}``); the API
    # answers them as field path → list of messages (api.exception_handler).
    details_name_fields = True

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}

    def __str__(self):
        return self.message


class InvalidTrackingNumber(ShipmentError):
    code = "invalid_tracking_number"


class IllegalTransition(ShipmentError):
    code = "illegal_transition"
    http_status = 409
    # Its details say where the package stands: ``current_status`` and ``allowed_next``.
    details_name_fields = False


class OfficeNotAllowed(ShipmentError):
    """The user does not work at the office the action happens at."""

    code = "office_not_allowed"
    http_status = 403


class PackageNotFound(ShipmentError):
    """Unknown, or not visible to this user: the two look the same on purpose."""

    code = "not_found"
    http_status = 404
