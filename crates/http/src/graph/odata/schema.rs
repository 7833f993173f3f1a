//! What may be filtered and sorted on: the per-resource property tables `$filter` and `$orderby` are checked against.

/// The type of a filterable property, as Graph's metadata declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// `Edm.String`.
    String,
    /// `Edm.Boolean`.
    Bool,
    /// `Edm.DateTimeOffset`.
    DateTime,
    /// `Edm.Guid`. Graph declares `id` as a string, so a quoted GUID (`id eq '…'`) is accepted too.
    Guid,
    /// `Edm.Int64` (and `Edm.Int32`).
    Int,
    /// `Collection(Edm.String)`: filtered only through `any`, e.g. `proxyAddresses/any(p:p eq '…')`.
    StringCollection,
}

impl PropertyType {
    /// The OData type name, as used in error messages.
    pub fn edm_type(self) -> &'static str {
        match self {
            Self::String => "Edm.String",
            Self::Bool => "Edm.Boolean",
            Self::DateTime => "Edm.DateTimeOffset",
            Self::Guid => "Edm.Guid",
            Self::Int => "Edm.Int64",
            Self::StringCollection => "Collection(Edm.String)",
        }
    }
}

/// A `$filter` operator a property may support.
///
/// For a [`PropertyType::StringCollection`] the operators are the ones allowed inside its `any` lambda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `eq`.
    Eq,
    /// `ne`.
    Ne,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `lt`.
    Lt,
    /// `le`.
    Le,
    /// `in (…)`.
    In,
    /// `startsWith(…)`.
    StartsWith,
    /// `endsWith(…)`.
    EndsWith,
}

impl Operator {
    /// The name as Graph spells it in `$filter` and in its error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
            Self::In => "in",
            Self::StartsWith => "startsWith",
            Self::EndsWith => "endsWith",
        }
    }
}

/// Whether a capability works by default or only in an advanced query (`ConsistencyLevel: eventual` + `$count=true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Works by default.
    Basic,
    /// Needs the advanced query parameters.
    Advanced,
}

/// One filterable property of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    /// The canonical Graph name (matched case-insensitively).
    pub name: &'static str,
    /// Its type; literals are checked against it.
    pub ty: PropertyType,
    /// The operators it supports, and how. Unlisted operators are unsupported.
    pub operators: &'static [(Operator, Support)],
    /// Whether `eq null` / `ne null` is allowed (on top of `eq` / `ne` themselves), and how; `None` = not allowed.
    pub null: Option<Support>,
}

impl Property {
    /// How the property supports `operator`, or `None` when it does not.
    pub fn support(&self, operator: Operator) -> Option<Support> {
        self.operators
            .iter()
            .find(|(op, _)| *op == operator)
            .map(|(_, support)| *support)
    }
}

/// The filterable and sortable properties of one resource, e.g. [`Schema::users`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schema {
    /// The resource name used in Graph's error messages, e.g. `User`.
    pub resource: &'static str,
    /// The properties `$filter` accepts.
    pub properties: &'static [Property],
    /// The properties `$orderby` accepts (canonical names), and how.
    pub sortable: &'static [(&'static str, Support)],
}

impl Schema {
    /// Active users (`/users`), after Graph's user property table.
    pub fn users() -> &'static Schema {
        &builtin::USERS
    }

    /// Deleted users (`/directory/deletedItems/microsoft.graph.user`): the user properties plus `deletedDateTime`.
    pub fn deleted_users() -> &'static Schema {
        &builtin::DELETED_USERS
    }

    /// The filterable property called `name` (ASCII case-insensitive).
    pub fn property(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The canonical name of the sortable property called `name` (ASCII case-insensitive), and how it sorts.
    pub fn sortable(&self, name: &str) -> Option<(&'static str, Support)> {
        self.sortable
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(name))
            .copied()
    }
}

/// The built-in schemas; a module of its own so that importing `Operator::Eq` cannot shadow the `Eq` derive.
mod builtin {
    use super::Operator::{EndsWith, Eq, Ge, Gt, In, Le, Lt, Ne, StartsWith};
    use super::Support::{Advanced, Basic};
    use super::{Operator, Property, PropertyType, Schema, Support};

    const STRING_OPS: &[(Operator, Support)] = &[
        (Eq, Basic),
        (Ne, Advanced),
        (In, Basic),
        (StartsWith, Basic),
        (EndsWith, Advanced),
    ];
    const EQUALITY_OPS: &[(Operator, Support)] = &[(Eq, Basic), (Ne, Advanced), (In, Basic)];
    const DATE_OPS: &[(Operator, Support)] = &[
        (Eq, Basic),
        (Ne, Advanced),
        (Gt, Basic),
        (Ge, Basic),
        (Lt, Basic),
        (Le, Basic),
        (In, Advanced),
    ];
    const COLLECTION_OPS: &[(Operator, Support)] = &[(Eq, Basic), (StartsWith, Basic), (EndsWith, Advanced)];

    const fn prop(
        name: &'static str,
        ty: PropertyType,
        operators: &'static [(Operator, Support)],
        null: Option<Support>,
    ) -> Property {
        Property {
            name,
            ty,
            operators,
            null,
        }
    }

    /// The user properties shared by active and deleted users, followed by `$extra`.
    macro_rules! user_properties {
        ($($extra:expr),* $(,)?) => {
            &[
                prop("id", PropertyType::Guid, EQUALITY_OPS, None),
                prop("userPrincipalName", PropertyType::String, STRING_OPS, None),
                prop("displayName", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("givenName", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("surname", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("mail", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("mailNickname", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("jobTitle", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("department", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("usageLocation", PropertyType::String, STRING_OPS, Some(Advanced)),
                prop("accountEnabled", PropertyType::Bool, EQUALITY_OPS, None),
                prop("createdDateTime", PropertyType::DateTime, DATE_OPS, None),
                prop("onPremisesSyncEnabled", PropertyType::Bool, EQUALITY_OPS, Some(Advanced)),
                prop("proxyAddresses", PropertyType::StringCollection, COLLECTION_OPS, None),
                $($extra,)*
            ]
        };
    }

    pub(super) static USERS: Schema = Schema {
        resource: "User",
        properties: user_properties!(),
        sortable: &[
            ("displayName", Basic),
            ("userPrincipalName", Basic),
            ("createdDateTime", Advanced),
        ],
    };

    pub(super) static DELETED_USERS: Schema = Schema {
        resource: "User",
        properties: user_properties!(prop("deletedDateTime", PropertyType::DateTime, DATE_OPS, None)),
        sortable: &[
            ("displayName", Basic),
            ("userPrincipalName", Basic),
            ("deletedDateTime", Advanced),
        ],
    };
}
