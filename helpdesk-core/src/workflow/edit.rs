//! The commands that change a ticket's fields and category.

use crate::catalog::Category;
use crate::custom_field::is_required;
use crate::error::{Error, Result, ValidationError};
use crate::ids::GroupId;
use crate::tenant::TenantSettings;
use crate::text::{RichText, TextPolicy, optional_line, single_line};
use crate::ticket::{
    MAX_CUSTOM_FIELDS, MAX_SHORT_FIELD_CHARS, MAX_SUBJECT_CHARS, Ticket, TicketEdit,
};
use crate::timeline::{EventKind, FieldChange, TimelineEvent};

use super::Context;
use super::decide::Decision;
use super::standing::may_edit;

pub(super) fn decide_edit(d: Decision<'_>, edit: &TicketEdit) -> Result<Vec<TimelineEvent>> {
    may_edit(d.ticket, d.standing, d.name)?;
    edit_events(d.ticket, edit, d.ctx)?
        .into_iter()
        .map(|change| Ok(d.event(EventKind::FieldEdited { change }, None)))
        .collect()
}

pub(super) fn decide_move_category(
    d: Decision<'_>,
    category: &Category,
    group: Option<GroupId>,
) -> Result<Vec<TimelineEvent>> {
    may_edit(d.ticket, d.standing, d.name)?;
    if category.tenant != d.ticket.tenant {
        return Err(Error::TenantMismatch(crate::Entity::Category));
    }
    if !category.active {
        return Err(Error::invalid_coded(
            "category",
            crate::error::ReasonCode::Inactive,
            "is no longer in use",
        ));
    }
    if d.ticket.category == Some(category.id) {
        return Ok(vec![]);
    }
    Ok(vec![d.event(
        EventKind::CategoryMoved {
            from: d.ticket.category,
            to: category.id,
            group: group.or(d.ticket.group),
        },
        None,
    )])
}

/// The field changes an edit makes, one per field that really changes.
fn edit_events(ticket: &Ticket, edit: &TicketEdit, ctx: Context<'_>) -> Result<Vec<FieldChange>> {
    let mut changes = fixed_field_changes(ticket, edit, ctx.text_policy)?;
    custom_field_changes(ticket, edit, ctx.settings, &mut changes)?;
    Ok(changes)
}

/// The changes to the ticket's own fields, in the order they are declared.
fn fixed_field_changes(
    ticket: &Ticket,
    edit: &TicketEdit,
    policy: &TextPolicy,
) -> Result<Vec<FieldChange>> {
    let mut changes = Vec::new();
    if let Some(subject) = &edit.subject {
        let to = single_line("subject", subject, MAX_SUBJECT_CHARS)?;
        if to != ticket.subject {
            changes.push(FieldChange::Subject {
                from: ticket.subject.clone(),
                to,
            });
        }
    }
    if let Some(description) = &edit.description {
        let to = RichText::required_with("description", description, policy)?;
        if to != ticket.description {
            changes.push(FieldChange::Description {
                from: ticket.description.clone(),
                to,
            });
        }
    }
    if let Some(to) = edit.priority.filter(|p| *p != ticket.priority) {
        changes.push(FieldChange::Priority {
            from: ticket.priority,
            to,
        });
    }
    if let Some(to) = edit.product.filter(|p| *p != ticket.product) {
        changes.push(FieldChange::Product {
            from: ticket.product,
            to,
        });
    }
    if let Some(phone) = &edit.contact_phone {
        let to = optional_line("contact_phone", phone.as_deref(), MAX_SHORT_FIELD_CHARS)?;
        if to != ticket.contact_phone {
            changes.push(FieldChange::ContactPhone {
                from: ticket.contact_phone.clone(),
                to,
            });
        }
    }
    if let Some(asset) = &edit.asset {
        let to = optional_line("asset", asset.as_deref(), MAX_SHORT_FIELD_CHARS)?;
        if to != ticket.asset {
            changes.push(FieldChange::Asset {
                from: ticket.asset.clone(),
                to,
            });
        }
    }
    Ok(changes)
}

/// Appends the changes to the custom fields, refusing an edit that leaves too many or
/// empties a field the tenant defines as required (a required field the ticket never
/// had, opened before it was defined, is only enforced once the edit touches it).
fn custom_field_changes(
    ticket: &Ticket,
    edit: &TicketEdit,
    settings: &TenantSettings,
    changes: &mut Vec<FieldChange>,
) -> Result<()> {
    let mut fields = ticket.custom_fields.clone();
    for (key, value) in &edit.custom_fields {
        let key = single_line("custom_fields", key, 64)?;
        let field = format!("custom_fields.{key}");
        let to = optional_line(&field, value.as_deref(), 1000)?;
        if to.is_none() && is_required(&settings.custom_fields, &key) {
            return Err(ValidationError::required(field).into());
        }
        let from = fields.get(&key).cloned();
        if to != from {
            match &to {
                Some(v) => fields.insert(key.clone(), v.clone()),
                None => fields.remove(&key),
            };
            changes.push(FieldChange::CustomField { key, from, to });
        }
    }
    if fields.len() > MAX_CUSTOM_FIELDS {
        return Err(Error::invalid(
            "custom_fields",
            format!("at most {MAX_CUSTOM_FIELDS} custom fields"),
        ));
    }
    Ok(())
}
