//! The wizard's state as it travels in hidden form fields: the selected users, the password
//! choice and each user's answer to a user name conflict. Parsed afresh from every POST.

use crate::lang::Tr;
use directory::Error;
use directory::ids::UserId;
use directory::password::Password;
use directory::recycle_bin::{ConflictResolution, PasswordReset, RestoreOptions};
use directory::upn::UserPrincipalName;
use std::collections::BTreeMap;

/// The most users one wizard restores at once.
pub(super) const MAX_SELECTED: usize = 200;

/// "Auto-generate password", "Let me create the password", or keep the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PasswordChoice {
    Auto,
    Manual,
    Keep,
}

impl PasswordChoice {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "auto" => Some(PasswordChoice::Auto),
            "manual" => Some(PasswordChoice::Manual),
            "keep" => Some(PasswordChoice::Keep),
            _ => None,
        }
    }

    pub(super) fn as_str(self) -> &'static str {
        match self {
            PasswordChoice::Auto => "auto",
            PasswordChoice::Manual => "manual",
            PasswordChoice::Keep => "keep",
        }
    }
}

/// The seed's two answers to a user name conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ConflictChoice {
    /// Rename the active user that holds the name.
    RenameActive,
    /// Give the restored user this new user name (and primary address).
    NewUpn(String),
}

#[derive(Debug, Clone)]
pub(super) struct WizardState {
    /// The step the form asks for: `start`, `password`, `conflicts` or `restore`.
    pub(super) step: String,
    pub(super) ids: Vec<UserId>,
    pub(super) password: PasswordChoice,
    pub(super) new_password: String,
    pub(super) force_change: bool,
    pub(super) conflicts: BTreeMap<UserId, ConflictChoice>,
}

impl WizardState {
    /// Reads the state from form fields; unknown fields are ignored, bad ids refused.
    pub(super) fn parse(fields: &[(String, String)]) -> Result<Self, String> {
        let mut state = WizardState {
            step: "start".into(),
            ids: Vec::new(),
            password: PasswordChoice::Auto,
            new_password: String::new(),
            force_change: false,
            conflicts: BTreeMap::new(),
        };
        let mut choices: BTreeMap<UserId, String> = BTreeMap::new();
        let mut new_upns: BTreeMap<UserId, String> = BTreeMap::new();
        for (name, value) in fields {
            match name.as_str() {
                "step" => state.step = value.clone(),
                "id" => {
                    let id: UserId = value.parse().map_err(|_| "id".to_owned())?;
                    if !state.ids.contains(&id) {
                        state.ids.push(id);
                    }
                }
                "password" => state.password = PasswordChoice::parse(value).ok_or_else(|| "password".to_owned())?,
                "new-password" => state.new_password = value.clone(),
                "force-change" => state.force_change = true,
                other => {
                    if let Some(id) = other.strip_prefix("conflict-") {
                        choices.insert(id.parse().map_err(|_| name.clone())?, value.clone());
                    } else if let Some(id) = other.strip_prefix("new-upn-") {
                        new_upns.insert(id.parse().map_err(|_| name.clone())?, value.trim().to_owned());
                    }
                }
            }
        }
        for (id, choice) in choices {
            let choice = match choice.as_str() {
                "rename-active" => ConflictChoice::RenameActive,
                "new-upn" => ConflictChoice::NewUpn(new_upns.remove(&id).unwrap_or_default()),
                _ => return Err(format!("conflict-{id}")),
            };
            state.conflicts.insert(id, choice);
        }
        if state.ids.len() > MAX_SELECTED {
            return Err("id".into());
        }
        Ok(state)
    }

    /// The password every selected user gets, checked against the policy.
    pub(super) fn password_reset(&self) -> Result<PasswordReset, Error> {
        Ok(match self.password {
            PasswordChoice::Auto => PasswordReset::Generate,
            PasswordChoice::Keep => PasswordReset::Keep,
            PasswordChoice::Manual => PasswordReset::Set(Password::parse(&self.new_password, None)?),
        })
    }

    /// One user's restore options. Address conflicts are always reconciled, as the seed
    /// says: "Any conflicting proxy addresses are automatically removed from the user you
    /// are restoring."
    pub(super) fn options(&self, id: UserId, password: &PasswordReset) -> Result<RestoreOptions, Error> {
        let mut options = RestoreOptions {
            auto_reconcile_proxies: true,
            password: password.clone(),
            force_change_password: self.force_change && self.password != PasswordChoice::Keep,
            ..RestoreOptions::default()
        };
        match self.conflicts.get(&id) {
            Some(ConflictChoice::RenameActive) => options.on_upn_conflict = ConflictResolution::ReplaceActive,
            Some(ConflictChoice::NewUpn(text)) => options.new_upn = Some(UserPrincipalName::parse(text)?),
            None => {}
        }
        Ok(options)
    }

    /// The hidden fields that carry this state to the next step; the conflict answers are
    /// left out on the page that asks for them.
    pub(super) fn hidden(&self, with_conflicts: bool) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = self.ids.iter().map(|id| ("id".into(), id.to_string())).collect();
        fields.push(("password".into(), self.password.as_str().into()));
        if self.password == PasswordChoice::Manual {
            fields.push(("new-password".into(), self.new_password.clone()));
        }
        if self.force_change {
            fields.push(("force-change".into(), "on".into()));
        }
        if with_conflicts {
            for (id, choice) in &self.conflicts {
                match choice {
                    ConflictChoice::RenameActive => fields.push((format!("conflict-{id}"), "rename-active".into())),
                    ConflictChoice::NewUpn(upn) => {
                        fields.push((format!("conflict-{id}"), "new-upn".into()));
                        fields.push((format!("new-upn-{id}"), upn.clone()));
                    }
                }
            }
        }
        fields
    }
}

/// The message for a form that was tampered with or is out of date.
pub(super) fn bad_form(t: Tr, field: &str) -> String {
    t.with("restore-bad-form", "field", field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn state_survives_its_hidden_fields() {
        let a = UserId::generate();
        let b = UserId::generate();
        let form = pairs(&[
            ("id", &a.to_string()),
            ("id", &b.to_string()),
            ("id", &a.to_string()),
            ("password", "manual"),
            ("new-password", "a long and unusual phrase 7"),
            ("force-change", "on"),
            (&format!("conflict-{a}"), "new-upn"),
            (&format!("new-upn-{a}"), " adele2@contoso.com "),
            (&format!("conflict-{b}"), "rename-active"),
        ]);
        let state = WizardState::parse(&form).unwrap();
        assert_eq!(state.ids, vec![a, b]);
        assert_eq!(state.conflicts[&a], ConflictChoice::NewUpn("adele2@contoso.com".into()));
        let again = WizardState::parse(&state.hidden(true)).unwrap();
        assert_eq!(again.ids, state.ids);
        assert_eq!(again.conflicts, state.conflicts);
        assert_eq!(again.new_password, state.new_password);
        assert!(again.force_change);
        let options = again.options(b, &again.password_reset().unwrap()).unwrap();
        assert_eq!(options.on_upn_conflict, ConflictResolution::ReplaceActive);
        assert!(options.auto_reconcile_proxies && options.force_change_password);
        assert!(WizardState::parse(&state.hidden(false)).unwrap().conflicts.is_empty());
    }

    #[test]
    fn tampered_fields_are_refused() {
        assert!(WizardState::parse(&pairs(&[("id", "not-a-uuid")])).is_err());
        assert!(WizardState::parse(&pairs(&[("password", "mailed")])).is_err());
        let id = UserId::generate().to_string();
        assert!(WizardState::parse(&pairs(&[(&format!("conflict-{id}"), "delete-it")])).is_err());
        let many: Vec<(String, String)> = (0..=MAX_SELECTED)
            .map(|_| ("id".to_owned(), UserId::generate().to_string()))
            .collect();
        assert!(WizardState::parse(&many).is_err());
    }
}
