//! [`CatalogRepository`]: a tenant's categories and products.

use async_trait::async_trait;
use helpdesk_core::{
    CatalogRepository, Category, CategoryId, Entity, Product, ProductId, StoreResult, TenantId,
};

use super::{SqlStore, db, fetch_all, fetch_optional, found, select};
use crate::backend::{Dialect, Exec};
use crate::codec;
use crate::error::{SqlxStoreError, duplicate_as};
use crate::sql::Sql;

/// The parameters of a category row, `$1` to `$6`: the same for insert and update.
fn category_row(sql: Sql, category: &Category) -> Result<Sql, SqlxStoreError> {
    Ok(sql
        .arg(category.tenant.as_uuid())
        .arg(category.id.as_uuid())
        .arg(category.parent.map(|p| p.as_uuid()))
        .arg(category.name.as_str())
        .arg(category.group.map(|g| g.as_uuid()))
        .arg(category.active))
}

/// The parameters of a product row, `$1` to `$5`: the same for insert and update.
fn product_row(sql: Sql, product: &Product) -> Result<Sql, SqlxStoreError> {
    Ok(sql
        .arg(product.tenant.as_uuid())
        .arg(product.id.as_uuid())
        .arg(product.code.clone())
        .arg(product.name.as_str())
        .arg(product.active))
}

#[async_trait]
impl<D: Dialect> CatalogRepository for SqlStore<D> {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        self.conn()
            .execute(category_row(
                Sql::new(
                    "INSERT INTO helpdesk_categories \
                     (tenant_id, id, parent_id, name, group_id, active) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                ),
                category,
            )?)
            .await
            .map_err(duplicate_as(Entity::Category))?;
        Ok(())
    }

    async fn update_category(&self, category: &Category) -> StoreResult<()> {
        let changed = self
            .conn()
            .execute(category_row(
                Sql::new(
                    "UPDATE helpdesk_categories SET parent_id = $3, name = $4, group_id = $5, \
                     active = $6 WHERE tenant_id = $1 AND id = $2",
                ),
                category,
            )?)
            .await
            .map_err(db)?;
        found(changed, Entity::Category)
    }

    async fn category(&self, tenant: TenantId, id: CategoryId) -> StoreResult<Option<Category>> {
        let sql = select(
            codec::CATEGORY_COLUMNS,
            "FROM helpdesk_categories WHERE tenant_id = $1 AND id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::category).await
    }

    async fn categories(&self, tenant: TenantId) -> StoreResult<Vec<Category>> {
        let sql = select(
            codec::CATEGORY_COLUMNS,
            "FROM helpdesk_categories WHERE tenant_id = $1 ORDER BY name, id",
        )
        .arg(tenant.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::category).await
    }

    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        self.conn()
            .execute(product_row(
                Sql::new(
                    "INSERT INTO helpdesk_products (tenant_id, id, code, name, active) \
                     VALUES ($1, $2, $3, $4, $5)",
                ),
                product,
            )?)
            .await
            .map_err(duplicate_as(Entity::Product))?;
        Ok(())
    }

    async fn update_product(&self, product: &Product) -> StoreResult<()> {
        let changed = self
            .conn()
            .execute(product_row(
                Sql::new(
                    "UPDATE helpdesk_products SET code = $3, name = $4, active = $5 \
                     WHERE tenant_id = $1 AND id = $2",
                ),
                product,
            )?)
            .await
            .map_err(db)?;
        found(changed, Entity::Product)
    }

    async fn product(&self, tenant: TenantId, id: ProductId) -> StoreResult<Option<Product>> {
        let sql = select(
            codec::PRODUCT_COLUMNS,
            "FROM helpdesk_products WHERE tenant_id = $1 AND id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::product).await
    }

    async fn products(&self, tenant: TenantId) -> StoreResult<Vec<Product>> {
        let sql = select(
            codec::PRODUCT_COLUMNS,
            "FROM helpdesk_products WHERE tenant_id = $1 ORDER BY name, id",
        )
        .arg(tenant.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::product).await
    }
}
