//! The signed token in a notification's `Reply-To` (`support+<token>@example.com`): who
//! may answer which ticket by mail, until when. The inbound side reads it back with
//! [`ReplySigner::verify`]; nothing is stored, the signature is the proof.
//!
//! A mail address's local part holds at most 64 characters (RFC 5321; lettre and many
//! servers refuse longer ones), so the token carries only what the inbound side cannot
//! know: a version byte, the ticket's id (16 bytes) and the expiry in hours since the
//! Unix epoch (3 bytes), then the first 12 bytes (96 bits) of an HMAC-SHA256, under the
//! host's secret, over those and the recipient (kind and id). The recipient is not in
//! the token: the inbound side finds who answers from the sender's address among the
//! ticket's people and verifies the token for them, so a token forwarded to or copied by
//! someone else does not verify. Encoded in lowercase base32 without padding (RFC 4648):
//! 52 characters that survive a mail system changing their case. The address's own
//! local part (`support`) may then have at most [`MAX_LOCAL_LEN`] characters.

use chrono::{DateTime, Duration, Utc};
use helpdesk_core::{ContactRef, TicketId};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

const VERSION: u8 = 1;
const TAG_LEN: usize = 12;
const BODY_LEN: usize = 1 + 16 + 3;
const TOKEN_LEN: usize = BODY_LEN + TAG_LEN;
/// The shortest secret accepted, in bytes: as long as the hash's output.
pub const MIN_SECRET_LEN: usize = 32;
/// The longest local part of the reply address (`support` in `support@example.com`),
/// so that `support+<token>` stays within the 64 characters of RFC 5321.
pub const MAX_LOCAL_LEN: usize = 64 - 1 - (TOKEN_LEN * 8).div_ceil(5);

/// Signs and verifies reply tokens, and writes the `Reply-To` address that carries them.
#[derive(Clone)]
pub struct ReplySigner {
    /// The keyed HMAC, before any input: cloned for each token.
    key: Hmac<Sha256>,
    local: String,
    domain: String,
    validity: Duration,
}

impl std::fmt::Debug for ReplySigner {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplySigner")
            .field("address", &format_args!("{}+…@{}", self.local, self.domain))
            .field("validity", &self.validity)
            .finish_non_exhaustive()
    }
}

/// What a valid token says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyToken {
    /// The ticket the reply is for.
    pub ticket: TicketId,
    /// Who was sent the notification, and so who may answer with it.
    pub recipient: ContactRef,
    /// Until when it is accepted.
    pub expires_at: DateTime<Utc>,
}

/// Why a token or a signer was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes.
    #[error("the reply secret must be at least {MIN_SECRET_LEN} bytes long")]
    WeakSecret,
    /// The reply address is not `local@domain` with a plain local part of at most
    /// [`MAX_LOCAL_LEN`] characters.
    #[error(
        "the reply address must look like support@example.com: letters, digits, `.`, `-` or `_` before the @, at most {MAX_LOCAL_LEN}"
    )]
    BadAddress,
    /// Not a token this signer writes (wrong length, alphabet or version).
    #[error("not a reply token")]
    Malformed,
    /// The signature does not match: forged, altered, or given to someone else than
    /// the person it was sent to.
    #[error("the reply token's signature does not match")]
    Forged,
    /// Valid, but past its expiry.
    #[error("the reply token expired at {0}")]
    Expired(DateTime<Utc>),
    /// Valid, but for another ticket than the one answered.
    #[error("the reply token is for another ticket")]
    NotThisReply,
}

impl ReplySigner {
    /// A signer writing `Reply-To` addresses under `address` (`support@example.com`
    /// gives `support+<token>@example.com`), tokens valid for `validity` after sending
    /// (rounded up to the hour).
    pub fn new(secret: &[u8], address: &str, validity: Duration) -> Result<Self, TokenError> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(TokenError::WeakSecret);
        }
        let key = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| TokenError::WeakSecret)?;
        let (local, domain) = address
            .trim()
            .rsplit_once('@')
            .ok_or(TokenError::BadAddress)?;
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        };
        if !plain(local) || !plain(domain) || local.len() > MAX_LOCAL_LEN {
            return Err(TokenError::BadAddress);
        }
        Ok(Self {
            key,
            local: local.to_owned(),
            domain: domain.to_ascii_lowercase(),
            validity,
        })
    }

    /// The address replies go to, without a token (`support@example.com`).
    pub fn base_address(&self) -> String {
        format!("{}@{}", self.local.to_ascii_lowercase(), self.domain)
    }

    /// The domain of the reply addresses, lowercase.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// How long a token stays valid after it is signed.
    pub fn validity(&self) -> Duration {
        self.validity
    }

    /// The token for `recipient` answering `ticket`, signed at `now`.
    pub fn sign(&self, ticket: TicketId, recipient: ContactRef, now: DateTime<Utc>) -> String {
        let hours = (now + self.validity).timestamp().div_euclid(3600) + 1;
        let hours = u32::try_from(hours.clamp(0, 0xFF_FFFF)).unwrap_or(0xFF_FFFF);
        let mut bytes = Vec::with_capacity(TOKEN_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(Uuid::from(ticket).as_bytes());
        bytes.extend_from_slice(&hours.to_be_bytes()[1..]);
        let tag = self.mac(&bytes, recipient).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..TAG_LEN]);
        base32::encode(&bytes)
    }

    /// The `Reply-To` address carrying a fresh token.
    pub fn reply_address(
        &self,
        ticket: TicketId,
        recipient: ContactRef,
        now: DateTime<Utc>,
    ) -> String {
        format!(
            "{}+{}@{}",
            self.local,
            self.sign(ticket, recipient, now),
            self.domain
        )
    }

    /// The token inside an address this signer wrote (`support+<token>@domain`, case
    /// ignored), or none.
    pub fn token_in<'a>(&self, address: &'a str) -> Option<&'a str> {
        let (local, domain) = address.trim().rsplit_once('@')?;
        let (base, token) = local.split_once('+')?;
        (base.eq_ignore_ascii_case(&self.local) && domain.eq_ignore_ascii_case(&self.domain))
            .then_some(token)
    }

    /// The ticket a token names, NOT verified: for finding who may have sent it (the
    /// ticket's people whose address is the sender's) before [`verify`](Self::verify).
    pub fn ticket_in(&self, token: &str) -> Result<TicketId, TokenError> {
        Ok(Self::decode(token)?.0)
    }

    /// Checks `token` as sent to `recipient`, at `now`: well formed, signed with this
    /// secret for that recipient, not expired.
    pub fn verify(
        &self,
        token: &str,
        recipient: ContactRef,
        now: DateTime<Utc>,
    ) -> Result<ReplyToken, TokenError> {
        let (ticket, expires_at, bytes) = Self::decode(token)?;
        let (body, tag) = bytes.split_at(BODY_LEN);
        self.mac(body, recipient)
            .verify_truncated_left(tag)
            .map_err(|_| TokenError::Forged)?;
        if now >= expires_at {
            return Err(TokenError::Expired(expires_at));
        }
        Ok(ReplyToken {
            ticket,
            recipient,
            expires_at,
        })
    }

    /// Like [`verify`](Self::verify), and checks the token is for `ticket`.
    pub fn verify_for(
        &self,
        token: &str,
        ticket: TicketId,
        recipient: ContactRef,
        now: DateTime<Utc>,
    ) -> Result<ReplyToken, TokenError> {
        let valid = self.verify(token, recipient, now)?;
        if valid.ticket == ticket {
            Ok(valid)
        } else {
            Err(TokenError::NotThisReply)
        }
    }

    /// The ticket, the expiry and the bytes of a well-formed token.
    fn decode(token: &str) -> Result<(TicketId, DateTime<Utc>, Vec<u8>), TokenError> {
        let bytes = base32::decode(token).ok_or(TokenError::Malformed)?;
        if bytes.len() != TOKEN_LEN || bytes[0] != VERSION {
            return Err(TokenError::Malformed);
        }
        let ticket = Uuid::from_slice(&bytes[1..17]).map_err(|_| TokenError::Malformed)?;
        let hours = u32::from_be_bytes([0, bytes[17], bytes[18], bytes[19]]);
        let expires_at =
            DateTime::from_timestamp(i64::from(hours) * 3600, 0).ok_or(TokenError::Malformed)?;
        Ok((TicketId::from_uuid(ticket), expires_at, bytes))
    }

    fn mac(&self, body: &[u8], recipient: ContactRef) -> Hmac<Sha256> {
        let (kind, id) = match recipient {
            ContactRef::Member(id) => (b'm', id.as_uuid()),
            ContactRef::Staff(id) => (b's', id.as_uuid()),
        };
        let mut mac = self.key.clone();
        mac.update(body);
        mac.update(&[kind]);
        mac.update(id.as_bytes());
        mac
    }
}

/// Lowercase RFC 4648 base32 without padding.
mod base32 {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

    pub(super) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &b in bytes {
            buffer = (buffer << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
            }
        }
        if bits > 0 {
            out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
        }
        out
    }

    /// Decodes, ignoring case; none on a character outside the alphabet or trailing
    /// bits that are not zero.
    pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() * 5 / 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for c in text.bytes() {
            let value = ALPHABET.iter().position(|&a| a == c.to_ascii_lowercase())? as u32;
            buffer = ((buffer << 5) | value) & 0xFFFF;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                out.push(((buffer >> bits) & 0xFF) as u8);
            }
        }
        (bits < 5 && buffer & ((1 << bits) - 1) == 0).then_some(out)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn round_trips_every_length_and_refuses_other_characters() {
            for len in 0..12 {
                let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
                let text = super::encode(&bytes);
                assert_eq!(super::decode(&text), Some(bytes.clone()));
                assert_eq!(super::decode(&text.to_uppercase()), Some(bytes));
            }
            assert_eq!(super::encode(b"foobar"), "mzxw6ytboi");
            assert_eq!(
                super::decode("mzxw6ytb0i"),
                None,
                "0 is not in the alphabet"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone;
    use helpdesk_core::{MemberId, StaffId};

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn signer() -> ReplySigner {
        ReplySigner::new(SECRET, "support@help.example", Duration::days(30)).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 15, 12, 30, 0).unwrap()
    }

    #[test]
    fn a_token_verifies_for_its_recipient_and_says_which_ticket() {
        let (ticket, alice) = (TicketId::new(), ContactRef::Member(MemberId::new()));
        let address = signer().reply_address(ticket, alice, now());
        let token = signer().token_in(&address).unwrap();
        assert_eq!(signer().ticket_in(token), Ok(ticket));
        let valid = signer()
            .verify(token, alice, now() + Duration::days(29))
            .unwrap();
        assert_eq!(valid.ticket, ticket);
        assert_eq!(valid.recipient, alice);
        assert_eq!(
            valid.expires_at,
            Utc.with_ymd_and_hms(2025, 7, 15, 13, 0, 0).unwrap(),
            "thirty days later, rounded up to the hour"
        );
        assert!(
            signer().verify(&token.to_uppercase(), alice, now()).is_ok(),
            "case does not matter"
        );
        let staff = ContactRef::Staff(StaffId::new());
        let token = signer().sign(ticket, staff, now());
        assert_eq!(
            signer().verify(&token, staff, now()).unwrap().recipient,
            staff
        );
    }

    #[test]
    fn the_address_fits_the_64_characters_of_a_local_part() {
        let signer = ReplySigner::new(
            SECRET,
            "a23456789012345678901234567890@help.example",
            Duration::days(1),
        );
        assert_eq!(signer.err(), Some(TokenError::BadAddress));
        let longest = "s".repeat(MAX_LOCAL_LEN);
        let signer = ReplySigner::new(
            SECRET,
            &format!("{longest}@help.example"),
            Duration::days(1),
        )
        .unwrap();
        let address =
            signer.reply_address(TicketId::new(), ContactRef::Member(MemberId::new()), now());
        assert_eq!(address.split('@').next().unwrap().len(), 64);
        assert!(MAX_LOCAL_LEN >= "assistance".len());
    }

    #[test]
    fn a_forged_or_altered_token_is_refused() {
        let alice = ContactRef::Member(MemberId::new());
        let token = signer().sign(TicketId::new(), alice, now());
        let other = ReplySigner::new(&[7; 32], "support@help.example", Duration::days(30)).unwrap();
        let forged = other.sign(TicketId::new(), alice, now());
        assert_eq!(
            signer().verify(&forged, alice, now()),
            Err(TokenError::Forged)
        );
        // Any one character changed, anywhere in the token.
        for i in 0..token.len() {
            let mut altered = token.clone().into_bytes();
            altered[i] = if altered[i] == b'a' { b'b' } else { b'a' };
            let altered = String::from_utf8(altered).unwrap();
            assert!(
                signer().verify(&altered, alice, now()).is_err(),
                "altered at {i}"
            );
        }
        assert_eq!(
            signer().verify("hello", alice, now()),
            Err(TokenError::Malformed)
        );
        assert_eq!(
            signer().verify("", alice, now()),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn an_expired_token_is_refused() {
        let alice = ContactRef::Member(MemberId::new());
        let token = signer().sign(TicketId::new(), alice, now());
        let expiry = Utc.with_ymd_and_hms(2025, 7, 15, 13, 0, 0).unwrap();
        assert_eq!(
            signer().verify(&token, alice, expiry),
            Err(TokenError::Expired(expiry))
        );
    }

    #[test]
    fn a_token_for_another_ticket_or_person_is_refused() {
        let (ticket, alice) = (TicketId::new(), ContactRef::Member(MemberId::new()));
        let token = signer().sign(ticket, alice, now());
        assert!(signer().verify_for(&token, ticket, alice, now()).is_ok());
        assert_eq!(
            signer().verify_for(&token, TicketId::new(), alice, now()),
            Err(TokenError::NotThisReply)
        );
        let bob = ContactRef::Member(MemberId::new());
        assert_eq!(
            signer().verify_for(&token, ticket, bob, now()),
            Err(TokenError::Forged),
            "someone else answering with Alice's token"
        );
        let same_id_as_staff = match alice {
            ContactRef::Member(id) => ContactRef::Staff(StaffId::from_uuid(id.as_uuid())),
            staff => staff,
        };
        assert_eq!(
            signer().verify(&token, same_id_as_staff, now()),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn a_weak_secret_or_a_bad_address_is_refused() {
        assert_eq!(
            ReplySigner::new(b"short", "support@help.example", Duration::days(1)).err(),
            Some(TokenError::WeakSecret)
        );
        for address in ["support", "a+b@help.example", "@help.example", "a@"] {
            assert_eq!(
                ReplySigner::new(SECRET, address, Duration::days(1)).err(),
                Some(TokenError::BadAddress),
                "{address}"
            );
        }
    }

    #[test]
    fn the_address_is_found_again_only_under_this_signers_address() {
        let s = signer();
        let address = s.reply_address(TicketId::new(), ContactRef::Member(MemberId::new()), now());
        assert!(address.starts_with("support+"));
        assert!(address.ends_with("@help.example"));
        assert!(s.token_in(&address.to_uppercase()).is_some());
        assert_eq!(s.token_in("other+abc@help.example"), None);
        assert_eq!(s.token_in("support+abc@elsewhere.example"), None);
        assert_eq!(s.token_in("support@help.example"), None);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let shown = format!("{:?}", signer());
        assert!(!shown.contains("0123456789"), "{shown}");
    }
}
