//! Numbered page links with the middle elided, as Django's
//! `Paginator.get_elided_page_range` computes them (Django 3.2+).

/// One entry of an elided page range: a page number or a gap.
///
/// ```
/// use folio::PageItem;
/// assert_eq!(PageItem::Page(3).number(), Some(3));
/// assert_eq!(PageItem::Ellipsis.number(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageItem {
    /// A page number (1-based).
    Page(u64),
    /// Elided pages (Django renders `…`).
    Ellipsis,
}

impl PageItem {
    /// The page number, or `None` for the ellipsis.
    ///
    /// ```
    /// assert_eq!(folio::PageItem::Page(7).number(), Some(7));
    /// ```
    pub fn number(self) -> Option<u64> {
        match self {
            PageItem::Page(n) => Some(n),
            PageItem::Ellipsis => None,
        }
    }
}

/// The page numbers to show around page `number` of `num_pages`, with runs of
/// pages elided, exactly as Django's `Paginator.get_elided_page_range(number,
/// on_each_side=…, on_ends=…)` (Django's defaults are `on_each_side = 3` and
/// `on_ends = 2`).
///
/// When `num_pages <= (on_each_side + on_ends) * 2` every page is listed. Otherwise
/// the range keeps `on_ends` pages at each end and `on_each_side` pages on each side
/// of the current page, and replaces each other run by one [`PageItem::Ellipsis`]
/// (a run of a single page is listed rather than elided when it sits next to the
/// current window, as in Django).
///
/// Unlike Django, which raises `EmptyPage` or `PageNotAnInteger`, `number` is clamped
/// into `1..=num_pages`, and 0 pages give an empty range.
///
/// ```
/// use folio::{elided_page_range, PageItem::{Ellipsis, Page}};
/// // Django's documented example: page 43 of 50 with the defaults.
/// assert_eq!(
///     elided_page_range(43, 50, 3, 2),
///     [Page(1), Page(2), Ellipsis, Page(40), Page(41), Page(42), Page(43),
///      Page(44), Page(45), Page(46), Ellipsis, Page(49), Page(50)]
/// );
/// assert_eq!(elided_page_range(2, 3, 3, 2), [Page(1), Page(2), Page(3)]);
/// assert!(elided_page_range(1, 0, 3, 2).is_empty());
/// ```
pub fn elided_page_range(
    number: u64,
    num_pages: u64,
    on_each_side: u64,
    on_ends: u64,
) -> Vec<PageItem> {
    if num_pages == 0 {
        return Vec::new();
    }
    let number = number.clamp(1, num_pages);
    let span = on_each_side.saturating_add(on_ends);
    if num_pages <= span.saturating_mul(2) {
        return (1..=num_pages).map(PageItem::Page).collect();
    }
    // Here `num_pages > 2 * span`, so `span + 2` and `number + on_each_side` (below
    // `num_pages` in their branch) do not overflow, and every subtraction stays
    // non-negative.
    let mut out =
        Vec::with_capacity(span.saturating_mul(2).saturating_add(5).min(num_pages) as usize);
    if number > span + 2 {
        out.extend((1..=on_ends).map(PageItem::Page));
        out.push(PageItem::Ellipsis);
        out.extend((number - on_each_side..=number).map(PageItem::Page));
    } else {
        out.extend((1..=number).map(PageItem::Page));
    }
    if number < num_pages - span - 1 {
        out.extend((number + 1..=number + on_each_side).map(PageItem::Page));
        out.push(PageItem::Ellipsis);
        out.extend((num_pages - on_ends..num_pages).map(|n| PageItem::Page(n + 1)));
    } else {
        out.extend((number..num_pages).map(|n| PageItem::Page(n + 1)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::elided_page_range;
    use super::PageItem::{self, Ellipsis, Page};

    /// Django's notation: numbers, with 0 for the ellipsis.
    fn r(items: &[u64]) -> Vec<PageItem> {
        items
            .iter()
            .map(|&n| if n == 0 { Ellipsis } else { Page(n) })
            .collect()
    }

    #[test]
    fn django_default_arguments() {
        // Django's tests: 50 pages, on_each_side=3, on_ends=2.
        let cases: [(u64, &[u64]); 6] = [
            (1, &[1, 2, 3, 4, 0, 49, 50]),
            (7, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 49, 50]),
            (8, &[1, 2, 0, 5, 6, 7, 8, 9, 10, 11, 0, 49, 50]),
            (43, &[1, 2, 0, 40, 41, 42, 43, 44, 45, 46, 0, 49, 50]),
            (44, &[1, 2, 0, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]),
            (50, &[1, 2, 0, 47, 48, 49, 50]),
        ];
        for (number, expected) in cases {
            assert_eq!(elided_page_range(number, 50, 3, 2), r(expected), "{number}");
        }
    }

    #[test]
    fn not_elided_up_to_twice_the_span() {
        // 10 pages with the defaults: all of them; 11 pages: elided.
        for number in 1..=10 {
            assert_eq!(
                elided_page_range(number, 10, 3, 2),
                r(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
            );
        }
        assert!(elided_page_range(1, 11, 3, 2).contains(&Ellipsis));
        assert_eq!(elided_page_range(1, 1, 3, 2), r(&[1]));
        assert_eq!(elided_page_range(1, 2, 3, 2), r(&[1, 2]));
    }

    #[test]
    fn django_custom_arguments() {
        let cases: [(u64, u64, u64, &[u64]); 24] = [
            // on_each_side=2, on_ends=1
            (1, 2, 1, &[1, 2, 3, 0, 50]),
            (5, 2, 1, &[1, 2, 3, 4, 5, 6, 7, 0, 50]),
            (6, 2, 1, &[1, 0, 4, 5, 6, 7, 8, 0, 50]),
            (45, 2, 1, &[1, 0, 43, 44, 45, 46, 47, 0, 50]),
            (46, 2, 1, &[1, 0, 44, 45, 46, 47, 48, 49, 50]),
            (50, 2, 1, &[1, 0, 48, 49, 50]),
            // on_each_side=1, on_ends=3
            (1, 1, 3, &[1, 2, 0, 48, 49, 50]),
            (6, 1, 3, &[1, 2, 3, 4, 5, 6, 7, 0, 48, 49, 50]),
            (7, 1, 3, &[1, 2, 3, 0, 6, 7, 8, 0, 48, 49, 50]),
            (44, 1, 3, &[1, 2, 3, 0, 43, 44, 45, 0, 48, 49, 50]),
            (45, 1, 3, &[1, 2, 3, 0, 44, 45, 46, 47, 48, 49, 50]),
            (50, 1, 3, &[1, 2, 3, 0, 49, 50]),
            // on_each_side=4, on_ends=0
            (1, 4, 0, &[1, 2, 3, 4, 5, 0]),
            (6, 4, 0, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]),
            (7, 4, 0, &[0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]),
            (44, 4, 0, &[0, 40, 41, 42, 43, 44, 45, 46, 47, 48, 0]),
            (45, 4, 0, &[0, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50]),
            (50, 4, 0, &[0, 46, 47, 48, 49, 50]),
            // on_each_side=0, on_ends=1
            (1, 0, 1, &[1, 0, 50]),
            (3, 0, 1, &[1, 2, 3, 0, 50]),
            (4, 0, 1, &[1, 0, 4, 0, 50]),
            (47, 0, 1, &[1, 0, 47, 0, 50]),
            (48, 0, 1, &[1, 0, 48, 49, 50]),
            (50, 0, 1, &[1, 0, 50]),
        ];
        for (number, each, ends, expected) in cases {
            assert_eq!(
                elided_page_range(number, 50, each, ends),
                r(expected),
                "number={number} on_each_side={each} on_ends={ends}"
            );
        }
    }

    #[test]
    fn on_each_side_and_on_ends_zero() {
        let cases: [(u64, &[u64]); 6] = [
            (1, &[1, 0]),
            (2, &[1, 2, 0]),
            (3, &[0, 3, 0]),
            (48, &[0, 48, 0]),
            (49, &[0, 49, 50]),
            (50, &[0, 50]),
        ];
        for (number, expected) in cases {
            assert_eq!(elided_page_range(number, 50, 0, 0), r(expected), "{number}");
        }
        // A span of 0 elides from 1 page on, but a single page has nothing to elide.
        assert_eq!(elided_page_range(1, 1, 0, 0), r(&[1]));
    }

    #[test]
    fn elision_threshold_matches_django() {
        // As Django's tests: (pages, on_each_side, on_ends, elided_after): not elided
        // for pages + k with k < elided_after, elided from k = elided_after (when
        // both arguments are <= 1 but not both 1, one page later than the bound).
        let cases = [
            (6, 2, 1, 1),
            (8, 1, 3, 1),
            (8, 4, 0, 1),
            (4, 1, 1, 1),
            (2, 0, 1, 2),
            (2, 1, 0, 2),
            (1, 0, 0, 2),
        ];
        for (pages, each, ends, elided_after) in cases {
            for k in 0..=elided_after {
                let range = elided_page_range(1, pages + k, each, ends);
                assert_eq!(
                    range.contains(&Ellipsis),
                    k >= elided_after,
                    "pages={} each={each} ends={ends}: {range:?}",
                    pages + k
                );
            }
        }
    }

    #[test]
    fn number_is_clamped_and_no_pages_is_empty() {
        assert_eq!(
            elided_page_range(0, 50, 3, 2),
            elided_page_range(1, 50, 3, 2)
        );
        assert_eq!(
            elided_page_range(999, 50, 3, 2),
            elided_page_range(50, 50, 3, 2)
        );
        assert!(elided_page_range(0, 0, 3, 2).is_empty());
        assert!(elided_page_range(5, 0, 0, 0).is_empty());
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let n = u64::MAX;
        assert_eq!(
            elided_page_range(n, n, 1, 1),
            vec![Page(1), Ellipsis, Page(n - 1), Page(n)]
        );
        assert_eq!(
            elided_page_range(n / 2, n, 0, 0),
            vec![Ellipsis, Page(n / 2), Ellipsis]
        );
        assert_eq!(elided_page_range(3, 5, u64::MAX, u64::MAX).len(), 5);
    }
}
