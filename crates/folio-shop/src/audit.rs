//! The shop's index audit: every combination of ordering and filters its endpoints
//! allow, asked of the database's planner (`folio-shop audit`; `serve` warns of the
//! unserved ones at start).

use folio::{AuditReport, IndexAudit};
use folio_sqlx::Db;

use crate::api::{orders, products, users};
use crate::backend::ShopBackend;
use crate::state::Api;

/// The user whose orders stand for every user's in the audit of
/// `/api/users/{id}/orders` (the path's `user_id = ?` is an equality column of every
/// combination).
pub const AUDITED_USER: i64 = 1;

/// The audits of the shop's lists: products (and their export), users, a user's
/// orders.
pub fn audits(api: &Api) -> Vec<IndexAudit> {
    vec![
        IndexAudit::new(&api.products, products::select(false)),
        IndexAudit::new(&api.users, users::select()),
        IndexAudit::new(&api.orders, orders::of_user(AUDITED_USER)),
    ]
}

/// Runs every audit of [`audits`] on `db`.
pub async fn run<B: ShopBackend>(
    db: &Db<B>,
    api: &Api,
) -> Result<Vec<AuditReport>, folio_sqlx::Error> {
    let mut reports = Vec::new();
    for audit in audits(api) {
        reports.push(db.audit(&audit).await?);
    }
    Ok(reports)
}

/// Logs one warning per unserved combination; returns how many there were.
pub fn warn_unserved(reports: &[AuditReport]) -> usize {
    let mut unserved = 0;
    for report in reports {
        for entry in report.unserved() {
            unserved += 1;
            tracing::warn!(
                endpoint = %report.endpoint,
                combination = %entry.case,
                suggestion = entry.suggestion.as_deref().unwrap_or("-"),
                "no index serves this combination: each page sorts the filtered rows"
            );
        }
    }
    unserved
}
