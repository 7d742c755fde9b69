"""schemathesis hooks for folio-shop's CI run: leave out exactly the requests
whose refusal the OpenAPI document cannot express.

- Pagination parameters of two modes at once (`page`/`per_page`, `limit`/`offset`,
  `cursor`): each is valid alone, the server refuses a mix with a 400
  (`conflicting-modes`). OpenAPI 3.1 has no way to say "at most one of these
  query parameters".
- An ordering that names a field twice (`price,-price`): each item is in the
  document's enumeration and the items differ, but the server refuses a field
  given twice (400). JSON Schema's `uniqueItems` compares whole items only.
"""

import schemathesis

MODES = [("page", "per_page"), ("limit", "offset"), ("cursor",)]


def _modes(query):
    return sum(1 for names in MODES if any(name in query for name in names))


def _field_twice(query):
    ordering = query.get("ordering")
    if ordering is None:
        return False
    items = ordering if isinstance(ordering, list) else str(ordering).split(",")
    fields = [str(item).lstrip("-") for item in items]
    return len(fields) != len(set(fields))


@schemathesis.hook
def filter_query(ctx, query):
    if not query:
        return True
    return _modes(query) <= 1 and not _field_twice(query)


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    """The phases that do not go through `filter_query` (coverage) get the same
    rule: parameters of the first mode present are kept, the others dropped."""
    if not case.query or _modes(case.query) <= 1:
        return
    for names in MODES:
        if any(name in case.query for name in names):
            keep = set(names)
            break
    for names in MODES:
        for name in names:
            if name not in keep:
                case.query.pop(name, None)
