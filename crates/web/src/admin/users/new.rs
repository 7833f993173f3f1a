//! "Add a user": names, user name and domain, password (generated and shown once, or "Let
//! me create the password"), "Require this user to change their password when they first
//! sign in", usage location and licences.

use crate::WebState;
use crate::page::{Chrome, Section, domain_error, explain, render, status_of};
use crate::session::{Admin, Signed};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use directory::ids::SkuId;
use directory::password::Password;
use directory::upn::{DomainName, UserPrincipalName};
use directory::user::{NewUser, UsageLocation};
use directory::views::NewUserChoices;
use directory::{Code, Error, Kind};
use serde::Deserialize;

pub(super) fn routes() -> Router<WebState> {
    Router::new().route("/admin/users/new", get(new_form).post(add))
}

/// The "Add a user" form's values, as typed.
#[derive(Debug, Default, Deserialize)]
struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    domain: String,
    /// `auto` (generate) or `manual` ("Let me create the password").
    #[serde(default)]
    password_mode: String,
    #[serde(default)]
    password: String,
    force_change: Option<String>,
    #[serde(default)]
    usage_location: String,
    #[serde(default)]
    license: Vec<String>,
}

struct DomainOption {
    name: String,
    selected: bool,
}

struct LicenseOption {
    id: String,
    name: String,
    free: i64,
    checked: bool,
}

#[derive(Template)]
#[template(path = "admin/users_new.html")]
struct NewUserPage {
    chrome: Chrome,
    form: NewUserForm,
    domains: Vec<DomainOption>,
    licenses: Vec<LicenseOption>,
    manual: bool,
    force_change: bool,
    error: Option<String>,
}

impl NewUserPage {
    fn new(chrome: Chrome, choices: NewUserChoices, form: NewUserForm, error: Option<String>) -> Self {
        let manual = form.password_mode == "manual";
        let force_change = form.csrf.is_empty() || form.force_change.is_some();
        NewUserPage {
            chrome,
            domains: choices
                .domains
                .iter()
                .map(|d| DomainOption {
                    selected: d.as_str() == form.domain,
                    name: d.to_string(),
                })
                .collect(),
            licenses: choices
                .subscriptions
                .iter()
                .map(|sku| LicenseOption {
                    id: sku.id.to_string(),
                    name: sku.part_number.clone(),
                    free: sku.free_seats(),
                    checked: form.license.contains(&sku.id.to_string()),
                })
                .collect(),
            manual,
            force_change,
            error,
            form,
        }
    }
}

async fn new_form(State(state): State<WebState>, Admin(signed): Admin) -> Response {
    match state.directory.new_user_choices(&signed.session.caller).await {
        Ok(choices) => render(&NewUserPage::new(
            signed.chrome(Section::Users),
            choices,
            NewUserForm::default(),
            None,
        )),
        Err(error) => domain_error(signed.t(), &error),
    }
}

#[derive(Template)]
#[template(path = "admin/users_added.html")]
struct AddedPage {
    chrome: Chrome,
    name: String,
    upn: String,
    password: Option<String>,
    force_change: bool,
    license_error: Option<String>,
}

async fn add(State(state): State<WebState>, Admin(signed): Admin, Form(form): Form<NewUserForm>) -> Response {
    if let Err(rejection) = signed.check_csrf(&form.csrf) {
        return rejection;
    }
    let t = signed.t();
    let caller = &signed.session.caller;
    let (new, generated, licenses) = match parse(&form) {
        Ok(parsed) => parsed,
        Err(error) => return form_again(&state, &signed, form, &error).await,
    };
    let force_change = new.force_change_password;
    match state.directory.add_user(caller, new, licenses).await {
        Ok(added) => render(&AddedPage {
            chrome: signed.chrome(Section::Users),
            name: added.user.display_name.clone(),
            upn: added.user.upn.to_string(),
            password: generated,
            force_change,
            license_error: added.license_error.as_ref().map(|e| explain(t, e)),
        }),
        Err(error) if !matches!(error.kind(), Kind::Internal | Kind::Unavailable) => {
            form_again(&state, &signed, form, &error).await
        }
        Err(error) => domain_error(t, &error),
    }
}

/// The form again, with what was typed and why it was refused.
async fn form_again(state: &WebState, signed: &Signed, form: NewUserForm, error: &Error) -> Response {
    let t = signed.t();
    match state.directory.new_user_choices(&signed.session.caller).await {
        Ok(choices) => {
            let page = NewUserPage::new(signed.chrome(Section::Users), choices, form, Some(explain(t, error)));
            (status_of(error), render(&page)).into_response()
        }
        Err(error) => domain_error(t, &error),
    }
}

/// The new user, the generated password to show (if any) and the licences to assign.
fn parse(form: &NewUserForm) -> Result<(NewUser, Option<String>, Vec<SkuId>), Error> {
    let domain = DomainName::parse(form.domain.trim())?;
    let upn = UserPrincipalName::from_parts(form.username.trim(), &domain)?;
    let (password, generated) = if form.password_mode == "manual" {
        (Password::parse(&form.password, Some(upn.local()))?, None)
    } else {
        let password = Password::generate();
        let shown = password.expose().to_owned();
        (password, Some(shown))
    };
    let mut new = NewUser::new(upn, form.display_name.trim(), password);
    new.given_name = non_empty(&form.first_name);
    new.surname = non_empty(&form.last_name);
    new.force_change_password = form.force_change.is_some();
    new.usage_location = non_empty(&form.usage_location)
        .map(|code| UsageLocation::parse(&code))
        .transpose()?;
    let licenses = form
        .license
        .iter()
        .map(|id| {
            id.parse::<SkuId>().map_err(|_| Error::Invalid {
                code: Code::InvalidValue,
                message: format!("'{id}' is not a subscription id"),
                target: Some("license"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((new, generated, licenses))
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
