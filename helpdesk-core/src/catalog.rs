//! What a ticket is filed under: the category tree that routes it to a group, and the
//! products [contrats, produits] it is about.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{CategoryId, GroupId, ProductId, TenantId};
use crate::text::single_line;

/// A node of a tenant's category tree [catégorie / sous-catégorie, service].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    /// The category's id.
    pub id: CategoryId,
    /// The tenant whose tree this is.
    pub tenant: TenantId,
    /// The parent category, none at the top of the tree.
    pub parent: Option<CategoryId>,
    /// The name shown to requesters.
    pub name: String,
    /// The group tickets of this category go to; none inherits the parent's.
    pub group: Option<GroupId>,
    /// Inactive categories cannot be chosen for new tickets.
    pub active: bool,
}

impl Category {
    /// A new, active category after checking its name.
    pub fn new(
        tenant: TenantId,
        parent: Option<CategoryId>,
        name: &str,
        group: Option<GroupId>,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            id: CategoryId::new(),
            tenant,
            parent,
            name: single_line("name", name, 200)?,
            group,
            active: true,
        })
    }
}

/// The group a ticket filed under `category` goes to: the category's own group, else the
/// nearest ancestor's. `tree` is the tenant's whole tree; a cycle or a missing parent
/// ends the walk.
pub fn route(tree: &[Category], category: CategoryId) -> Option<GroupId> {
    let mut current = tree.iter().find(|c| c.id == category);
    let mut steps = 0;
    while let Some(c) = current {
        if let Some(group) = c.group {
            return Some(group);
        }
        steps += 1;
        if steps > tree.len() {
            return None;
        }
        current = c.parent.and_then(|p| tree.iter().find(|x| x.id == p));
    }
    None
}

/// `category` and its ancestors, nearest first: the category itself, its parent, its
/// parent's parent... `tree` is the tenant's whole tree; an unknown category gives an
/// empty list, and a cycle or a missing parent ends the walk.
pub fn ancestry(tree: &[Category], category: CategoryId) -> Vec<CategoryId> {
    let mut out = Vec::new();
    let mut current = tree.iter().find(|c| c.id == category);
    while let Some(c) = current {
        if out.contains(&c.id) {
            break;
        }
        out.push(c.id);
        current = c.parent.and_then(|p| tree.iter().find(|x| x.id == p));
    }
    out
}

/// Whether making `parent` the parent of `category` would put a category under itself.
pub fn would_cycle(tree: &[Category], category: CategoryId, parent: CategoryId) -> bool {
    let mut current = Some(parent);
    let mut steps = 0;
    while let Some(id) = current {
        if id == category {
            return true;
        }
        steps += 1;
        if steps > tree.len() {
            return true;
        }
        current = tree.iter().find(|c| c.id == id).and_then(|c| c.parent);
    }
    false
}

/// What a ticket is about [contrat, produit].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// The product's id.
    pub id: ProductId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// A short code (`INL`).
    pub code: Option<String>,
    /// The name shown to requesters.
    pub name: String,
    /// Inactive products cannot be chosen for new tickets.
    pub active: bool,
}

impl Product {
    /// A new, active product after checking its name and code.
    pub fn new(tenant: TenantId, code: Option<&str>, name: &str) -> Result<Self, ValidationError> {
        Ok(Self {
            id: ProductId::new(),
            tenant,
            code: crate::text::optional_line("code", code, 32)?,
            name: single_line("name", name, 200)?,
            active: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(tenant: TenantId, parent: Option<&Category>, group: Option<GroupId>) -> Category {
        Category::new(tenant, parent.map(|p| p.id), "c", group).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_sub_category_without_a_group_routes_to_its_parents_group() {
        let tenant = TenantId::new();
        let group = GroupId::new();
        let top = category(tenant, None, Some(group));
        let sub = category(tenant, Some(&top), None);
        let tree = vec![top.clone(), sub.clone()];
        assert_eq!(route(&tree, sub.id), Some(group));
        assert_eq!(route(&tree, CategoryId::new()), None);
    }

    #[test]
    fn a_category_cannot_move_under_its_own_child() {
        let tenant = TenantId::new();
        let top = category(tenant, None, None);
        let sub = category(tenant, Some(&top), None);
        let tree = vec![top.clone(), sub.clone()];
        assert!(would_cycle(&tree, top.id, sub.id));
        assert!(would_cycle(&tree, top.id, top.id));
        assert!(!would_cycle(&tree, sub.id, top.id));
    }
}
