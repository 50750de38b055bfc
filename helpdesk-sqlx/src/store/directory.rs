//! [`DirectoryRepository`]: members of a tenant, staff and groups.

use std::collections::BTreeMap;

use async_trait::async_trait;
use helpdesk_core::{
    DirectoryRepository, Entity, Error, Group, GroupId, Member, MemberId, MemberQuery, Staff,
    StaffId, StoreResult, TenantId, UserId,
};

use super::{SqlStore, db, fetch_all, fetch_optional, found, select};
use crate::backend::{Dialect, Exec, RowExt};
use crate::codec::{self, enum_text, to_json};
use crate::error::{SqlxStoreError, duplicate_as, missing_parent_as};
use crate::sql::Sql;

/// The values of a member row shared by insert and update, from `$3` to `$9` (`$1`
/// and `$2` identify the row; the user never changes).
fn member_values(sql: Sql, member: &Member) -> Result<Sql, SqlxStoreError> {
    Ok(sql
        .arg(member.display_name.as_str())
        .arg(member.email.clone())
        .arg(enum_text(&member.role)?)
        .arg(member.blocked)
        .arg(member.language.clone())
        .arg(search_words(member))
        .arg(helpdesk_core::format_muted(&member.muted)))
}

/// The `search_words` column of a member: each of its folded words preceded by a space,
/// so `LIKE '% word%'` finds the members with a word beginning with `word`. Words hold
/// only letters and digits: never `%` nor `_`.
fn search_words(member: &Member) -> String {
    member
        .search_words()
        .iter()
        .fold(String::new(), |mut out, w| {
            out.push(' ');
            out.push_str(w);
            out
        })
}

/// The values of a staff row that a change may write (eight parameters): after the id
/// in an insert or update, and again as the expected row of a compare-and-swap.
fn staff_values(sql: Sql, staff: &Staff) -> Result<Sql, SqlxStoreError> {
    Ok(sql
        .arg(staff.display_name.as_str())
        .arg(staff.email.clone())
        .arg(enum_text(&staff.role)?)
        .arg(to_json(&staff.tenants)?)
        .arg(to_json(&staff.groups)?)
        .arg(staff.active)
        .arg(staff.language.clone())
        .arg(helpdesk_core::format_muted(&staff.muted)))
}

#[async_trait]
impl<D: Dialect> DirectoryRepository for SqlStore<D> {
    async fn insert_member(&self, member: &Member) -> StoreResult<()> {
        self.conn()
            .execute(
                member_values(
                    Sql::new(
                        "INSERT INTO helpdesk_members \
                         (tenant_id, id, display_name, email, role, blocked, language, \
                         search_words, muted, user_id) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .arg(member.tenant.as_uuid())
                    .arg(member.id.as_uuid()),
                    member,
                )?
                .arg(member.user.as_str()),
            )
            .await
            .map_err(missing_parent_as(Entity::Member, Entity::Tenant))?;
        Ok(())
    }

    async fn update_member(&self, member: &Member) -> StoreResult<()> {
        let changed = self
            .conn()
            .execute(member_values(
                Sql::new(
                    "UPDATE helpdesk_members SET display_name = $3, email = $4, role = $5, \
                     blocked = $6, language = $7, search_words = $8, muted = $9 \
                     WHERE tenant_id = $1 AND id = $2",
                )
                .arg(member.tenant.as_uuid())
                .arg(member.id.as_uuid()),
                member,
            )?)
            .await
            .map_err(db)?;
        found(changed, Entity::Member)
    }

    async fn member(&self, tenant: TenantId, id: MemberId) -> StoreResult<Option<Member>> {
        let sql = select(
            codec::MEMBER_COLUMNS,
            "FROM helpdesk_members WHERE tenant_id = $1 AND id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::member).await
    }

    async fn member_by_user(&self, tenant: TenantId, user: &UserId) -> StoreResult<Option<Member>> {
        let sql = select(
            codec::MEMBER_COLUMNS,
            "FROM helpdesk_members WHERE tenant_id = $1 AND user_id = $2",
        )
        .arg(tenant.as_uuid())
        .arg(user.as_str());
        fetch_optional(&mut self.conn(), sql, codec::member).await
    }

    async fn members(&self, tenant: TenantId) -> StoreResult<Vec<Member>> {
        let sql = select(
            codec::MEMBER_COLUMNS,
            "FROM helpdesk_members WHERE tenant_id = $1 ORDER BY display_name, id",
        )
        .arg(tenant.as_uuid());
        fetch_all(&mut self.conn(), sql, codec::member).await
    }

    async fn find_members(&self, query: &MemberQuery) -> StoreResult<Vec<Member>> {
        self.fill_search_words(query.tenant).await?;
        let mut sql = select(
            codec::MEMBER_COLUMNS,
            "FROM helpdesk_members WHERE tenant_id = $1",
        )
        .arg(query.tenant.as_uuid());
        if !query.include_blocked {
            sql.push(" AND blocked = ").bind(false);
        }
        for word in &query.words {
            sql.push(" AND search_words LIKE ")
                .bind(format!("% {word}%"));
        }
        sql.push(" ORDER BY display_name, id LIMIT ")
            .bind(i64::from(query.limit));
        fetch_all(&mut self.conn(), sql, codec::member).await
    }

    async fn insert_staff(&self, staff: &Staff) -> StoreResult<()> {
        self.conn()
            .execute(
                staff_values(
                    Sql::new(
                        "INSERT INTO helpdesk_staff \
                         (id, display_name, email, role, tenants, group_ids, active, language, \
                         muted, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .arg(staff.id.as_uuid()),
                    staff,
                )?
                .arg(staff.user.as_str()),
            )
            .await
            .map_err(duplicate_as(Entity::Staff))?;
        Ok(())
    }

    async fn update_staff(&self, staff: &Staff, expected: &Staff) -> StoreResult<()> {
        // Compare and swap in one statement: written only while the row still holds what
        // the change was made from.
        let sql = Sql::new(
            "UPDATE helpdesk_staff SET display_name = $2, email = $3, role = $4, \
             tenants = $5, group_ids = $6, active = $7, language = $8, muted = $9 \
             WHERE id = $1 AND display_name = $10 AND email IS NOT DISTINCT FROM $11 \
             AND role = $12 AND tenants = $13 AND group_ids = $14 AND active = $15 \
             AND language IS NOT DISTINCT FROM $16 AND muted = $17",
        )
        .arg(staff.id.as_uuid());
        let sql = staff_values(staff_values(sql, staff)?, expected)?;
        let changed = self.conn().execute(sql).await.map_err(db)?;
        if changed > 0 {
            return Ok(());
        }
        match self.staff(staff.id).await? {
            Some(_) => Err(Error::ConcurrentUpdate(Entity::Staff)),
            None => Err(Error::NotFound(Entity::Staff)),
        }
    }

    async fn staff(&self, id: StaffId) -> StoreResult<Option<Staff>> {
        let sql =
            select(codec::STAFF_COLUMNS, "FROM helpdesk_staff WHERE id = $1").arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::staff).await
    }

    async fn staff_by_user(&self, user: &UserId) -> StoreResult<Option<Staff>> {
        let sql = select(
            codec::STAFF_COLUMNS,
            "FROM helpdesk_staff WHERE user_id = $1",
        )
        .arg(user.as_str());
        fetch_optional(&mut self.conn(), sql, codec::staff).await
    }

    async fn all_staff(&self) -> StoreResult<Vec<Staff>> {
        let sql = select(
            codec::STAFF_COLUMNS,
            "FROM helpdesk_staff ORDER BY display_name, id",
        );
        fetch_all(&mut self.conn(), sql, codec::staff).await
    }

    async fn insert_group(&self, group: &Group) -> StoreResult<()> {
        self.conn()
            .execute(
                Sql::new("INSERT INTO helpdesk_groups (id, name) VALUES ($1, $2)")
                    .arg(group.id.as_uuid())
                    .arg(group.name.as_str()),
            )
            .await
            .map_err(duplicate_as(Entity::Group))?;
        Ok(())
    }

    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        let changed = self
            .conn()
            .execute(
                Sql::new("UPDATE helpdesk_groups SET name = $2 WHERE id = $1")
                    .arg(group.id.as_uuid())
                    .arg(group.name.as_str()),
            )
            .await
            .map_err(db)?;
        found(changed, Entity::Group)
    }

    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        let sql = Sql::new("SELECT id, name FROM helpdesk_groups WHERE id = $1").arg(id.as_uuid());
        fetch_optional(&mut self.conn(), sql, codec::group).await
    }

    async fn groups(&self) -> StoreResult<Vec<Group>> {
        let sql = Sql::new("SELECT id, name FROM helpdesk_groups ORDER BY name, id");
        fetch_all(&mut self.conn(), sql, codec::group).await
    }

    async fn names(
        &self,
        members: &[(TenantId, MemberId)],
        staff: &[StaffId],
        groups: &[GroupId],
    ) -> StoreResult<BTreeMap<String, String>> {
        // One statement: a branch per tenant of the members, one for staff, one for
        // groups (a branch with no ids is left out).
        let mut sql = Sql::new("SELECT id, name FROM (");
        let mut first = true;
        let mut union = |sql: &mut Sql| {
            if !std::mem::take(&mut first) {
                sql.push(" UNION ALL ");
            }
        };
        let mut tenants: Vec<TenantId> = members.iter().map(|(t, _)| *t).collect();
        tenants.sort();
        tenants.dedup();
        for tenant in tenants {
            union(&mut sql);
            // Each member by its key, `(tenant_id, id)`, one lookup per id: written as
            // `id IN (...)`, PostgreSQL without statistics read the names through the
            // tenant's by-name index and filtered every member of the tenant.
            sql.push(
                "SELECT k.column1 AS id, (SELECT m.display_name FROM helpdesk_members m \
                 WHERE m.tenant_id = ",
            )
            .bind(tenant.as_uuid())
            .push(" AND m.id = k.column1) AS name FROM (VALUES ");
            let ids = members.iter().filter(|(t, _)| *t == tenant);
            for (i, (_, member)) in ids.enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(member.as_uuid())
                    .push(")");
            }
            sql.push(") k");
        }
        if !staff.is_empty() {
            union(&mut sql);
            sql.push("SELECT id, display_name AS name FROM helpdesk_staff WHERE id IN ")
                .bind_list(staff.iter().map(|s| s.as_uuid()));
        }
        if !groups.is_empty() {
            union(&mut sql);
            sql.push("SELECT id, name FROM helpdesk_groups WHERE id IN ")
                .bind_list(groups.iter().map(|g| g.as_uuid()));
        }
        if first {
            return Ok(BTreeMap::new());
        }
        // A member id that names no member reads back without a name.
        sql.push(") n WHERE name IS NOT NULL");
        let rows = fetch_all(&mut self.conn(), sql, |r| {
            Ok((r.uuid("id")?.to_string(), r.text("name")?))
        })
        .await?;
        Ok(rows.into_iter().collect())
    }
}

impl<D: Dialect> SqlStore<D> {
    /// Gives the members of `tenant` written before migration 3 (or by an older build)
    /// their `search_words`, so that finding members sees them: usually none.
    async fn fill_search_words(&self, tenant: TenantId) -> StoreResult<()> {
        let sql = select(
            codec::MEMBER_COLUMNS,
            "FROM helpdesk_members WHERE tenant_id = $1 AND search_words IS NULL",
        )
        .arg(tenant.as_uuid());
        let unindexed = fetch_all(&mut self.conn(), sql, codec::member).await?;
        for member in unindexed {
            self.conn()
                .execute(
                    Sql::new(
                        "UPDATE helpdesk_members SET search_words = $3 \
                         WHERE tenant_id = $1 AND id = $2 AND search_words IS NULL",
                    )
                    .arg(tenant.as_uuid())
                    .arg(member.id.as_uuid())
                    .arg(search_words(&member)),
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }
}
