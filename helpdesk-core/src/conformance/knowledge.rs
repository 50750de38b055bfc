//! Knowledge base articles.

use super::fixtures::{Must, days, directory, now, rich};
use crate::ids::TenantId;
use crate::knowledge::Article;
use crate::ports::Store;

/// Knowledge base: articles read back whole within their tenant only, are listed by
/// title (published or not), and updates replace title, body, category, publication and
/// time; an update naming another tenant changes nothing.
pub async fn knowledge_base_articles_stay_in_their_tenant(store: &dyn Store) {
    let dir = directory(store).await;
    let (a, b) = (dir.tenants[0].id, dir.tenants[1].id);
    let printers = dir.categories[0][1].id;
    let article = |tenant, category, title: &str, body: &str| {
        Article::new(tenant, category, title, body, now() - days(3)).must("an article")
    };
    let reset = article(
        a,
        None,
        "Reinitialiser son mot de passe",
        "<p>Cliquez sur <b>oublié</b></p>",
    );
    let mut jam = article(
        a,
        Some(printers),
        "Imprimante bloquee",
        "<p>Ouvrez le capot &amp; retirez le papier</p>",
    );
    jam.published = false;
    let vpn = article(
        a,
        None,
        "Connexion VPN",
        "<ol><li>Installez le client</li></ol>",
    );
    let other = article(b, None, "Facturation", "<p>Voir le contrat</p>");
    for x in [&reset, &jam, &vpn, &other] {
        store.insert_article(x).await.must("inserting an article");
    }
    assert_eq!(
        store.article(a, jam.id).await.must("reading an article"),
        Some(jam.clone()),
        "an article reads back whole, unpublished too"
    );
    assert_eq!(
        store.article(b, jam.id).await.must("reading an article"),
        None,
        "an article of alpha is not found in bravo"
    );
    assert_eq!(
        store.articles(a).await.must("listing articles"),
        vec![vpn.clone(), jam.clone(), reset.clone()],
        "a tenant's articles, published or not, by title"
    );
    assert_eq!(
        store.articles(b).await.must("listing articles"),
        vec![other.clone()]
    );

    assert_an_update_replaces(store, a, &jam, &vpn, &reset).await;
    assert_an_update_naming_another_tenant_changes_nothing(store, a, b, &reset).await;
}

/// An update replaces title, body, category, publication and time.
async fn assert_an_update_replaces(
    store: &dyn Store,
    a: TenantId,
    jam: &Article,
    vpn: &Article,
    reset: &Article,
) {
    let mut edited = jam.clone();
    edited.title = "Bourrage papier".to_owned();
    edited.body = rich("<p>Nouvelle procédure</p>");
    edited.category = None;
    edited.published = true;
    edited.updated_at = now();
    store
        .update_article(&edited)
        .await
        .must("updating an article");
    assert_eq!(
        store.article(a, jam.id).await.must("reading an article"),
        Some(edited.clone())
    );
    assert_eq!(
        store.articles(a).await.must("listing articles"),
        vec![edited.clone(), vpn.clone(), reset.clone()],
        "an edited article is listed under its new title"
    );
}

/// An update naming tenant `b` neither changes nor moves an article of `a`.
async fn assert_an_update_naming_another_tenant_changes_nothing(
    store: &dyn Store,
    a: TenantId,
    b: TenantId,
    reset: &Article,
) {
    let mut hijack = reset.clone();
    hijack.tenant = b;
    hijack.title = "Piraté".to_owned();
    let _ = store.update_article(&hijack).await;
    assert_eq!(
        store.article(a, reset.id).await.must("reading an article"),
        Some(reset.clone()),
        "an update naming another tenant does not change the article"
    );
    assert_eq!(
        store.article(b, reset.id).await.must("reading an article"),
        None,
        "an update naming another tenant does not move the article"
    );
}
