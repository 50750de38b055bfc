//! The directory (members, staff, groups) and the catalog (categories, products) in
//! memory.

use std::sync::atomic::Ordering;

use async_trait::async_trait;

use super::{MemoryStore, sorted};
use crate::catalog::{Category, Product};
use crate::error::{Entity, Error};
use crate::ids::{CategoryId, GroupId, MemberId, ProductId, StaffId, TenantId};
use crate::people::{Group, Member, MemberQuery, Staff, UserId};
use crate::ports::{CatalogRepository, DirectoryRepository, StoreResult};

#[async_trait]
impl DirectoryRepository for MemoryStore {
    async fn insert_member(&self, member: &Member) -> StoreResult<()> {
        let mut s = self.lock();
        let taken = s
            .members
            .values()
            .any(|m| m.tenant == member.tenant && m.user == member.user);
        if taken || s.members.contains_key(&member.id) {
            return Err(Error::AlreadyExists(Entity::Member));
        }
        if !s.tenants.contains_key(&member.tenant) {
            return Err(Error::NotFound(Entity::Tenant));
        }
        s.members.insert(member.id, member.clone());
        self.member_writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn update_member(&self, member: &Member) -> StoreResult<()> {
        let mut s = self.lock();
        match s.members.get_mut(&member.id) {
            Some(m) if m.tenant == member.tenant => {
                *m = Member {
                    user: m.user.clone(),
                    ..member.clone()
                };
                self.member_writes.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Member)),
        }
    }

    async fn member(&self, tenant: TenantId, id: MemberId) -> StoreResult<Option<Member>> {
        Ok(self
            .lock()
            .members
            .get(&id)
            .filter(|m| m.tenant == tenant)
            .cloned())
    }

    async fn member_by_user(&self, tenant: TenantId, user: &UserId) -> StoreResult<Option<Member>> {
        Ok(self
            .lock()
            .members
            .values()
            .find(|m| m.tenant == tenant && &m.user == user)
            .cloned())
    }

    async fn members(&self, tenant: TenantId) -> StoreResult<Vec<Member>> {
        let s = self.lock();
        Ok(sorted(
            s.members.values().filter(|m| m.tenant == tenant).cloned(),
            |m| (m.display_name.clone(), m.id),
        ))
    }

    async fn find_members(&self, query: &MemberQuery) -> StoreResult<Vec<Member>> {
        let s = self.lock();
        let mut found = sorted(
            s.members.values().filter(|m| query.matches(m)).cloned(),
            |m| (m.display_name.clone(), m.id),
        );
        found.truncate(usize::try_from(query.limit).unwrap_or(usize::MAX));
        Ok(found)
    }

    async fn insert_staff(&self, staff: &Staff) -> StoreResult<()> {
        let mut s = self.lock();
        if s.staff.values().any(|x| x.user == staff.user) || s.staff.contains_key(&staff.id) {
            return Err(Error::AlreadyExists(Entity::Staff));
        }
        s.staff.insert(staff.id, staff.clone());
        Ok(())
    }

    async fn update_staff(&self, staff: &Staff, expected: &Staff) -> StoreResult<()> {
        let mut s = self.lock();
        let current = s
            .staff
            .get_mut(&staff.id)
            .ok_or(Error::NotFound(Entity::Staff))?;
        if current != expected {
            return Err(Error::ConcurrentUpdate(Entity::Staff));
        }
        *current = Staff {
            user: current.user.clone(),
            ..staff.clone()
        };
        Ok(())
    }

    async fn staff(&self, id: StaffId) -> StoreResult<Option<Staff>> {
        Ok(self.lock().staff.get(&id).cloned())
    }

    async fn staff_by_user(&self, user: &UserId) -> StoreResult<Option<Staff>> {
        Ok(self
            .lock()
            .staff
            .values()
            .find(|s| &s.user == user)
            .cloned())
    }

    async fn all_staff(&self) -> StoreResult<Vec<Staff>> {
        Ok(sorted(self.lock().staff.values().cloned(), |s| {
            (s.display_name.clone(), s.id)
        }))
    }

    async fn insert_group(&self, group: &Group) -> StoreResult<()> {
        let mut s = self.lock();
        if s.groups.contains_key(&group.id) {
            return Err(Error::AlreadyExists(Entity::Group));
        }
        s.groups.insert(group.id, group.clone());
        Ok(())
    }

    async fn update_group(&self, group: &Group) -> StoreResult<()> {
        let mut s = self.lock();
        let current = s
            .groups
            .get_mut(&group.id)
            .ok_or(Error::NotFound(Entity::Group))?;
        *current = group.clone();
        Ok(())
    }

    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        Ok(self.lock().groups.get(&id).cloned())
    }

    async fn groups(&self) -> StoreResult<Vec<Group>> {
        Ok(sorted(self.lock().groups.values().cloned(), |g| {
            (g.name.clone(), g.id)
        }))
    }
}

#[async_trait]
impl CatalogRepository for MemoryStore {
    async fn insert_category(&self, category: &Category) -> StoreResult<()> {
        let mut s = self.lock();
        if s.categories.contains_key(&category.id) {
            return Err(Error::AlreadyExists(Entity::Category));
        }
        s.categories.insert(category.id, category.clone());
        Ok(())
    }

    async fn update_category(&self, category: &Category) -> StoreResult<()> {
        let mut s = self.lock();
        match s.categories.get_mut(&category.id) {
            Some(c) if c.tenant == category.tenant => {
                *c = category.clone();
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Category)),
        }
    }

    async fn category(&self, tenant: TenantId, id: CategoryId) -> StoreResult<Option<Category>> {
        Ok(self
            .lock()
            .categories
            .get(&id)
            .filter(|c| c.tenant == tenant)
            .cloned())
    }

    async fn categories(&self, tenant: TenantId) -> StoreResult<Vec<Category>> {
        let s = self.lock();
        Ok(sorted(
            s.categories
                .values()
                .filter(|c| c.tenant == tenant)
                .cloned(),
            |c| (c.name.clone(), c.id),
        ))
    }

    async fn insert_product(&self, product: &Product) -> StoreResult<()> {
        let mut s = self.lock();
        if s.products.contains_key(&product.id) {
            return Err(Error::AlreadyExists(Entity::Product));
        }
        s.products.insert(product.id, product.clone());
        Ok(())
    }

    async fn update_product(&self, product: &Product) -> StoreResult<()> {
        let mut s = self.lock();
        match s.products.get_mut(&product.id) {
            Some(p) if p.tenant == product.tenant => {
                *p = product.clone();
                Ok(())
            }
            _ => Err(Error::NotFound(Entity::Product)),
        }
    }

    async fn product(&self, tenant: TenantId, id: ProductId) -> StoreResult<Option<Product>> {
        Ok(self
            .lock()
            .products
            .get(&id)
            .filter(|p| p.tenant == tenant)
            .cloned())
    }

    async fn products(&self, tenant: TenantId) -> StoreResult<Vec<Product>> {
        let s = self.lock();
        Ok(sorted(
            s.products.values().filter(|p| p.tenant == tenant).cloned(),
            |p| (p.name.clone(), p.id),
        ))
    }
}
