"""ZPL labels for thermal printers (shipments/zpl.py): read back by a strict parser that
knows every command the labels use and refuses anything else, so a label that would
print garbage, or a name that injects commands, fails here."""

import re
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from shipments.zpl import grouped_tracking_number, zpl_field_text
from tests.factories import party, register_package
from tests.helpers import assert_error, login

# Each command the labels may use, with the exact shape of its parameters.
COMMANDS = {
    "XA": r"",
    "XZ": r"",
    "CI": r"28",
    "PW": r"\d+",
    "LL": r"\d+",
    "LH": r"0,0",
    "FO": r"\d+,\d+",
    "A0": r"N,\d+,\d+",
    "FB": r"\d+,\d+,0,L,0",
    "FH": r"",
    "BY": r"[1-9]\d?,3,\d+",
    "BC": r"N,\d+,N,N,N",
    "BQ": r"N,2,\d+",
    "GB": r"\d+,\d+,\d+",
    "FS": r"",
}


@dataclass
class Field:
    x: int
    y: int
    kind: str  # text, code128, qr, box
    data: str = ""
    block: bool = False


@dataclass
class Label:
    width: int = 0
    length: int = 0
    utf8: bool = False
    fields: list[Field] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [f.data for f in self.fields if f.kind == "text"]


def decode_field(data: str, hex_escapes: bool) -> str:
    """Field data as printed: ^FH's _XX are UTF-8 bytes."""
    if not hex_escapes:
        return data
    raw = bytearray()
    position = 0
    while position < len(data):
        if data[position] == "_":
            assert re.fullmatch(r"[0-9A-F]{2}", data[position + 1 : position + 3]), data
            raw.append(int(data[position + 1 : position + 3], 16))
            position += 3
        else:
            raw.extend(data[position].encode("utf-8"))
            position += 1
    return raw.decode("utf-8")


def block_text(data: str) -> str:
    """A ^FB block's text as printed: \\& breaks the line, \\\\ is one backslash."""
    return re.sub(r"\\(.)", lambda m: {"&": "\n", "\\": "\\"}.get(m[1], m[0]), data)


def parse(stream: str) -> list[Label]:
    assert "~" not in stream, "no control commands"
    labels: list[Label] = []
    label: Label | None = None
    current: dict = {}
    for token in stream.split("^")[1:]:
        code, rest = token[:2], token[2:]
        if code == "FD":
            assert label is not None, "field data outside a label"
            assert "x" in current, "field data outside a field"
            assert not re.search(r"[\r\n]", rest)
            current["data"] = decode_field(rest, current.get("hex", False))
            continue
        params = rest.rstrip("\n")
        assert code in COMMANDS, f"unknown command ^{code}"
        assert re.fullmatch(COMMANDS[code], params), f"^{code}{params}"
        if code == "XA":
            assert label is None, "^XA inside a label"
            label = Label()
        elif code == "XZ":
            assert label is not None, "^XZ outside a label"
            assert not current, "^XZ inside a field"
            labels.append(label)
            label = None
        else:
            assert label is not None, f"^{code} outside a label"
            if code == "CI":
                label.utf8 = True
            elif code == "PW":
                label.width = int(params)
            elif code == "LL":
                label.length = int(params)
            elif code == "FO":
                x, y = map(int, params.split(","))
                current = {"x": x, "y": y, "kind": "text"}
            elif code == "FH":
                current["hex"] = True
            elif code == "FB":
                current["block"] = True
            elif code == "BC":
                current["kind"] = "code128"
            elif code == "BQ":
                current["kind"] = "qr"
            elif code == "GB":
                current["kind"] = "box"
            elif code == "FS":
                assert "x" in current, "^FS without ^FO"
                data = current.get("data", "")
                if current.get("block"):
                    data = block_text(data)
                label.fields.append(
                    Field(current["x"], current["y"], current["kind"], data, current.get("block", False))
                )
                current = {}
    assert label is None, "a label without ^XZ"
    return labels


def zpl_of(client, package, **query) -> str:
    response = client.get(reverse("admin:shipments_package_label_zpl", args=[package.pk]), query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zpl; charset=utf-8"
    assert f"label-{package.tracking_number}.zpl" in response["Content-Disposition"]
    return response.content.decode("utf-8")


def test_the_zpl_label_holds_what_the_printed_label_holds(net):
    package = net.a_to_c
    [label] = parse(zpl_of(login(net.clerk_a), package))
    assert label.utf8
    assert (label.width, label.length) == (800, 1200)  # 100 x 150 mm at 8 dots/mm
    [barcode] = [f for f in label.fields if f.kind == "code128"]
    assert barcode.data == package.tracking_number
    [qr] = [f for f in label.fields if f.kind == "qr"]
    assert qr.data == f"MA,http://testserver/track/?number={package.tracking_number}"
    texts = label.texts()
    assert grouped_tracking_number(package.tracking_number) in texts
    assert "STANDARD" in texts
    assert f"{net.a.code} > {net.c.code}" in texts
    assert {"Alice Avery", "Rita Receiver", f"Weight {package.weight_grams} g"} <= set(texts)
    assert "1 Analytical Way\nLondon\nGB" in texts
    assert f"via {net.c.code} {net.c.name}" in texts
    # Every field lies on the label.
    assert all(0 <= f.x < label.width and 0 <= f.y < label.length for f in label.fields)


def test_a_300_dpi_label_is_the_same_size_in_millimetres(net):
    [label] = parse(zpl_of(login(net.clerk_a), net.a_to_c, dpi="300"))
    assert (label.width, label.length) == (1200, 1800)  # 12 dots/mm
    response = login(net.clerk_a).get(
        reverse("admin:shipments_package_label_zpl", args=[net.a_to_c.pk]), {"dpi": "600"}
    )
    assert response.status_code == 400
    assert "dpi" in response.content.decode()


def test_names_with_zpl_commands_or_accents_print_as_text(net):
    """A name holding ^XZ, ~JR (a printer reset) or ZPL's escape character cannot end the
    label or run a command: it prints as typed, and Zoë Müller keeps her accents."""
    hostile = "Zoë Müller ^XZ^XA^FDpwned~JR_41\\&"
    package = register_package(origin=net.a, destination=net.c, receiver=party(hostile))
    stream = zpl_of(login(net.clerk_a), package)
    assert stream.count("^XA") == 1
    assert stream.count("^XZ") == 1
    [label] = parse(stream)
    assert hostile in label.texts()


def test_field_text_escapes_only_what_zpl_reads():
    assert zpl_field_text("Zoë Müller") == "Zoë Müller"
    assert zpl_field_text("a^b~c_d\\e\nf") == "a_5Eb_7Ec_5Fd_5Ce_0Af"
    assert zpl_field_text("a\\&b", block=True) == "a_5C_5C&b"


def test_the_package_page_links_the_zpl_label(net):
    page = login(net.clerk_a).get(reverse("admin:shipments_package_change", args=[net.a_to_c.pk])).content.decode()
    assert "Label (ZPL)" in page
    assert reverse("admin:shipments_package_label_zpl", args=[net.a_to_c.pk]) in page


def test_another_offices_clerk_gets_no_label(net):
    response = login(net.clerk_b).get(reverse("admin:shipments_package_label_zpl", args=[net.a_to_c.pk]))
    assert response.status_code == 404


def test_selected_packages_print_as_one_zpl_stream(net):
    packages = [register_package(origin=net.a, destination=net.c, receiver=party(f"Receiver {n}")) for n in range(100)]
    response = login(net.clerk_a).post(
        reverse("admin:shipments_package_changelist"),
        {"action": "print_labels_zpl", "_selected_action": [package.pk for package in packages]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zpl; charset=utf-8"
    labels = parse(response.content.decode("utf-8"))
    printed = [next(f.data for f in label.fields if f.kind == "code128") for label in labels]
    assert printed == [package.tracking_number for package in packages]


def test_more_than_500_labels_at_once_are_refused(net, monkeypatch):
    import shipments.admin.labels as label_actions

    monkeypatch.setattr(label_actions, "MAX_LABELS_PER_STREAM", 2)
    selected = [net.a_to_c.pk, register_package(origin=net.a, destination=net.c).pk]
    selected.append(register_package(origin=net.a, destination=net.c).pk)
    response = login(net.clerk_a).post(
        reverse("admin:shipments_package_changelist"),
        {"action": "print_labels_zpl", "_selected_action": selected},
        follow=True,
    )
    assert "Select at most 2 packages to print at once." in response.content.decode()


@pytest.mark.parametrize("accept", [None, "application/zpl", "application/json"])
def test_the_api_serves_the_zpl_label(net, client_for, accept):
    package = net.a_to_c
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = client_for(net.clerk_a).get(f"/api/v1/packages/{package.tracking_number}/label.zpl", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zpl; charset=utf-8"
    [label] = parse(response.content.decode("utf-8"))
    assert next(f.data for f in label.fields if f.kind == "code128") == package.tracking_number


def test_the_api_refuses_an_unknown_resolution_and_another_offices_label(net, client_for):
    number = net.a_to_c.tracking_number
    error = assert_error(client_for(net.clerk_a).get(f"/api/v1/packages/{number}/label.zpl?dpi=600"), 400)
    assert "dpi" in error["details"]
    assert_error(client_for(net.clerk_b).get(f"/api/v1/packages/{number}/label.zpl"), 404)


# --- bag labels (dispatches.zpl), drawn with the same building blocks -----------------------


def closed_bag(net, *, receiver: str = "Rita Receiver"):
    from decimal import Decimal

    from dispatches.services import bag_add_parcel, bag_close, bag_open

    bag = bag_open(actor=None, origin_office=net.a, destination_office=net.c, category="C")
    for declared in (Decimal(0), Decimal("25.00")):
        package = register_package(
            origin=net.a, destination=net.c, accept=True, declared_value=declared, receiver=party(receiver)
        )
        bag_add_parcel(actor=None, bag=bag, package=package)
    return bag_close(actor=None, bag=bag, weight_kg="3.5", seal="S-7")


def test_the_bag_label_in_zpl_holds_what_the_printed_bag_label_holds(net):
    from dispatches.identifiers import groups

    bag = closed_bag(net)
    client = login(net.clerk_a)
    page = client.get(reverse("admin:dispatches_bag_label", args=[bag.identifier])).content.decode()
    url = reverse("admin:dispatches_bag_label_zpl", args=[bag.identifier])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zpl; charset=utf-8"
    [label] = parse(response.content.decode("utf-8"))
    assert label.utf8
    assert (label.width, label.length) == (800, 1200)
    [barcode] = [f for f in label.fields if f.kind == "code128"]
    assert barcode.data == bag.identifier
    texts = label.texts()
    assert {net.a.code, net.c.code, net.a.name, net.c.name, " ".join(groups(bag.identifier))} <= set(texts)
    assert {"Category C", "2 parcels", "3.5 kg", "R"} <= set(texts)
    assert all(0 <= f.x < label.width and 0 <= f.y < label.length for f in label.fields)
    [label_300] = parse(client.get(url, {"dpi": "300"}).content.decode("utf-8"))
    assert (label_300.width, label_300.length) == (1200, 1800)
    assert client.get(url, {"dpi": "600"}).status_code == 400


def test_an_office_name_with_zpl_commands_prints_as_text_on_the_bag_label(net):
    hostile = "Hub ^XZ^XA~JR_41"
    type(net.c).objects.filter(pk=net.c.pk).update(name=hostile)
    bag = closed_bag(net)
    stream = login(net.clerk_a).get(reverse("admin:dispatches_bag_label_zpl", args=[bag.identifier])).content
    [label] = parse(stream.decode("utf-8"))
    assert hostile in label.texts()


def test_open_bags_and_other_offices_get_no_bag_label(net):
    from dispatches.services import bag_open

    bag = closed_bag(net)
    url = reverse("admin:dispatches_bag_label_zpl", args=[bag.identifier])
    assert login(net.clerk_b).get(url).status_code == 404
    still_open = bag_open(actor=None, origin_office=net.a, destination_office=net.c, category="C")
    assert login(net.clerk_a).get(reverse("admin:dispatches_bag_label_zpl", args=[still_open.pk])).status_code == 404
