//! [`KnowledgeBaseRepository`]: a tenant's articles.

use async_trait::async_trait;
use helpdesk_core::{Article, ArticleId, Entity, KnowledgeBaseRepository, StoreResult, TenantId};

use super::{SqlStore, db, fetch_all, fetch_optional, found, select};
use crate::backend::{Dialect, Exec};
use crate::codec::{self, nanos};
use crate::error::{SqlxStoreError, duplicate_as};
use crate::sql::Sql;

/// The parameters of an article row, `$1` to `$7`: the same for insert and update.
fn article_row(sql: Sql, article: &Article) -> Result<Sql, SqlxStoreError> {
    Ok(sql
        .arg(article.tenant.as_uuid())
        .arg(article.id.as_uuid())
        .arg(article.category.map(|c| c.as_uuid()))
        .arg(article.title.as_str())
        .arg(article.body.as_html())
        .arg(article.published)
        .arg(nanos(article.updated_at)?))
}

#[async_trait]
impl<D: Dialect> KnowledgeBaseRepository for SqlStore<D> {
    async fn insert_article(&self, article: &Article) -> StoreResult<()> {
        self.conn()
            .execute(article_row(
                Sql::new(
                    "INSERT INTO helpdesk_articles \
                     (tenant_id, id, category_id, title, body, published, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ),
                article,
            )?)
            .await
            .map_err(duplicate_as(Entity::Article))?;
        Ok(())
    }

    async fn update_article(&self, article: &Article) -> StoreResult<()> {
        let changed = self
            .conn()
            .execute(article_row(
                Sql::new(
                    "UPDATE helpdesk_articles SET category_id = $3, title = $4, body = $5, \
                     published = $6, updated_at = $7 WHERE tenant_id = $1 AND id = $2",
                ),
                article,
            )?)
            .await
            .map_err(db)?;
        found(changed, Entity::Article)
    }

    async fn article(&self, tenant: TenantId, id: ArticleId) -> StoreResult<Option<Article>> {
        let sql = select(
            codec::ARTICLE_COLUMNS,
            "FROM helpdesk_articles WHERE tenant_id = $1 AND id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::article).await
    }

    async fn articles(&self, tenant: TenantId) -> StoreResult<Vec<Article>> {
        let sql = select(
            codec::ARTICLE_COLUMNS,
            "FROM helpdesk_articles WHERE tenant_id = $1 ORDER BY title, id",
        )
        .arg(tenant.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::article).await
    }
}
