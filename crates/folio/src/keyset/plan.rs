//! Planning a keyset page: the arms (index ranges) a seek is read as.

use crate::{Nulls, SortKey, Value};

/// Which rows an arm holds, told by the row's key values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ArmTag {
    /// `Some(true)`: rows whose first key is NULL; `Some(false)`: rows whose first
    /// key is not NULL; `None`: either.
    pub(super) lead_null: Option<bool>,
    /// `Some(p)`: rows whose first `p` keys equal the boundary's and whose next key
    /// does not (a split seek's arm); `None`: any.
    pub(super) equal_prefix: Option<usize>,
}

/// The arms of a seek from boundary `b` over `keys` (whose first key, if it was
/// nullable, is known not to be NULL here). With `split`, a row-value seek becomes one
/// arm per key — `k0 = ? AND … AND kp > ?`, ordered by the keys from p on — so
/// that each arm is an index seek on every key it fixes; the arms run from the
/// longest tie with the boundary to the shortest.
pub(super) fn seek_arms(
    keys: &[SortKey],
    b: &[Value],
    split: bool,
    lead_null: Option<bool>,
) -> Vec<Arm> {
    let row_value = keys.len() > 1
        && keys.iter().all(|k| !k.is_nullable())
        && keys.windows(2).all(|p| p[0].order() == p[1].order());
    if split && row_value {
        (0..keys.len())
            .rev()
            .map(|p| Arm {
                filter: ArmFilter::Tie {
                    keys: keys[..=p].to_vec(),
                    values: b[..=p].to_vec(),
                },
                order: keys[p..].to_vec(),
                tag: ArmTag {
                    lead_null,
                    equal_prefix: Some(p),
                },
            })
            .collect()
    } else {
        vec![Arm {
            filter: ArmFilter::After(b.to_vec()),
            order: keys.to_vec(),
            tag: ArmTag {
                lead_null,
                equal_prefix: None,
            },
        }]
    }
}

#[derive(Debug)]
pub(super) enum ArmFilter {
    /// Every row.
    All,
    /// Rows after the boundary in the arm's order.
    After(Vec<Value>),
    /// Rows whose `column` IS NULL (the traversal's first key, which the arm no
    /// longer orders by), and after the boundary's other values if given.
    Null {
        column: String,
        rest: Option<Vec<Value>>,
    },
    /// Rows whose first key IS NOT NULL.
    NotNull,
    /// Rows equal to `values` on every key but the last, and after it on the last.
    Tie {
        keys: Vec<SortKey>,
        values: Vec<Value>,
    },
}

#[derive(Debug)]
pub(super) struct Arm {
    pub(super) filter: ArmFilter,
    /// The keys the arm is ordered by, as traversed.
    pub(super) order: Vec<SortKey>,
    pub(super) tag: ArmTag,
}

/// Splits a traversal whose first key is nullable into its non-NULL and NULL parts.
pub(super) fn nullable_lead_arms(
    walk: &[SortKey],
    boundary: Option<&[Value]>,
    split: bool,
) -> Vec<Arm> {
    let nulls_last = walk[0].nulls() == Nulls::Last;
    let mut values_part = walk.to_vec();
    values_part[0] = SortKey::new(walk[0].name(), walk[0].column(), walk[0].order());
    let null_part = walk[1..].to_vec();
    let not_null = || Arm {
        filter: ArmFilter::NotNull,
        order: values_part.clone(),
        tag: ArmTag {
            lead_null: Some(false),
            equal_prefix: None,
        },
    };
    let null = |rest| Arm {
        filter: ArmFilter::Null {
            column: walk[0].column().to_owned(),
            rest,
        },
        order: null_part.clone(),
        tag: ArmTag {
            lead_null: Some(true),
            equal_prefix: None,
        },
    };
    match boundary {
        None => {
            let (a, b) = (not_null(), null(None));
            if nulls_last {
                vec![a, b]
            } else {
                vec![b, a]
            }
        }
        Some(b) if !b[0].is_null() => {
            let mut arms = seek_arms(&values_part, b, split, Some(false));
            if nulls_last {
                arms.push(null(None));
            }
            arms
        }
        Some(b) => {
            let mut arms = vec![null(Some(b[1..].to_vec()))];
            if !nulls_last {
                arms.push(not_null());
            }
            arms
        }
    }
}
