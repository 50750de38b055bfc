//! Every sentence a notification mail says, in French and in English.

use helpdesk_core::{ActorRef, ContactKind, ContactRef, EventKind, Notification, Priority};

/// How the reader stands to the event, when it changes what is said.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// The reader is the guest invited.
    InvitedYou,
    /// The reader is the staff member it was assigned to, by someone else.
    AssignedYou,
    /// Staff assigned the ticket to themself.
    TookIt,
    /// The reader is the ticket's new requester.
    GivenYou,
    /// Nothing particular.
    Plain,
}

impl Seen {
    /// How `reader` stands to `n`'s event.
    pub(crate) fn of(n: &Notification, reader: ContactRef) -> Self {
        match (&n.event.kind, reader, n.event.author) {
            (EventKind::GuestInvited { guest }, ContactRef::Member(me), _) if *guest == me => {
                Seen::InvitedYou
            }
            (EventKind::RequesterReassigned { to, .. }, ContactRef::Member(me), _) if *to == me => {
                Seen::GivenYou
            }
            (
                EventKind::Assigned {
                    assignee: Some(to), ..
                },
                _,
                ActorRef::Staff(by),
            ) if *to == by => Seen::TookIt,
            (
                EventKind::Assigned {
                    assignee: Some(to), ..
                },
                ContactRef::Staff(me),
                _,
            ) if *to == me => Seen::AssignedYou,
            _ => Seen::Plain,
        }
    }
}

/// A language mails are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    /// French.
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The language for a tag: French for `fr` (and `fr-CA`...), English otherwise.
    pub(crate) fn of(tag: &str) -> Self {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    /// The tag, for `lang` attributes and `Content-Language`.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    fn pick(self, fr: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// The short phrase after the subject, saying what happened.
    pub(crate) fn phrase(self, kind: &EventKind, seen: Seen) -> &'static str {
        use EventKind as E;
        match kind {
            E::Opened => self.pick("Nouvelle demande", "New ticket"),
            E::Replied { .. } => self.pick("Nouvelle réponse", "New reply"),
            E::NoteAdded { .. } => self.pick("Note interne", "Internal note"),
            E::Assigned { .. } if seen == Seen::AssignedYou => {
                self.pick("Demande qui vous est attribuée", "Assigned to you")
            }
            E::Assigned { .. } => self.pick("Prise en charge", "Assigned"),
            E::InformationRequested { .. } => {
                self.pick("Information demandée", "Information requested")
            }
            E::ClosureProposed { .. } => self.pick("Solution proposée", "Solution proposed"),
            E::ClosedDirectly { .. } => self.pick("Demande clôturée", "Ticket closed"),
            E::ClosureApproved { .. } => self.pick("Clôture validée", "Closure approved"),
            E::ClosureRefused { .. } => self.pick("Clôture refusée", "Closure refused"),
            E::ClosureAutoApproved => self.pick("Clôture validée", "Closure approved"),
            E::Cancelled { .. } => self.pick("Demande annulée", "Ticket cancelled"),
            E::Reopened { .. } => self.pick("Demande rouverte", "Ticket reopened"),
            E::FieldEdited { .. } => self.pick("Demande modifiée", "Ticket updated"),
            E::CategoryMoved { .. } => self.pick("Catégorie changée", "Category changed"),
            E::RequesterReassigned { .. } => self.pick("Demandeur changé", "Requester changed"),
            E::GuestInvited { .. } if seen == Seen::InvitedYou => {
                self.pick("Vous suivez cette demande", "You now follow this ticket")
            }
            E::GuestInvited { .. } => self.pick("Invité ajouté", "Guest invited"),
            E::ServiceLevelBreached { target, .. } => match target {
                helpdesk_core::service_level::SlaTarget::FirstResponse => self.pick(
                    "Délai de première réponse dépassé",
                    "First response overdue",
                ),
                helpdesk_core::service_level::SlaTarget::Resolution => {
                    self.pick("Délai de résolution dépassé", "Resolution overdue")
                }
            },
        }
    }

    /// The opening sentence: who did what. `who` is the author's name.
    pub(crate) fn sentence(self, kind: &EventKind, who: &str, seen: Seen) -> String {
        use EventKind as E;
        let what = match kind {
            E::Opened => self.pick("a ouvert cette demande.", "opened this ticket."),
            E::Replied { .. } => self.pick("a répondu :", "replied:"),
            E::NoteAdded { .. } => self.pick(
                "a ajouté une note interne (jamais montrée au demandeur ni aux invités) :",
                "added an internal note (never shown to the requester or guests):",
            ),
            E::Assigned { .. } => match seen {
                Seen::TookIt => self.pick("a pris en charge cette demande.", "took this ticket."),
                Seen::AssignedYou => self.pick(
                    "vous a attribué cette demande.",
                    "assigned this ticket to you.",
                ),
                _ => self.pick("a attribué cette demande.", "assigned this ticket."),
            },
            E::InformationRequested { .. } => self.pick(
                "a besoin d'une information pour avancer :",
                "needs some information to go on:",
            ),
            E::ClosureProposed { .. } => self.pick(
                "propose une solution et la clôture de la demande :",
                "proposes a solution and to close the ticket:",
            ),
            E::ClosedDirectly { .. } => self.pick(
                "a clôturé la demande avec cette solution :",
                "closed the ticket with this solution:",
            ),
            E::ClosureApproved { .. } => self.pick("a validé la clôture.", "approved the closure."),
            E::ClosureRefused { .. } => self.pick("a refusé la clôture :", "refused the closure:"),
            E::ClosureAutoApproved => {
                return self
                    .pick(
                        "Sans réponse dans le délai prévu, la clôture a été validée automatiquement.",
                        "With no answer in time, the closure was approved automatically.",
                    )
                    .to_owned();
            }
            E::Cancelled { .. } => self.pick("a annulé la demande.", "cancelled the ticket."),
            E::Reopened { .. } => self.pick("a rouvert la demande.", "reopened the ticket."),
            E::FieldEdited { .. } => self.pick("a modifié la demande.", "updated the ticket."),
            E::CategoryMoved { .. } => self.pick(
                "a changé la catégorie de la demande.",
                "changed the ticket's category.",
            ),
            E::RequesterReassigned { .. } if seen == Seen::GivenYou => self.pick(
                "vous a confié cette demande : vous en êtes désormais le demandeur.",
                "made you this ticket's requester.",
            ),
            E::RequesterReassigned { .. } => self.pick(
                "a confié la demande à un autre demandeur.",
                "gave the ticket to another requester.",
            ),
            E::GuestInvited { .. } if seen == Seen::InvitedYou => self.pick(
                "vous a invité à suivre cette demande.",
                "invited you to follow this ticket.",
            ),
            E::GuestInvited { .. } => self.pick(
                "a invité une personne à suivre la demande.",
                "invited someone to follow the ticket.",
            ),
            E::ServiceLevelBreached { target, .. } => {
                return match target {
                    helpdesk_core::service_level::SlaTarget::FirstResponse => self.pick(
                        "Le délai de première réponse de cette demande est dépassé : elle vous est signalée.",
                        "This ticket's first response is overdue: it is escalated to you.",
                    ),
                    helpdesk_core::service_level::SlaTarget::Resolution => self.pick(
                        "Le délai de résolution de cette demande est dépassé : elle vous est signalée.",
                        "This ticket's resolution is overdue: it is escalated to you.",
                    ),
                }
                .to_owned();
            }
        };
        format!("{who} {what}")
    }

    /// What the reader is asked to do, when the event asks something of them.
    pub(crate) fn call_to_action(
        self,
        kind: &EventKind,
        reader: ContactKind,
    ) -> Option<&'static str> {
        match (kind, reader) {
            (EventKind::ClosureProposed { .. }, ContactKind::Requester) => Some(self.pick(
                "Validez ou refusez la clôture sur la page de la demande.",
                "Approve or refuse the closure on the ticket's page.",
            )),
            (EventKind::InformationRequested { .. }, ContactKind::Requester) => Some(self.pick(
                "Répondez sur la page de la demande.",
                "Answer on the ticket's page.",
            )),
            _ => None,
        }
    }

    /// Who acted, when the event has no named author.
    pub(crate) fn helpdesk(self) -> &'static str {
        self.pick("Le support", "Support")
    }

    /// The label before the status.
    pub(crate) fn status(self) -> &'static str {
        self.pick("Statut actuel", "Current status")
    }

    /// The label before the priority.
    pub(crate) fn priority_label(self) -> &'static str {
        self.pick("Priorité", "Priority")
    }

    /// A priority's name.
    pub(crate) fn priority(self, priority: Priority) -> &'static str {
        match priority {
            Priority::Low => self.pick("Faible", "Low"),
            Priority::Normal => self.pick("Normale", "Normal"),
            Priority::High => self.pick("Haute", "High"),
            Priority::Blocking => self.pick("Bloquante", "Blocking"),
        }
    }

    /// The label before the ticket's number and subject.
    pub(crate) fn ticket(self) -> &'static str {
        self.pick("Demande", "Ticket")
    }

    /// The link's text.
    pub(crate) fn open_ticket(self) -> &'static str {
        self.pick("Voir la demande", "View the ticket")
    }

    /// Why the reader gets this mail.
    /// The footer: why the reader receives this, how to answer (by replying to the mail
    /// when `replies`, else on the ticket's page), and that they choose what they receive.
    pub(crate) fn why(self, reader: ContactKind, tenant: &str, replies: bool) -> String {
        let part = match reader {
            ContactKind::Requester => self.pick(
                "vous êtes le demandeur de cette demande",
                "you requested this ticket",
            ),
            ContactKind::Guest => self.pick(
                "vous êtes invité sur cette demande",
                "you follow this ticket",
            ),
            ContactKind::Member => {
                self.pick("vous pouvez voir cette demande", "you can see this ticket")
            }
            ContactKind::Staff => self.pick("vous traitez cette demande", "you handle this ticket"),
        };
        let answer = match (self, replies) {
            (Lang::Fr, true) => {
                "Pour répondre, répondez simplement à ce message\u{a0}: votre réponse est ajoutée à la demande."
            }
            (Lang::Fr, false) => "Pour répondre, ouvrez la demande avec le lien ci-dessus.",
            (Lang::En, true) => {
                "To answer, simply reply to this message: your answer is added to the ticket."
            }
            (Lang::En, false) => "To answer, open the ticket with the link above.",
        };
        let choose = self.pick(
            "Vous choisissez ce que vous recevez dans votre profil.",
            "You choose what you receive in your profile.",
        );
        match self {
            Lang::Fr => format!(
                "Message automatique de l'assistance {tenant}\u{a0}: vous le recevez car {part}. {answer} {choose}"
            ),
            Lang::En => format!(
                "Automatic message from {tenant} support: you receive it because {part}. {answer} {choose}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use helpdesk_core::{EventKind, RichText};

    use super::{Lang, Seen};

    #[test]
    fn a_tag_picks_french_or_else_english() {
        assert_eq!(Lang::of("fr"), Lang::Fr);
        assert_eq!(Lang::of("fr-CA"), Lang::Fr);
        assert_eq!(Lang::of("en"), Lang::En);
        assert_eq!(Lang::of("de"), Lang::En);
        assert_eq!(Lang::of(""), Lang::En);
    }

    #[test]
    fn every_phrase_differs_between_languages() {
        let text = RichText::from_stored("<p>x</p>");
        let kinds = [
            EventKind::Opened,
            EventKind::Replied { body: text.clone() },
            EventKind::InformationRequested {
                message: text.clone(),
            },
            EventKind::ClosureProposed { solution: text },
            EventKind::ClosureAutoApproved,
        ];
        for kind in &kinds {
            assert_ne!(
                Lang::Fr.phrase(kind, Seen::Plain),
                Lang::En.phrase(kind, Seen::Plain)
            );
            assert_ne!(
                Lang::Fr.sentence(kind, "Sam", Seen::Plain),
                Lang::En.sentence(kind, "Sam", Seen::Plain)
            );
        }
    }
}
