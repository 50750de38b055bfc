//! [`open`]: who may open a ticket for whom, and the new ticket's validated fields.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::catalog::{Category, Product};
use crate::error::{Error, Forbidden, Result};
use crate::ids::{EventId, GroupId, TenantId, TicketNumber};
use crate::people::{Actor, Member, MemberRole};
use crate::permissions::ensure_active;
use crate::tenant::Tenant;
use crate::text::{RichText, TextPolicy, optional_line, single_line};
use crate::ticket::{
    MAX_CUSTOM_FIELDS, MAX_SHORT_FIELD_CHARS, MAX_SUBJECT_CHARS, NewTicket, Ticket, TicketState,
};
use crate::timeline::{EventKind, TimelineEvent};

/// What [`open`] needs besides the actor: the tenant, the requester and the looked-up
/// category and product.
#[derive(Clone, Copy, Debug)]
pub struct Opening<'a> {
    /// The tenant the ticket is opened in.
    pub tenant: &'a Tenant,
    /// Whose ticket it will be.
    pub requester: &'a Member,
    /// The chosen category, looked up in the tenant.
    pub category: Option<&'a Category>,
    /// The group the category routes to.
    pub group: Option<GroupId>,
    /// The chosen product, looked up in the tenant.
    pub product: Option<&'a Product>,
    /// Now.
    pub now: DateTime<Utc>,
    /// The host's rules for rich text (which image sources are kept).
    pub text_policy: &'a TextPolicy,
}

/// Opens a ticket: checks who may open it for whom, validates the fields (every custom
/// field the tenant defines as required must be filled, whoever opens: staff opening on
/// behalf of a requester fill the same form; keys the tenant does not define are kept
/// as given), and returns
/// the new ticket (numbered [`TicketNumber`] 0 until the store numbers it) with its
/// `opened` event.
pub fn open(actor: &Actor, draft: &NewTicket, at: Opening<'_>) -> Result<(Ticket, TimelineEvent)> {
    ensure_active(actor)?;
    let tenant = at.tenant.id;
    may_open(actor, tenant, at.requester)?;
    check_lookups(tenant, at.category, at.product)?;
    let fields = Fields::validate(draft, at.text_policy)?;
    crate::custom_field::check_required(&at.tenant.settings.custom_fields, &fields.custom_fields)?;
    let ticket = Ticket {
        id: crate::ids::TicketId::new(),
        tenant,
        number: TicketNumber::new(0),
        subject: fields.subject,
        description: fields.description,
        category: at.category.map(|c| c.id),
        product: at.product.map(|p| p.id),
        priority: draft.priority.unwrap_or_default(),
        state: TicketState::New,
        requester: at.requester.id,
        assignee: None,
        group: at.group,
        guests: Vec::new(),
        contact_phone: fields.contact_phone,
        asset: fields.asset,
        custom_fields: fields.custom_fields,
        opened_by: actor.reference(),
        created_at: at.now,
        updated_at: at.now,
        version: 1,
        public_updated_at: at.now,
        public_version: 1,
        service_level: crate::service_level::TicketServiceLevel::opened(
            &at.tenant.settings.service_levels,
            at.now,
            draft.priority.unwrap_or_default(),
        ),
    };
    let event = TimelineEvent {
        id: EventId::new(),
        ticket: ticket.id,
        tenant,
        at: at.now,
        author: actor.reference(),
        status_change: None,
        kind: EventKind::Opened,
    };
    Ok((ticket, event))
}

/// Who may open a ticket in `tenant` for `requester`: members of the tenant (a requester
/// only for themself), staff serving it; and only for an unblocked member of it.
fn may_open(actor: &Actor, tenant: TenantId, requester: &Member) -> Result<()> {
    match actor {
        Actor::Member(m) if m.tenant != tenant => {
            return Err(Error::NotFound(crate::Entity::Tenant));
        }
        Actor::Member(m) if m.role == MemberRole::Requester && requester.id != m.id => {
            return Err(Forbidden::RoleRequired.into());
        }
        Actor::Staff(s) if !s.serves(tenant) => return Err(Error::NotFound(crate::Entity::Tenant)),
        _ => {}
    }
    if requester.tenant != tenant {
        return Err(Error::TenantMismatch(crate::Entity::Member));
    }
    if requester.blocked {
        return Err(Error::invalid_coded(
            "requester",
            crate::error::ReasonCode::Inactive,
            "is a blocked member",
        ));
    }
    Ok(())
}

/// The chosen category and product belong to the tenant and are still in use.
fn check_lookups(
    tenant: TenantId,
    category: Option<&Category>,
    product: Option<&Product>,
) -> Result<()> {
    if let Some(category) = category {
        if category.tenant != tenant {
            return Err(Error::TenantMismatch(crate::Entity::Category));
        }
        if !category.active {
            return Err(Error::invalid_coded(
                "category",
                crate::error::ReasonCode::Inactive,
                "is no longer in use",
            ));
        }
    }
    if let Some(product) = product {
        if product.tenant != tenant {
            return Err(Error::TenantMismatch(crate::Entity::Product));
        }
        if !product.active {
            return Err(Error::invalid_coded(
                "product",
                crate::error::ReasonCode::Inactive,
                "is no longer in use",
            ));
        }
    }
    Ok(())
}

/// The draft's free-text fields, validated.
struct Fields {
    subject: String,
    description: RichText,
    contact_phone: Option<String>,
    asset: Option<String>,
    custom_fields: BTreeMap<String, String>,
}

impl Fields {
    fn validate(draft: &NewTicket, policy: &TextPolicy) -> Result<Self> {
        let subject = single_line("subject", &draft.subject, MAX_SUBJECT_CHARS)?;
        let description = RichText::required_with("description", &draft.description, policy)?;
        let contact_phone = optional_line(
            "contact_phone",
            draft.contact_phone.as_deref(),
            MAX_SHORT_FIELD_CHARS,
        )?;
        let asset = optional_line("asset", draft.asset.as_deref(), MAX_SHORT_FIELD_CHARS)?;
        if draft.custom_fields.len() > MAX_CUSTOM_FIELDS {
            return Err(Error::invalid(
                "custom_fields",
                format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
            ));
        }
        let mut custom_fields = BTreeMap::new();
        for (key, value) in &draft.custom_fields {
            let key = single_line("custom_fields", key, 64)?;
            let field = format!("custom_fields.{key}");
            custom_fields.insert(key, single_line(&field, value, 1000).map_err(Error::from)?);
        }
        Ok(Fields {
            subject,
            description,
            contact_phone,
            asset,
            custom_fields,
        })
    }
}
