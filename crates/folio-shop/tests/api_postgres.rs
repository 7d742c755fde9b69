//! The API suite on PostgreSQL (a throwaway cluster from folio-testing; skipped
//! loudly without PostgreSQL, required under CI).

mod common;

suite_tests! { common::postgres();
    products_page_mode,
    products_offset_and_past_the_end,
    products_deep_pages_from_bookmarks,
    products_page_numbers_by_nullable_ordering,
    products_cursor_orderings,
    products_filters,
    products_fields_and_detail,
    bad_input,
    statement_budget,
    users_expand_orders,
    user_detail_and_orders,
    envelope_drf,
    envelopes_jsonapi_relay,
    export_ndjson,
    exact_values,
    openapi_served,
    cursor_walk_under_concurrent_writes,
}
