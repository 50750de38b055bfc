//! Opening a ticket: who may open for whom, the lookups of category, product and group,
//! and the files sent with the opening.

use crate::attachment::{Attachment, NewAttachment, clean_content_type, clean_file_name};
use crate::catalog::{Category, Product, route};
use crate::error::{Error, Forbidden, Result};
use crate::ids::{GroupId, MemberId, TenantId};
use crate::notify::OutboxMessage;
use crate::people::{Actor, Member, MemberRole};
use crate::permissions::observed_by;
use crate::ports::TicketChange;
use crate::tenant::Tenant;
use crate::text::single_line;
use crate::ticket::{NewTicket, Ticket};
use crate::timeline::TimelineEvent;
use crate::workflow::{self, Opening};

use super::HelpdeskService;
use super::idempotency::{InFlight, idempotent_ticket_id};

impl HelpdeskService {
    /// Opens a ticket in `tenant`. A requester opens for themself; a tenant admin for
    /// themself or a member of the tenant; staff on a member's behalf (`draft.requester`
    /// is then required). The category routes the ticket to its group.
    pub async fn open(
        &self,
        actor: &Actor,
        tenant: TenantId,
        draft: NewTicket,
        attachments: Vec<NewAttachment>,
    ) -> Result<Ticket> {
        Self::ensure_in_tenant(actor, tenant)?;
        let tenant = self.tenant_record(tenant).await?;
        let requester = self.requester_for(actor, &tenant, draft.requester).await?;
        let (category, group, product) = self.lookups_for(&tenant, &draft).await?;
        let now = self.clock.now();
        let (mut ticket, event) = workflow::open(
            actor,
            &draft,
            Opening {
                tenant: &tenant,
                requester: &requester,
                category: category.as_ref(),
                group,
                product: product.as_ref(),
                now,
                text_policy: &self.text_policy,
            },
        )?;
        let mut event = event;
        // Only a keyed open stores (and so needs) a digest of its request.
        let fingerprint = draft.idempotency_key.as_ref().map(|_| draft.fingerprint());
        let mut _in_flight = None;
        if let Some(key) = &draft.idempotency_key {
            let key = single_line("idempotency_key", key, 255)?;
            ticket.id = idempotent_ticket_id(tenant.id, actor, &key);
            event.ticket = ticket.id;
            // A second request with this key while the first is still running here
            // waits for nothing: it is told to retry. (Across processes the database
            // serialises the two inserts and the fingerprint decides.)
            _in_flight = Some(
                InFlight::claim(&self.in_flight, ticket.id).ok_or(Error::IdempotencyKeyInUse)?,
            );
        }
        let attachments = self.attachments_for(actor, &ticket, &event, attachments)?;
        let webhooks = self.cached_webhooks(ticket.tenant).await?;
        let outbox: Vec<_> = OutboxMessage::for_event(&ticket, &event)
            .into_iter()
            .chain(OutboxMessage::for_webhooks(&ticket, &event, &webhooks))
            .collect();
        let opened = self
            .store
            .open_ticket(TicketChange {
                ticket: &ticket,
                expected_version: 0,
                events: std::slice::from_ref(&event),
                outbox: &outbox,
                attachments: &attachments,
                request_fingerprint: fingerprint.as_deref(),
            })
            .await;
        match opened {
            Ok(number) => {
                ticket.number = number;
                Ok(ticket)
            }
            // A retry of a request that already opened this ticket: answer with it.
            Err(Error::AlreadyExists(crate::Entity::Ticket)) if draft.idempotency_key.is_some() => {
                let (found, _) = self
                    .visible_ticket_in(actor, Some(ticket.tenant), ticket.id)
                    .await?;
                Ok(observed_by(actor, found))
            }
            Err(e) => Err(e),
        }
    }

    /// The draft's category (with the group it routes to) and product, looked up in
    /// `tenant`.
    async fn lookups_for(
        &self,
        tenant: &Tenant,
        draft: &NewTicket,
    ) -> Result<(Option<Category>, Option<GroupId>, Option<Product>)> {
        let (category, group) = match draft.category {
            Some(id) => {
                let tree = self.store.categories(tenant.id).await?;
                let category = tree.iter().find(|c| c.id == id).cloned().ok_or_else(|| {
                    Error::invalid_coded(
                        "category",
                        crate::error::ReasonCode::UnknownReference,
                        "no such category in this tenant",
                    )
                })?;
                let group = route(&tree, id);
                (Some(category), group)
            }
            None => (None, None),
        };
        let product = match draft.product {
            Some(id) => Some(self.store.product(tenant.id, id).await?.ok_or_else(|| {
                Error::invalid_coded(
                    "product",
                    crate::error::ReasonCode::UnknownReference,
                    "no such product in this tenant",
                )
            })?),
            None => None,
        };
        Ok((category, group, product))
    }

    async fn requester_for(
        &self,
        actor: &Actor,
        tenant: &Tenant,
        asked: Option<MemberId>,
    ) -> Result<Member> {
        match (actor, asked) {
            (Actor::Member(m), None) => Ok(m.clone()),
            (Actor::Member(m), Some(id)) if id == m.id => Ok(m.clone()),
            (Actor::Member(m), Some(_)) if m.role != MemberRole::TenantAdmin => {
                Err(Forbidden::RoleRequired.into())
            }
            (_, None) => Err(Error::invalid_coded(
                "requester",
                crate::error::ReasonCode::Required,
                "support staff open tickets on behalf of a member: name the requester",
            )),
            (_, Some(id)) => self.store.member(tenant.id, id).await?.ok_or_else(|| {
                Error::invalid_coded(
                    "requester",
                    crate::error::ReasonCode::UnknownReference,
                    "no such member in this tenant",
                )
            }),
        }
    }

    pub(super) fn attachments_for(
        &self,
        actor: &Actor,
        ticket: &Ticket,
        event: &TimelineEvent,
        files: Vec<NewAttachment>,
    ) -> Result<Vec<Attachment>> {
        let max_files = self.attachment_limits.max_files;
        if files.len() > max_files {
            return Err(Error::invalid(
                "attachments",
                format!("at most {max_files} files at once"),
            ));
        }
        files
            .into_iter()
            .map(|f| {
                Ok(Attachment {
                    id: f.id,
                    tenant: ticket.tenant,
                    ticket: ticket.id,
                    event: event.id,
                    file_name: clean_file_name(&f.file_name)?,
                    content_type: clean_content_type(&f.content_type),
                    size: f.size,
                    uploaded_by: actor.reference(),
                    created_at: event.at,
                })
            })
            .collect()
    }
}
