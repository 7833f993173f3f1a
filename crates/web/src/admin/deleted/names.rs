//! Names for ids the restore results carry: licence part numbers, and who holds an address.

use crate::lang::Tr;
use crate::page::explain;
use directory::address::OwnerKind;
use directory::error::Holder;
use directory::ids::{GroupId, SkuId, UserId};
use directory::{Caller, Directory, Error};
use std::collections::HashMap;

/// Licence part numbers by id (an unknown id shows as itself).
pub(super) struct SkuNames(HashMap<SkuId, String>);

impl SkuNames {
    pub(super) async fn load(directory: &Directory, caller: &Caller) -> Result<Self, Error> {
        let skus = directory.subscriptions(caller).await?;
        Ok(SkuNames(
            skus.into_iter().map(|sku| (sku.id, sku.part_number)).collect(),
        ))
    }

    pub(super) fn name(&self, id: SkuId) -> String {
        self.0.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }

    pub(super) fn names(&self, ids: impl IntoIterator<Item = SkuId>) -> Vec<String> {
        ids.into_iter().map(|id| self.name(id)).collect()
    }
}

/// Who holds an address, in words: "Adele Vance (adele@contoso.com)", "the group Sales",
/// or the id when the holder cannot be read.
pub(super) async fn holder_text(directory: &Directory, caller: &Caller, t: Tr, holder: &Holder) -> String {
    match holder.kind {
        OwnerKind::User => match directory.user(caller, UserId(holder.object_id)).await {
            Ok(user) => t.with(
                "restore-held-by-user",
                "name",
                &format!("{} ({})", user.display_name, user.upn),
            ),
            Err(_) if holder.deleted => t.with("restore-held-by-deleted-user", "id", &holder.object_id.to_string()),
            Err(_) => t.with("restore-held-by-user", "name", &holder.object_id.to_string()),
        },
        OwnerKind::Group => match directory.group(caller, GroupId(holder.object_id)).await {
            Ok(group) => t.with("restore-held-by-group", "name", &group.display_name),
            Err(_) => t.with("restore-held-by-group", "name", &holder.object_id.to_string()),
        },
    }
}

/// Why one user could not be restored, in words: a role refusal names the roles the user
/// holds (`target_roles`), a name conflict says who holds the name.
pub(super) async fn failure_text(
    directory: &Directory,
    caller: &Caller,
    t: Tr,
    error: &Error,
    target_roles: &str,
) -> String {
    match error {
        Error::Forbidden { .. } if target_roles.is_empty() => t.get("restore-forbidden-caller"),
        Error::Forbidden { .. } => t.with("restore-forbidden-target", "roles", target_roles),
        Error::UpnTaken { upn, holder } => {
            let who = match holder {
                Some(holder) => holder_text(directory, caller, t, holder).await,
                None => String::new(),
            };
            format!("{} {who}", t.with("restore-upn-taken", "upn", upn))
                .trim_end()
                .to_owned()
        }
        Error::AddressTaken { address, holder } => {
            let who = match holder {
                Some(holder) => holder_text(directory, caller, t, holder).await,
                None => String::new(),
            };
            format!("{} {who}", t.with("restore-address-taken", "address", address))
                .trim_end()
                .to_owned()
        }
        Error::NotFound { .. } => t.get("restore-not-found"),
        other => explain(t, other),
    }
}
