//! The knowledge base [FAQ, base de connaissances]: articles per category, suggested
//! while a requester types a subject.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{ArticleId, CategoryId, TenantId};
use crate::text::{RichText, single_line, words};

/// A knowledge-base article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Article {
    /// The article's id.
    pub id: ArticleId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// The category it answers questions about.
    pub category: Option<CategoryId>,
    /// Its title.
    pub title: String,
    /// Its sanitised body.
    pub body: RichText,
    /// Only published articles are suggested to requesters.
    pub published: bool,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Article {
    /// A new, published article after checking its title and sanitising its body.
    pub fn new(
        tenant: TenantId,
        category: Option<CategoryId>,
        title: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            id: ArticleId::new(),
            tenant,
            category,
            title: single_line("title", title, 250)?,
            body: RichText::required("body", body)?,
            published: true,
            updated_at: now,
        })
    }
}

/// How well `article` answers `subject`: matching title words count three, body words
/// one, a matching category two. Zero means unrelated.
pub fn relevance(article: &Article, subject_words: &[String], category: Option<CategoryId>) -> u32 {
    if subject_words.is_empty() {
        return 0;
    }
    let title = words(&article.title);
    let body = words(&article.body.to_plain_text());
    let mut score = 0;
    for word in subject_words.iter().filter(|w| w.chars().count() >= 3) {
        if title.iter().any(|t| t.starts_with(word.as_str())) {
            score += 3;
        } else if body.iter().any(|t| t.starts_with(word.as_str())) {
            score += 1;
        }
    }
    if score > 0 && category.is_some() && article.category == category {
        score += 2;
    }
    score
}

/// The published articles best matching `subject`, best first, at most `limit`.
pub fn suggest<'a>(
    articles: &'a [Article],
    subject: &str,
    category: Option<CategoryId>,
    limit: usize,
) -> Vec<&'a Article> {
    let subject_words = words(subject);
    let mut scored: Vec<(u32, &Article)> = articles
        .iter()
        .filter(|a| a.published)
        .map(|a| (relevance(a, &subject_words, category), a))
        .filter(|(score, _)| *score > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.title.cmp(&b.1.title)));
    scored.into_iter().take(limit).map(|(_, a)| a).collect()
}

/// The frequently asked questions of a category, for a requester who has not typed a
/// subject yet: the published articles filed under `chain` (a category and its
/// ancestors, nearest first, as [`ancestry`](crate::catalog::ancestry) gives them), the
/// nearest category's first, each category's by title, at most `limit`.
pub fn faq<'a>(articles: &'a [Article], chain: &[CategoryId], limit: usize) -> Vec<&'a Article> {
    let mut found: Vec<(usize, &Article)> = articles
        .iter()
        .filter(|a| a.published)
        .filter_map(|a| {
            let category = a.category?;
            chain
                .iter()
                .position(|c| *c == category)
                .map(|rank| (rank, a))
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1.title, a.1.id).cmp(&(b.0, &b.1.title, b.1.id)));
    found.into_iter().take(limit).map(|(_, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str, body: &str) -> Article {
        Article::new(TenantId::new(), None, title, body, Utc::now())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn suggestions_match_folded_words_and_rank_titles_first() {
        let articles = vec![
            article(
                "Réinitialiser son mot de passe",
                "Cliquez sur mot de passe oublié",
            ),
            article("Imprimante bloquée", "Redémarrez l'imprimante"),
            article("Connexion impossible", "Vérifiez votre mot de passe"),
        ];
        let found = suggest(&articles, "mot de PASSE oublie", None, 5);
        let titles: Vec<_> = found.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Réinitialiser son mot de passe", "Connexion impossible"]
        );
        assert!(suggest(&articles, "facture", None, 5).is_empty());
    }

    #[test]
    fn unpublished_articles_are_not_suggested() {
        let mut a = article("Imprimante bloquée", "x");
        a.published = false;
        assert!(suggest(&[a], "imprimante", None, 5).is_empty());
    }
}
