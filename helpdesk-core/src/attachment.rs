//! Attachment metadata [pièces jointes]. Attachments hang on a timeline event (the
//! opening, a reply, a note) and share its visibility; their bytes live in a blob store
//! of the storage adapter, under a key the helpdesk makes, never one derived from the
//! user's file name.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::ids::{AttachmentId, EventId, TenantId, TicketId};
use crate::people::ActorRef;

/// The longest stored file name, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;

/// What is known about one attached file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// The attachment's id; also its key in the blob store.
    pub id: AttachmentId,
    /// The ticket's tenant.
    pub tenant: TenantId,
    /// The ticket.
    pub ticket: TicketId,
    /// The event it hangs on, whose visibility it shares.
    pub event: EventId,
    /// The file name shown for download, cleaned by [`clean_file_name`].
    pub file_name: String,
    /// The content type the uploader declared.
    pub content_type: String,
    /// The size in bytes.
    pub size: u64,
    /// Who attached it.
    pub uploaded_by: ActorRef,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A file to attach, already stored in a blob store under `id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAttachment {
    /// The key the bytes were stored under.
    pub id: AttachmentId,
    /// The name the uploader gave; it is cleaned.
    pub file_name: String,
    /// The declared content type.
    pub content_type: String,
    /// The size in bytes.
    pub size: u64,
}

/// Makes an uploaded file name safe to show and to put in a `Content-Disposition`:
/// drops any directory part, control characters, quotes and backslashes, and leading
/// dots; refuses a name with nothing left.
pub fn clean_file_name(name: &str) -> Result<String, ValidationError> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !crate::text::is_invisible(*c)
                && !matches!(c, '"' | '\\' | '/' | ';')
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return Err(ValidationError::new("file_name", "must name a file"));
    }
    Ok(cleaned.chars().take(MAX_FILE_NAME_CHARS).collect())
}

/// Checks a declared content type: `type/subtype`, printable ASCII, no parameters kept.
pub fn clean_content_type(content_type: &str) -> String {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let valid = essence.split_once('/').is_some_and(|(t, s)| {
        !t.is_empty()
            && !s.is_empty()
            && essence
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/+-.".contains(c))
    });
    if valid {
        essence
    } else {
        "application/octet-stream".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_parts_and_control_characters_are_dropped() {
        assert_eq!(
            clean_file_name("../../etc/passwd").ok().as_deref(),
            Some("passwd")
        );
        assert_eq!(
            clean_file_name("C:\\Users\\x\\rapport.pdf").ok().as_deref(),
            Some("rapport.pdf")
        );
        assert_eq!(
            clean_file_name("a\r\nb\".txt").ok().as_deref(),
            Some("ab.txt")
        );
        assert_eq!(clean_file_name("..hidden").ok().as_deref(), Some("hidden"));
        assert_eq!(
            clean_file_name("\u{202e}txt.exe").ok().as_deref(),
            Some("txt.exe")
        );
        assert!(clean_file_name("../").is_err());
    }

    #[test]
    fn content_types_are_reduced_to_their_essence() {
        assert_eq!(clean_content_type("Image/PNG; charset=x"), "image/png");
        assert_eq!(
            clean_content_type("text/html\r\nX: y"),
            "application/octet-stream"
        );
        assert_eq!(clean_content_type(""), "application/octet-stream");
    }
}
