//! Webhook endpoints: a tenant's admins register, list, change and remove them.

use crate::error::{Entity, Error, ReasonCode, Result};
use crate::ids::{TenantId, WebhookId};
use crate::people::Actor;
use crate::webhook::{
    CreatedWebhook, MAX_WEBHOOKS_PER_TENANT, NewWebhook, Webhook, WebhookChange, WebhookEndpoint,
    WebhookSecret, check_webhook_events, check_webhook_url,
};

use super::HelpdeskService;

impl HelpdeskService {
    /// The webhook endpoints of `tenant`, without their secrets (its admins,
    /// supervisors, platform admins), oldest first.
    pub async fn webhooks(&self, actor: &Actor, tenant: TenantId) -> Result<Vec<WebhookEndpoint>> {
        Self::ensure_administers(actor, tenant)?;
        self.tenant_record(tenant).await?;
        Ok(self
            .store
            .webhooks(tenant)
            .await?
            .into_iter()
            .map(|w| w.endpoint)
            .collect())
    }

    /// Registers a webhook endpoint of `tenant` (its admins, supervisors, platform
    /// admins): checks the URL (`https://`, or `http://` to a loopback host), the event
    /// kinds and the secret given, or generates one. Answers the secret: the only time
    /// it is shown. Bad input changes nothing.
    pub async fn create_webhook(
        &self,
        actor: &Actor,
        tenant: TenantId,
        new: NewWebhook,
    ) -> Result<CreatedWebhook> {
        Self::ensure_administers(actor, tenant)?;
        self.tenant_record(tenant).await?;
        let url = check_webhook_url(&new.url)?;
        let events = check_webhook_events(&new.events)?;
        let secret = match &new.secret {
            Some(given) => WebhookSecret::new(given)?,
            None => WebhookSecret::generate(),
        };
        if self.store.webhooks(tenant).await?.len() >= MAX_WEBHOOKS_PER_TENANT {
            return Err(Error::invalid_coded(
                "url",
                ReasonCode::OutOfRange {
                    min: 0,
                    max: MAX_WEBHOOKS_PER_TENANT as i64,
                },
                format!("a tenant has at most {MAX_WEBHOOKS_PER_TENANT} webhook endpoints"),
            ));
        }
        let webhook = Webhook {
            endpoint: WebhookEndpoint {
                id: WebhookId::new(),
                tenant,
                url,
                events,
                internal_notes: new.internal_notes,
                active: new.active,
                created_at: self.clock.now(),
            },
            secret,
        };
        self.store.save_webhook(&webhook).await?;
        self.lookups.webhooks_changed();
        Ok(CreatedWebhook {
            secret: webhook.secret.expose().to_owned(),
            endpoint: webhook.endpoint,
        })
    }

    /// Changes a webhook endpoint of `tenant` (its admins, supervisors, platform
    /// admins): each field given replaces the current one, after the same checks as at
    /// creation. A new secret is not shown back.
    pub async fn update_webhook(
        &self,
        actor: &Actor,
        tenant: TenantId,
        id: WebhookId,
        change: WebhookChange,
    ) -> Result<WebhookEndpoint> {
        Self::ensure_administers(actor, tenant)?;
        let mut webhook = self.webhook_record(tenant, id).await?;
        if let Some(url) = &change.url {
            webhook.endpoint.url = check_webhook_url(url)?;
        }
        if let Some(events) = &change.events {
            webhook.endpoint.events = check_webhook_events(events)?;
        }
        if let Some(secret) = &change.secret {
            webhook.secret = WebhookSecret::new(secret)?;
        }
        if let Some(internal_notes) = change.internal_notes {
            webhook.endpoint.internal_notes = internal_notes;
        }
        if let Some(active) = change.active {
            webhook.endpoint.active = active;
        }
        self.store.save_webhook(&webhook).await?;
        self.lookups.webhooks_changed();
        Ok(webhook.endpoint)
    }

    /// Removes a webhook endpoint of `tenant` (its admins, supervisors, platform
    /// admins). Its messages still in the outbox are dropped when they come due.
    pub async fn delete_webhook(
        &self,
        actor: &Actor,
        tenant: TenantId,
        id: WebhookId,
    ) -> Result<()> {
        Self::ensure_administers(actor, tenant)?;
        let deleted = self.store.delete_webhook(tenant, id).await?;
        self.lookups.webhooks_changed();
        if deleted {
            Ok(())
        } else {
            Err(Error::NotFound(Entity::Webhook))
        }
    }

    async fn webhook_record(&self, tenant: TenantId, id: WebhookId) -> Result<Webhook> {
        self.store
            .webhooks(tenant)
            .await?
            .into_iter()
            .find(|w| w.endpoint.id == id)
            .ok_or(Error::NotFound(Entity::Webhook))
    }
}
