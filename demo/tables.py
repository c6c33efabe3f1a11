"""The demo's tables: the names and streets its people are drawn from, and the
journey each final status is reached by (``demo.seed`` walks them through the
services, ``demo.bulk`` writes millions of them at once)."""

from datetime import timedelta

from shipments.statuses import Reason, Status

FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Yusuf",
]
LAST_NAMES = [
    "Garcia",
    "Smith",
    "Nguyen",
    "Okafor",
    "Kowalski",
    "Haddad",
    "Rossi",
    "Tanaka",
    "Silva",
    "Murphy",
    "Cohen",
    "Patel",
    "Novak",
    "Larsen",
    "Moreau",
    "Schmidt",
    "Kim",
    "Ali",
    "Brown",
    "Ivanova",
]
STREETS = ["Maple St", "Oak Ave", "Pine Rd", "Cedar Ln", "Elm St", "Lake Dr", "Hill Rd", "Park Ave", "River Rd"]

# The journey each final status is reached by: (status, where, reason).
# "origin"/"destination" name the office; None is a leg or an office-less event.
JOURNEYS = {
    Status.CREATED: [],
    Status.ACCEPTED: [(Status.ACCEPTED, "origin", "")],
    Status.IN_TRANSIT: [(Status.ACCEPTED, "origin", ""), (Status.IN_TRANSIT, "origin", "")],
    Status.ARRIVED: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
    ],
    Status.OUT_FOR_DELIVERY: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
        (Status.OUT_FOR_DELIVERY, "destination", ""),
    ],
    Status.DELIVERY_FAILED: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
        (Status.OUT_FOR_DELIVERY, "destination", ""),
        (Status.DELIVERY_FAILED, "destination", Reason.RECEIVER_ABSENT),
    ],
    Status.READY_FOR_PICKUP: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
        (Status.READY_FOR_PICKUP, "destination", ""),
    ],
    Status.DELAYED: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.DELAYED, None, Reason.WEATHER),
    ],
    Status.DELIVERED: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
        (Status.OUT_FOR_DELIVERY, "destination", ""),
        (Status.DELIVERED, "destination", ""),
    ],
    Status.RETURN_STARTED: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
        (Status.READY_FOR_PICKUP, "destination", ""),
        (Status.RETURN_STARTED, "destination", Reason.HOLDING_EXPIRED),
    ],
    Status.RETURNED: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.ARRIVED, "destination", ""),
        (Status.RETURN_STARTED, "destination", Reason.REFUSED),
        (Status.IN_TRANSIT, "destination", ""),
        (Status.ARRIVED, "origin", ""),
        (Status.RETURNED, "origin", ""),
    ],
    Status.CANCELLED: [(Status.CANCELLED, "origin", "")],
    Status.LOST: [
        (Status.ACCEPTED, "origin", ""),
        (Status.IN_TRANSIT, "origin", ""),
        (Status.LOST, None, Reason.OTHER),
    ],
}
STEP = timedelta(hours=7)
