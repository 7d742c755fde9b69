"""schemathesis hooks for folio-shop's CI run (`.ci/run`): leave out exactly the
requests whose refusal the OpenAPI document cannot express, and send values the
document cannot describe the way a client gets them.

- Pagination parameters of two modes at once (`page`/`per_page`, `limit`/`offset`,
  `cursor`): each is valid alone, the server refuses a mix with a 400
  (`conflicting-modes`). OpenAPI 3.1 has no way to say "at most one of these
  query parameters".
- An ordering that names a field twice (`price,-price`): each item is in the
  document's enumeration and the items differ, but the server refuses a field
  given twice (400). JSON Schema's `uniqueItems` compares whole items only.
- Cursors: a cursor is a token the server signed for one list, ordering and
  filter set; a random string of the schema's type is not one (400, as it
  must be). A string cursor other than `` (first page) and `last` is replaced by
  a real one: the `next` cursor the server gives for the same request's first
  page (or `` when that page is the last). Cursors that break the schema
  (too long, not a string) are left alone: the server must refuse them.
- `ordering=` and `fields=`: an empty list (valid: the default applies) and a
  list of one empty string (not in the enumeration) are the same bytes on the
  wire. A generated value whose wire form is empty is sent as the empty list it
  is on the wire, so that the case is judged as what the server receives.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import schemathesis

MODES = [("page", "per_page"), ("limit", "offset"), ("cursor",)]
LISTS = ("ordering", "fields")
MAX_CURSOR = 4096


def _modes(query):
    return sum(1 for names in MODES if any(name in query for name in names))


def _items(value):
    if isinstance(value, list):
        return [str(item) for item in value]
    return str(value).split(",")


def _field_twice(query):
    ordering = query.get("ordering")
    if ordering is None:
        return False
    fields = [item.lstrip("-") for item in _items(ordering)]
    return len(fields) != len(set(fields))


def _wire(value):
    """A query value as `style: form, explode: false` sends it."""
    if isinstance(value, list):
        return ",".join(_wire(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


@schemathesis.hook
def filter_query(ctx, query):
    if not query:
        return True
    return _modes(query) <= 1 and not _field_twice(query)


def _real_cursor(case, query):
    """The `next` cursor of the first page of the same request, or ``."""
    base = os.environ.get("FOLIO_SHOP_URL") or case.operation.schema.get_base_url()
    params = {name: _wire(value) for name, value in query.items() if name != "cursor"}
    params["cursor"] = ""
    url = base.rstrip("/") + case.formatted_path + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except (urllib.error.URLError, ValueError, OSError):
        return ""
    next_link = body.get("next") if isinstance(body, dict) else None
    if not isinstance(next_link, str):
        return ""
    found = urllib.parse.parse_qs(urllib.parse.urlsplit(next_link).query).get("cursor")
    return found[0] if found else ""


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """The phases that do not go through `filter_query` (coverage) get the same
    mode rule: parameters of the first mode present are kept, the others dropped.
    Then the cursor and the empty lists (see the module's text)."""
    if not case.query:
        return
    query = dict(case.query)
    if _modes(query) > 1:
        for names in MODES:
            if any(name in query for name in names):
                keep = set(names)
                break
        for names in MODES:
            for name in names:
                if name not in keep:
                    query.pop(name, None)
    for name in LISTS:
        if name in query and query[name] != [] and _wire(query[name]) == "":
            query[name] = []
    cursor = query.get("cursor")
    if isinstance(cursor, str) and cursor not in ("", "last") and len(cursor) <= MAX_CURSOR:
        query["cursor"] = _real_cursor(case, query)
    if query != case.query:
        # Assigning the container (not editing it in place) has schemathesis judge
        # the case again (positive or negative) from the values sent.
        case.query = query
