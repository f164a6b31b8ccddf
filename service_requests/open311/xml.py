"""The spec's XML, written from the same data as the JSON answer. A list is an element whose
children are named after it (<services><service>, <attributes><attribute>, <values><value>...);
booleans are "true"/"false", None an empty element."""
import re

from lxml import etree

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
# The element name of a list's items, by the list's name.
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    "extensions": "extension",
}
# Characters XML 1.0 cannot carry (a control character typed in a description): dropped.
NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def to_xml(root: str, data) -> bytes:
    """`data` (a dict, or a list of dicts) as the UTF-8 document <root>...</root>."""
    element = etree.Element(root)
    _fill(element, root, data)
    return DECLARATION + etree.tostring(element, encoding="utf-8", pretty_print=True)


def _fill(element, name, value):
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(etree.SubElement(element, key), key, child)
    elif isinstance(value, list | tuple):
        item_name = ITEMS[name]
        for item in value:
            _fill(etree.SubElement(element, item_name), item_name, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = NOT_XML.sub("", str(value))
