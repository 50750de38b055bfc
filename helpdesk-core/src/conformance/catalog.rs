//! Groups, categories and products.

use super::directory::two_tenants;
use super::fixtures::{Found, Must};
use crate::catalog::{Category, Product};
use crate::ids::{GroupId, TenantId};
use crate::people::Group;
use crate::ports::Store;

/// Groups, categories and products: stored and read back whole; categories and
/// products are scoped to their tenant (a lookup from another tenant finds nothing),
/// the category tree's parents round-trip; lists are by name; updates replace.
pub async fn groups_categories_and_products_round_trip(store: &dyn Store) {
    let (a, b) = two_tenants(store).await;
    let [reseau, logiciel] = assert_groups_round_trip(store).await;
    let [it, printers, toner] =
        assert_categories_round_trip(store, a.id, b.id, logiciel, reseau).await;
    assert_category_updates_replace(store, a.id, [&it, &printers, &toner]).await;
    assert_products_round_trip(store, a.id, b.id).await;
}

/// Groups read back whole and are listed by name, a renamed one under its new name.
/// Returns the ids of groups Reseau and Logiciel.
async fn assert_groups_round_trip(store: &dyn Store) -> [GroupId; 2] {
    let reseau = Group::new("Reseau").must("a group");
    let logiciel = Group::new("Logiciel").must("a group");
    let materiel = Group::new("Materiel").must("a group");
    for g in [&reseau, &logiciel, &materiel] {
        store.insert_group(g).await.must("inserting a group");
    }
    assert_eq!(
        store.group(reseau.id).await.must("reading a group"),
        Some(reseau.clone())
    );
    assert_eq!(
        store.group(GroupId::new()).await.must("reading a group"),
        None
    );
    assert_eq!(
        store.groups().await.must("listing groups"),
        vec![logiciel.clone(), materiel.clone(), reseau.clone()],
        "groups are listed by name"
    );
    let mut renamed = materiel.clone();
    renamed.name = "Atelier".to_owned();
    store.update_group(&renamed).await.must("renaming a group");
    assert_eq!(
        store.groups().await.must("listing groups"),
        vec![renamed.clone(), logiciel.clone(), reseau.clone()],
        "a renamed group is listed under its new name"
    );
    [reseau.id, logiciel.id]
}

/// A tree of three categories in `a` and one in `b`: read back whole within their
/// tenant, listed by name. Returns alpha's Informatique, Imprimantes and Toner.
async fn assert_categories_round_trip(
    store: &dyn Store,
    a: TenantId,
    b: TenantId,
    logiciel: GroupId,
    reseau: GroupId,
) -> [Category; 3] {
    let it = Category::new(a, None, "Informatique", Some(logiciel)).must("a category");
    let printers = Category::new(a, Some(it.id), "Imprimantes", None).must("a category");
    let mut toner = Category::new(a, Some(printers.id), "Toner", Some(reseau)).must("a category");
    toner.active = false;
    let admin_b = Category::new(b, None, "Administratif", None).must("a category");
    // Parents first, as a store with foreign keys needs.
    for c in [&it, &printers, &toner, &admin_b] {
        store.insert_category(c).await.must("inserting a category");
    }
    assert_eq!(
        store.category(a, toner.id).await.must("reading a category"),
        Some(toner.clone()),
        "parent, group and activity round-trip"
    );
    assert_eq!(
        store.category(b, it.id).await.must("reading a category"),
        None,
        "a category of alpha is not found in bravo"
    );
    assert_eq!(
        store.categories(a).await.must("listing categories"),
        vec![printers.clone(), it.clone(), toner.clone()],
        "a tenant's whole tree, by name"
    );
    assert_eq!(
        store.categories(b).await.must("listing categories"),
        vec![admin_b.clone()]
    );
    [it, printers, toner]
}

/// An update moves, renames, re-routes and reactivates a category, or moves it to the
/// top of the tree.
async fn assert_category_updates_replace(
    store: &dyn Store,
    a: TenantId,
    [it, printers, toner]: [&Category; 3],
) {
    let mut moved = toner.clone();
    moved.parent = Some(it.id);
    moved.group = None;
    moved.active = true;
    moved.name = "Cartouches".to_owned();
    store
        .update_category(&moved)
        .await
        .must("updating a category");
    assert_eq!(
        store.category(a, toner.id).await.must("reading a category"),
        Some(moved.clone()),
        "an update moves, renames, re-routes and reactivates"
    );
    let mut top = printers.clone();
    top.parent = None;
    store
        .update_category(&top)
        .await
        .must("moving a category to the top");
    assert_eq!(
        store
            .category(a, printers.id)
            .await
            .must("reading a category")
            .found("the moved category")
            .parent,
        None,
        "a category can move to the top of the tree"
    );
}

/// Products read back whole within their tenant, are listed by name, and updates
/// replace them.
async fn assert_products_round_trip(store: &dyn Store, a: TenantId, b: TenantId) {
    let contract = Product::new(a, None, "Contrat").must("a product");
    let inl = Product::new(a, Some("INL"), "Logiciel INL").must("a product");
    let other = Product::new(b, Some("MNT"), "Maintenance").must("a product");
    for p in [&inl, &contract, &other] {
        store.insert_product(p).await.must("inserting a product");
    }
    assert_eq!(
        store.product(a, inl.id).await.must("reading a product"),
        Some(inl.clone())
    );
    assert_eq!(
        store.product(b, inl.id).await.must("reading a product"),
        None,
        "a product of alpha is not found in bravo"
    );
    assert_eq!(
        store.products(a).await.must("listing products"),
        vec![contract.clone(), inl.clone()],
        "products are listed by name, only their tenant's"
    );
    let mut retired = inl.clone();
    retired.active = false;
    retired.code = None;
    retired.name = "Logiciel INL v1".to_owned();
    store
        .update_product(&retired)
        .await
        .must("updating a product");
    assert_eq!(
        store.product(a, inl.id).await.must("reading a product"),
        Some(retired)
    );
    assert_eq!(
        store.products(b).await.must("listing products"),
        vec![other]
    );
}
