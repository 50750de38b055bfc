//! Every word the pages show, in French and in English.
//!
//! A message is a variant of [`Msg`]; the macro that declares them takes both languages
//! at once, so a message without its translation does not compile.

use chrono::{DateTime, Utc};
use helpdesk_core::{MemberRole, NotificationTopic, Priority, StaffRole, Status};

/// A language the pages speak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French, the default of a new tenant.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Both languages, in the order the language pickers list them.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The language tag (`fr`, `en`), as tenant settings and `lang` attributes use it.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The language of a tag such as `fr`, `en-GB` or `FR-ca`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first language of an `Accept-Language` header we speak, by its weights.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, f32)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if weight > 0.0 && best.is_none_or(|(_, w)| weight > w) {
                best = Some((lang, weight));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The message in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self)
    }

    /// A count as people of this language write it, thousands grouped (`1 000` with a
    /// narrow no-break space, `1,000`).
    pub fn count(self, n: u64) -> String {
        let separator = match self {
            Lang::Fr => '\u{202F}',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A date and time as people of this language write it (`30/11/2026 14:05`,
    /// `2026-11-30 14:05`), in UTC.
    pub fn datetime(self, at: DateTime<Utc>) -> String {
        match self {
            Lang::Fr => at.format("%d/%m/%Y %H:%M").to_string(),
            Lang::En => at.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// A moment as the pages print it: `<time datetime="…Z">` holding the UTC date and
    /// time in this language with an explicit "UTC" (`30/11/2026 14:05 UTC`), which the
    /// pages' script rewrites in the browser's time zone (keeping this text as a title).
    /// Without the script the UTC text stays.
    pub fn time(self, at: DateTime<Utc>) -> maud::Markup {
        maud::html! {
            time datetime=(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)) {
                (self.datetime(at)) " UTC"
            }
        }
    }

    /// What goes between a label and its value: a no-break space then a colon in
    /// French (`Réponses : 1`), a colon alone in English (`Answers: 1`); a space after.
    pub fn colon(self) -> &'static str {
        match self {
            Lang::Fr => "\u{a0}: ",
            Lang::En => ": ",
        }
    }

    /// `label`, the language's colon, `value`, as one text (for attributes).
    pub fn labelled(self, label: &str, value: &str) -> String {
        format!("{label}{}{value}", self.colon())
    }

    /// A date alone (`30/11/2026`, `2026-11-30`).
    pub fn date(self, at: DateTime<Utc>) -> String {
        match self {
            Lang::Fr => at.format("%d/%m/%Y").to_string(),
            Lang::En => at.format("%Y-%m-%d").to_string(),
        }
    }

    /// The name of a month (1 to 12), short.
    pub fn month(self, month: u32) -> &'static str {
        const FR: [&str; 12] = [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ];
        const EN: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let index = (month.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Fr => FR[index],
            Lang::En => EN[index],
        }
    }

    /// The display name of a priority.
    pub fn priority(self, priority: Priority) -> &'static str {
        self.t(match priority {
            Priority::Low => Msg::PriorityLow,
            Priority::Normal => Msg::PriorityNormal,
            Priority::High => Msg::PriorityHigh,
            Priority::Blocking => Msg::PriorityBlocking,
        })
    }

    /// What a notification topic is about, as the profile's "Tell me when…" list says it.
    pub fn topic(self, topic: NotificationTopic) -> &'static str {
        self.t(match topic {
            NotificationTopic::Opened => Msg::TopicOpened,
            NotificationTopic::Replies => Msg::TopicReplies,
            NotificationTopic::Notes => Msg::TopicNotes,
            NotificationTopic::InformationRequests => Msg::TopicInformationRequests,
            NotificationTopic::Closure => Msg::TopicClosure,
            NotificationTopic::CancelAndReopen => Msg::TopicCancelAndReopen,
            NotificationTopic::Assignment => Msg::TopicAssignment,
            NotificationTopic::Changes => Msg::TopicChanges,
            NotificationTopic::Escalations => Msg::TopicEscalations,
        })
    }

    /// The default name of a status, for when no tenant is at hand to label it.
    pub fn status(self, status: Status) -> &'static str {
        self.t(match status {
            Status::New => Msg::StatusNew,
            Status::InProgress => Msg::StatusInProgress,
            Status::WaitingOnRequester => Msg::StatusWaiting,
            Status::PendingClosure => Msg::StatusPendingClosure,
            Status::Closed => Msg::StatusClosed,
            Status::Cancelled => Msg::StatusCancelled,
        })
    }

    /// The display name of a member's role.
    pub fn member_role(self, role: MemberRole) -> &'static str {
        self.t(match role {
            MemberRole::Requester => Msg::RoleRequester,
            MemberRole::TenantAdmin => Msg::RoleTenantAdmin,
        })
    }

    /// The display name of a staff member's role.
    pub fn staff_role(self, role: StaffRole) -> &'static str {
        self.t(match role {
            StaffRole::Agent => Msg::RoleAgent,
            StaffRole::Supervisor => Msg::RoleSupervisor,
            StaffRole::PlatformAdmin => Msg::RolePlatformAdmin,
        })
    }
}

macro_rules! messages {
    ($($key:ident => $fr:literal, $en:literal;)*) => {
        /// A sentence or word of the pages; [`Lang::t`] gives it in a language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Msg {
            $($key,)*
        }

        impl Msg {
            /// The message in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Msg::$key, Lang::Fr) => $fr,
                        (Msg::$key, Lang::En) => $en,
                    )*
                }
            }
        }
    };
}

messages! {
    // The frame of every page.
    Helpdesk => "Assistance", "Helpdesk";
    SkipToContent => "Aller au contenu", "Skip to content";
    MainMenu => "Menu principal", "Main menu";
    Home => "Accueil", "Home";
    Tickets => "Demandes", "Tickets";
    NewTicket => "Nouvelle demande", "New ticket";
    Administration => "Administration", "Administration";
    MyProfile => "Mon profil", "My profile";
    Language => "Langue", "Language";
    LogOut => "Se déconnecter", "Log out";
    Tenant => "Client", "Client";
    AllTenants => "Tous les clients", "All clients";
    Choose => "Choisir", "Choose";

    // Home.
    Dashboard => "Tableau de bord", "Dashboard";
    OpenedPerMonth => "Demandes ouvertes par mois", "Tickets opened per month";
    Satisfaction => "Satisfaction", "Satisfaction";
    AverageScore => "Note moyenne", "Average score";
    Answers => "Réponses", "Answers";
    NoAnswerYet => "Aucune réponse pour l'instant", "No answer yet";
    OutOfTen => "sur 10", "out of 10";
    ByAgent => "Par intervenant", "By agent";
    ByGroup => "Par groupe", "By group";
    TicketsWithStatus => "Voir les demandes avec ce statut", "See the tickets with this status";
    DeadLetters => "Notifications non distribuées", "Undelivered notifications";
    NoDeadLetters => "notification abandonnée : toutes sont parties ou en cours d'envoi.", "notifications given up on: all went out or are on their way.";
    DeadLettersWaiting => "notification(s) abandonnée(s) après plusieurs essais, conservée(s) : à relancer par l'API d'administration (/admin/dead-letters).", "notification(s) given up on after several attempts, kept: retry them through the admin API (/admin/dead-letters).";

    // Statuses and priorities, when no tenant label applies.
    StatusNew => "Nouvelle", "New";
    StatusInProgress => "En cours", "In progress";
    StatusWaiting => "En attente de votre réponse", "Waiting for your answer";
    StatusPendingClosure => "Clôture proposée", "Closure proposed";
    StatusClosed => "Clôturée", "Closed";
    StatusCancelled => "Annulée", "Cancelled";
    PriorityLow => "Basse", "Low";
    PriorityNormal => "Normale", "Normal";
    PriorityHigh => "Haute", "High";
    PriorityBlocking => "Bloquante", "Blocking";
    RoleRequester => "Demandeur", "Requester";
    RoleTenantAdmin => "Administrateur du client", "Client administrator";
    RoleAgent => "Intervenant", "Agent";
    RoleSupervisor => "Superviseur", "Supervisor";
    RolePlatformAdmin => "Administrateur de la plateforme", "Platform administrator";

    // The ticket list.
    Number => "N°", "No.";
    Subject => "Objet", "Subject";
    Category => "Catégorie", "Category";
    Product => "Produit", "Product";
    Requester => "Demandeur", "Requester";
    Assignee => "Intervenant", "Assignee";
    Group => "Groupe", "Group";
    Status => "Statut", "Status";
    Priority => "Priorité", "Priority";
    Opened => "Ouverte le", "Opened";
    Updated => "Mise à jour", "Updated";
    WaitingForYou => "Attend votre réponse", "Waiting for your answer";
    NoTickets => "Aucune demande ne correspond.", "No ticket matches.";
    NextPage => "Page suivante", "Next page";
    OneTicket => "demande", "ticket";
    ManyTickets => "demandes", "tickets";
    MoreThan => "plus de", "more than";
    PageSize => "Demandes par page", "Tickets per page";
    SortBy => "Trier par", "Sort by";
    NoGroup => "Sans groupe", "No group";
    FirstPage => "Première page", "First page";
    Filters => "Filtres", "Filters";
    Search => "Rechercher", "Search";
    Contains => "Contient les mots", "Contains the words";
    OpenedFrom => "Ouverte à partir du", "Opened from";
    OpenedTo => "Ouverte jusqu'au", "Opened until";
    UpdatedFrom => "Mise à jour à partir du", "Updated from";
    UpdatedTo => "Mise à jour jusqu'au", "Updated until";
    Any => "Tous", "Any";
    Nobody => "Personne", "Nobody";
    Unassigned => "Non attribuée", "Unassigned";
    IncludeClosed => "Inclure les demandes clôturées et annulées", "Include closed and cancelled tickets";
    IncludeArchived => "Inclure les demandes archivées", "Include archived tickets";
    SeveralRequesters => "Plusieurs membres portent ce nom, choisissez", "Several members go by that name, choose one";
    NoRequesterByName => "Personne ne porte ce nom", "Nobody by that name";
    RequesterNameHelp => "Son nom, même en partie.", "Their name, even in part.";
    RemoveRequester => "Retirer ce filtre", "Remove this filter";
    ClearFilters => "Effacer les filtres", "Clear the filters";
    SavedSearches => "Recherches enregistrées", "Saved searches";
    NoSavedSearch => "Aucune recherche enregistrée.", "No saved search.";
    SaveCriteriaAs => "Enregistrer ces critères sous le nom", "Save these criteria as";
    Save => "Enregistrer", "Save";
    Forget => "Oublier", "Forget";
    ExportCsv => "Exporter (CSV)", "Export (CSV)";
    ExportThis => "Exporter la demande", "Export ticket";
    FileFormat => "Format du fichier", "File format";
    FormatExcelFr => "Excel (français)", "Excel (French)";
    NotSet => "—", "—";

    Message => "Message", "Message";
    Reason => "Motif", "Reason";
    Solution => "Solution", "Solution";
    Score => "Note", "Score";
    Comment => "Commentaire", "Comment";
    Phone => "Téléphone", "Phone";
    Asset => "Matériel concerné", "Asset";

    // The ticket page (pages/ticket.rs).
    TicketTitle => "Demande n°", "Ticket no.";
    TicketSections => "Sections de la demande", "Ticket sections";
    History => "Historique", "History";
    Properties => "Propriétés", "Properties";
    Files => "Fichiers attachés", "Attached files";
    Guests => "Invités", "Guests";
    Actions => "Actions", "Actions";
    Description => "Description", "Description";
    OpenedBy => "Ouverte par", "Opened by";
    CustomFields => "Champs complémentaires", "Additional fields";
    OwnerTickets => "Derniers tickets du propriétaire", "Requester's latest tickets";
    NoOtherTickets => "Le demandeur n'a pas d'autre demande.", "The requester has no other ticket.";
    AllOwnerTickets => "Toutes les demandes de ce demandeur", "All tickets of this requester";
    NoGuests => "Aucun utilisateur invité.", "No guest invited.";
    Watchers => "Surveillance du ticket", "Who is notified";
    WatchersHelp => "Ces personnes sont prévenues par e-mail des étapes de la demande, sauf des sujets qu'elles ont choisi de ne plus suivre et de leurs propres actions.", "These people are told by email about the ticket's steps, except the topics they chose not to follow and their own actions.";
    NoWatchers => "Personne n'est prévenu pour l'instant.", "Nobody is notified yet.";
    WatchGuest => "Invité", "Guest";
    WatchGroup => "Membre du groupe", "Group member";
    WatchNotes => "notes internes comprises", "internal notes included";
    WatchNoAddress => "sans adresse e-mail", "no email address";
    WatchMuted => "ne suit pas", "does not follow";
    ArchivedOn => "Archivée le", "Archived on";
    ArchivesOn => "Archivage prévu le", "To be archived on";
    NoFiles => "Aucun fichier attaché.", "No file attached.";
    Download => "Télécharger", "Download";
    FileSize => "Taille", "Size";
    Bytes => "octets", "bytes";
    InternalNote => "Note interne", "Internal note";
    InternalNoteHint => "Visible seulement par l'équipe d'assistance, jamais par le demandeur ni les invités.", "Seen by support staff only, never by the requester or guests.";
    ReadOnlyTicket => "Vous pouvez lire cette demande, mais aucune action ne vous y est ouverte.", "You may read this ticket, but no action on it is open to you.";
    ByAuthor => "par", "by";
    SystemAuthor => "le système", "the system";
    StatusChanged => "Statut", "Status";
    Reply => "Répondre", "Reply";
    AddNote => "Ajouter une note interne", "Add an internal note";
    AttachFiles => "Joindre des fichiers", "Attach files";
    RichToolbar => "Mise en forme", "Formatting";
    RichBold => "Gras", "Bold";
    RichItalic => "Italique", "Italic";
    RichUnderline => "Souligné", "Underline";
    RichBullets => "Liste à puces", "Bulleted list";
    RichNumbers => "Liste numérotée", "Numbered list";
    RichLink => "Lien", "Link";
    RichHint => "Mettez en forme avec la barre d'outils ou Ctrl+B, Ctrl+I, Ctrl+U. Une capture d'écran collée est jointe et s'affiche sous le message.", "Format with the toolbar or Ctrl+B, Ctrl+I, Ctrl+U. A pasted screenshot is attached and shown under the message.";
    RichLinkPrompt => "Adresse du lien (https://…)", "Link address (https://…)";
    EditDescriptionHint => "Modifier la description l'enregistre dans l'historique.", "A changed description is recorded in the history.";
    Send => "Envoyer", "Send";
    ActionAssign => "Attribuer", "Assign";
    ActionTakeIt => "Prendre en charge", "Take it";
    ActionRequestInformation => "Demander un complément d'information", "Request information";
    ActionProposeClosure => "Proposer la clôture", "Propose closure";
    ActionApproveClosure => "Approuver la clôture", "Approve closure";
    ActionRefuseClosure => "Refuser la clôture", "Refuse closure";
    ActionCancel => "Annuler la demande", "Cancel the ticket";
    ActionReopen => "Rouvrir la demande", "Reopen the ticket";
    ActionEdit => "Modifier", "Edit";
    ActionMoveCategory => "Déplacer vers une autre catégorie", "Move to another category";
    ActionInviteGuest => "Inviter un utilisateur", "Invite a user";
    ActionReassignRequester => "Changer de demandeur", "Change the requester";
    KeepGroup => "Garder le groupe actuel", "Keep the current group";
    Login => "Identifiant de l'utilisateur", "User's login";
    NewRequester => "Nouveau demandeur", "New requester";
    Justification => "Justification", "Justification";
    Questionnaire => "Questionnaire de satisfaction", "Satisfaction questionnaire";
    Required => "obligatoire", "required";
    NoAnswer => "Sans réponse", "No answer";
    QuestionOverall => "Quelle note entre 0 et 10 donneriez-vous au traitement de votre demande\u{a0}?", "What score between 0 and 10 would you give to how your request was handled?";
    QuestionProcessingTime => "Délai de traitement", "Processing time";
    QuestionFollowUp => "Suivi", "Follow-up";
    QuestionSolution => "La solution apportée", "The solution provided";
    QuestionRegulatory => "Réponse réglementaire", "Regulatory answer";
    QuestionTechnical => "Réponse technique", "Technical answer";
    QuestionHuman => "Contact humain", "Human contact";
    VerySatisfied => "Très satisfait", "Very satisfied";
    Satisfied => "Satisfait", "Satisfied";
    Dissatisfied => "Insatisfait", "Dissatisfied";
    ClosureAnswers => "Réponses au questionnaire", "Questionnaire answers";
    EventOpened => "Demande ouverte", "Ticket opened";
    EventReplied => "Réponse", "Reply";
    EventAssigned => "Attribution", "Assignment";
    EventInformationRequested => "Demande de complément d'information", "Information requested";
    EventClosureProposed => "Clôture proposée", "Closure proposed";
    EventClosedDirectly => "Clôturée directement", "Closed directly";
    EventClosureApproved => "Clôture approuvée", "Closure approved";
    EventClosureRefused => "Clôture refusée", "Closure refused";
    EventClosureAutoApproved => "Clôture approuvée automatiquement", "Closure approved automatically";
    EventCancelled => "Demande annulée", "Ticket cancelled";
    EventReopened => "Demande rouverte", "Ticket reopened";
    EventFieldEdited => "Champ modifié", "Field changed";
    EventCategoryMoved => "Catégorie changée", "Category changed";
    EventRequesterReassigned => "Demandeur changé", "Requester changed";
    EventGuestInvited => "Utilisateur invité", "User invited";
    EventServiceLevelBreached => "Délai de service dépassé, signalé", "Service level breached, escalated";
    SlaFirstResponse => "Première réponse attendue avant", "First response due";
    SlaResolution => "Résolution attendue avant", "Resolution due";
    SlaOnTime => "dans les délais", "on time";
    SlaDueSoon => "échéance proche", "due soon";
    SlaPaused => "en pause (en attente du demandeur)", "paused (waiting on the requester)";
    SlaBreached => "délai dépassé", "overdue";
    SlaMet => "respecté", "met";
    SlaFilterLabel => "Délais de service", "Service levels";
    SlaAny => "Tous", "Any";
    SlaDueSoonTickets => "Échéance proche", "Due soon";
    SlaBreachedTickets => "En retard", "Overdue";
    SlaCompliance => "Respect des délais", "Service-level compliance";
    SlaNothingMet => "aucune mesure", "nothing measured yet";
    SlaFirstResponseTarget => "Première réponse", "First response";
    SlaResolutionTarget => "Résolution", "Resolution";
    FromTo => "→", "→";
    AnswerRequired => "une réponse est obligatoire.", "an answer is required.";
    FindMember => "Chercher un membre", "Find a member";
    FindMemberHelp => "Son nom, son identifiant ou son adresse électronique, même en partie.", "Their name, login or email address, even in part.";
    NoMemberFound => "Aucun membre trouvé pour", "No member found for";
    ByLogin => "ou son identifiant exact", "or their exact login";
    UnknownLogin => "aucun membre de ce client n'a cet identifiant.", "no member of this client has this login.";

    // The new-ticket form (pages/new_ticket.rs).
    NtChooseTenant => "Pour quel client ouvrez-vous cette demande\u{a0}?", "Which client is this ticket for?";
    NtNoTenant => "Vous ne servez aucun client pour l'instant.", "You serve no client yet.";
    NtIntro => "Décrivez votre problème\u{a0}: la catégorie choisie détermine le service qui traitera votre demande.", "Describe your problem: the category you choose decides which team handles your ticket.";
    NtOnBehalfOf => "Demande ouverte pour", "Opened on behalf of";
    NtMyself => "Moi-même", "Myself";
    NtChooseMember => "Choisissez un membre…", "Choose a member…";
    NtFilterCategories => "Filtrer les catégories", "Filter the categories";
    NtNoCategory => "Je ne sais pas", "I don't know";
    NtSubjectHint => "Quelques mots qui résument le problème\u{a0}: des articles de la FAQ qui y répondent peut-être s'affichent.", "A few words that sum up the problem: FAQ articles that may answer it are shown.";
    NtSeeSuggestions => "Voir les articles de la FAQ", "See the FAQ articles";
    NtSuggestionsTitle => "Ces articles répondent peut-être à votre question", "These articles may answer your question";
    NtNoSuggestion => "Aucun article de la FAQ ne correspond pour l'instant.", "No FAQ article matches yet.";
    NtReadArticle => "Lire l'article", "Read the article";
    NtDescription => "Description", "Description";
    NtDescriptionHint => "Texte simple\u{a0}: une ligne vide sépare deux paragraphes, une ligne qui commence par «\u{a0}-\u{a0}» est un élément de liste, les adresses web (http:// ou https://) deviennent des liens.", "Plain text: a blank line separates two paragraphs, a line starting with \"- \" is a list item, web addresses (http:// or https://) become links.";
    NtAttachments => "Pièces jointes", "Attachments";
    NtFilesAtMost => "fichiers au plus", "files at most";
    NtEachAtMost => "au plus par fichier", "at most per file";
    NtPasteHint => "Vous pouvez aussi coller une capture d'écran dans la description\u{a0}: elle est ajoutée aux pièces jointes.", "You may also paste a screenshot into the description: it is added to the attachments.";
    NtMegabytes => "Mo", "MB";
    NtKilobytes => "Ko", "KB";
    NtNoProduct => "Aucun en particulier", "None in particular";
    NtPhoneHint => "Si l'assistance ne peut pas vous joindre au numéro habituel.", "If support cannot reach you on your usual number.";
    NtAssetHint => "Facultatif\u{a0}: le numéro de l'ordinateur ou du matériel, si vous le connaissez.", "Optional: the number of the computer or equipment, if you know it.";
    NtSubmit => "Envoyer la demande", "Send the ticket";
    NtSubjectRequired => "Saisissez l'objet de votre demande.", "Type the subject of your ticket.";
    NtCharactersAtMost => "caractères au plus", "characters at most";
    NtDescriptionRequired => "Décrivez votre problème.", "Describe your problem.";
    NtRequesterRequired => "Choisissez le membre pour qui vous ouvrez cette demande.", "Choose the member this ticket is for.";
    NtInvalidChoice => "ce choix n'existe pas", "this choice does not exist";
    NtFilesNotKept => "Les fichiers joints n'ont pas été gardés\u{a0}: choisissez-les à nouveau.", "The attached files were not kept: choose them again.";
    NtAlreadySent => "Ce formulaire a déjà servi à ouvrir une demande avec un autre contenu. Vérifiez vos demandes\u{a0}; pour en ouvrir une nouvelle, envoyez ce formulaire à nouveau.", "This form already opened a ticket with other content. Check your tickets; to open a new one, send this form again.";
    NtGoToField => "Aller au champ", "Go to the field";

    // Administration (pages/admin).
    AdmBreadcrumb => "Fil d'Ariane de l'administration", "Administration breadcrumb";
    AdmActions => "Actions", "Actions";
    AdmActive => "Actif", "Active";
    AdmActiveCategory => "Active (peut être choisie pour une nouvelle demande)", "Active (may be chosen for a new ticket)";
    AdmActiveProduct => "Actif (peut être choisi pour une nouvelle demande)", "Active (may be chosen for a new ticket)";
    AdmActiveStaff => "Actif (peut agir et recevoir des demandes)", "Active (may act and be assigned tickets)";
    AdmAdd => "Ajouter", "Add";
    AdmAddMember => "Ajouter un membre", "Add a member";
    AdmAddMemberHelp => "L'identifiant est celui de la personne dans votre application (son login).", "The login is the person's id in your application.";
    AdmAddStaff => "Ajouter un membre de l'équipe d'assistance", "Add a support staff member";
    AdmAdminister => "Administrer", "Administer";
    AdmAlreadyExists => "Cela existe déjà\u{a0}: choisissez un autre identifiant.", "This already exists: choose another id.";
    AdmApprovalWindow => "Délai de validation automatique d'une clôture (jours)", "Days before a proposed closure is approved automatically";
    AdmArchiveDelay => "Délai avant archivage des demandes terminées (jours)", "Days before finished tickets are archived";
    AdmArticles => "Base de connaissances", "Knowledge base";
    AdmArticlesHelp => "Les articles de la FAQ, proposés pendant la saisie d'une demande.", "FAQ articles, suggested while a ticket is typed.";
    AdmBlock => "Bloquer", "Block";
    AdmBlocked => "Bloqué", "Blocked";
    AdmBody => "Texte", "Text";
    AdmBodyHelp => "Texte ou HTML simple (paragraphes, listes, liens).", "Text or simple HTML (paragraphs, lists, links).";
    AdmCancel => "Annuler", "Cancel";
    AdmCategories => "Catégories", "Categories";
    AdmCategoriesHelp => "L'arbre des catégories et le groupe qui traite chacune.", "The category tree and the group that handles each.";
    AdmChangeRole => "Changer le rôle", "Change the role";
    AdmChooseTenant => "Choisissez le client à administrer\u{a0}:", "Choose the client to administer:";
    AdmClosureMode => "Mode de clôture", "Closure mode";
    AdmCode => "Code", "Code";
    AdmDefaultLanguage => "Langue par défaut", "Default language";
    AdmDirect => "Clôture directe par l'équipe d'assistance", "Direct closure by support staff";
    AdmDisplayName => "Nom affiché", "Display name";
    AdmEdit => "Modifier", "Edit";
    AdmEditArticle => "Modifier l'article", "Edit the article";
    AdmEditCategory => "Modifier la catégorie", "Edit the category";
    AdmEditProduct => "Modifier le produit", "Edit the product";
    AdmEditStaff => "Modifier le membre de l'équipe", "Edit the staff member";
    AdmEmail => "Adresse e-mail", "Email address";
    AdmEnglish => "Anglais", "English";
    AdmFrench => "Français", "French";
    AdmGroups => "Groupes", "Groups";
    AdmInactive => "Inactive", "Inactive";
    AdmInherited => "Celui de la catégorie parente", "The parent category's";
    AdmKey => "Clé (identifiant stable de la question)", "Key (stable id of the question)";
    AdmKind => "Type de réponse", "Kind of answer";
    AdmKindChoice => "Choix dans une liste", "Choice from a list";
    AdmKindScore => "Note", "Score";
    AdmKindText => "Commentaire libre", "Free comment";
    AdmLabel => "Libellé", "Label";
    AdmLogin => "Identifiant", "Login";
    AdmMax => "Note maximale", "Highest score";
    AdmMembers => "Membres", "Members";
    AdmMembersHelp => "Les personnes du client\u{a0}: rôle, blocage, ajout.", "The client's people: role, blocking, adding.";
    AdmMin => "Note minimale", "Lowest score";
    AdmName => "Nom", "Name";
    AdmNewArticle => "Nouvel article", "New article";
    AdmNewArticleHelp => "Un nouvel article est publié\u{a0}: vous pourrez le dépublier en le modifiant.", "A new article is published: you may unpublish it by editing it.";
    AdmNewCategory => "Nouvelle catégorie", "New category";
    AdmNewGroup => "Nouveau groupe", "New group";
    AdmNewProduct => "Nouveau produit", "New product";
    AdmNewTenant => "Nouveau client", "New client";
    AdmNo => "Non", "No";
    AdmNoTenantInView => "Aucun client n'est choisi\u{a0}: les écrans propres à un client s'ouvrent depuis la liste des clients.", "No client is chosen: the screens of a client open from the list of clients.";
    AdmNone => "Aucun pour l'instant.", "None yet.";
    AdmNothingChanged => "Rien n'a été modifié\u{a0}; ce que vous avez saisi est conservé ci-dessous.", "Nothing was changed; what you typed is kept below.";
    AdmOptions => "Options (séparées par des virgules)", "Options (comma-separated)";
    AdmOptionsHelp => "Pour un choix dans une liste seulement.", "For a choice from a list only.";
    AdmOwnAndInvited => "Leurs demandes et celles où ils sont invités", "Their own tickets and those they are invited to";
    AdmParent => "Catégorie parente", "Parent category";
    AdmProducts => "Produits", "Products";
    AdmProductsHelp => "Les produits ou contrats sur lesquels portent les demandes.", "The products or contracts tickets are about.";
    AdmPublished => "Publié", "Published";
    AdmPublishedHelp => "Publié (proposé aux demandeurs)", "Published (suggested to requesters)";
    AdmQuestion => "Question", "Question";
    AdmQuestionRemoveHelp => "Videz la clé et le libellé d'une question pour la retirer\u{a0}; remplissez la dernière pour en ajouter une.", "Empty a question's key and wording to remove it; fill in the last one to add one.";
    AdmQuestionnaire => "Questionnaire de clôture", "Closure questionnaire";
    AdmQuestionnaireElsewhere => "Le questionnaire de clôture se règle sur son propre écran\u{a0}:", "The closure questionnaire has its own screen:";
    AdmQuestionnaireHelp => "Les questions posées au demandeur quand il valide une clôture.", "The questions asked when a requester approves a closure.";
    AdmQuestionnaireIntro => "Ces questions sont posées au demandeur quand il valide la clôture d'une demande.", "These questions are asked when a requester approves the closure of a ticket.";
    AdmQuestions => "Questions", "Questions";
    AdmReadOnly => "Vous pouvez consulter cet écran mais pas le modifier.", "You may read this screen but not change it.";
    AdmRename => "Renommer", "Rename";
    AdmReopenWindow => "Délai pendant lequel le demandeur peut rouvrir (jours)", "Days during which the requester may reopen";
    AdmRequesterVisibility => "Ce que voient les demandeurs", "What requesters see";
    AdmRequired => "Réponse obligatoire", "Answer required";
    AdmRole => "Rôle", "Role";
    AdmRoutingGroup => "Groupe qui traite les demandes", "Group that handles the tickets";
    AdmRoutingHelp => "Les demandes de cette catégorie vont à ce groupe\u{a0}; sans groupe, à celui de la catégorie parente.", "Tickets of this category go to this group; without one, to the parent category's.";
    AdmSave => "Enregistrer", "Save";
    AdmSaved => "C'est enregistré.", "Saved.";
    AdmSettings => "Paramètres du client", "Client settings";
    AdmSettingsHelp => "Libellés des statuts, délais, visibilité, clôture, langue.", "Status labels, time limits, visibility, closure, language.";
    AdmSlug => "Identifiant court", "Short id";
    AdmSlugHelp => "Lettres minuscules, chiffres et tirets (1 à 63).", "Lower-case letters, digits and dashes (1 to 63).";
    AdmStaff => "Équipe d'assistance", "Support staff";
    AdmStaffAndGroups => "Équipe et groupes", "Staff and groups";
    AdmStaffHelp => "Les intervenants, superviseurs et administrateurs, et leurs groupes.", "Agents, supervisors and administrators, and their groups.";
    AdmStale => "Quelqu'un d'autre a modifié cette fiche entre-temps. Relisez-la\u{a0}: votre saisie est conservée ci-dessous, enregistrez à nouveau pour l'appliquer.", "Someone else changed this record in the meantime. Read it again: what you typed is kept below; save again to apply it.";
    AdmStatusLabels => "Libellés des statuts", "Status labels";
    AdmStatusLabelsHelp => "Le nom de chaque statut tel que vos utilisateurs le voient, en français et en anglais.", "Each status's name as your users see it, in French and in English.";
    AdmSupervisorAddsAgents => "Un superviseur ajoute des intervenants pour les clients qu'il sert.", "A supervisor adds agents for the clients they serve.";
    AdmTenantName => "Nom du client", "Client name";
    AdmTenants => "Clients servis", "Clients served";
    AdmTenantsHelp => "Les clients de la plateforme.", "The platform's clients.";
    AdmTenantsTitle => "Clients", "Clients";
    AdmTitle => "Titre", "Title";
    AdmTopLevel => "Aucune (premier niveau)", "None (top level)";
    AdmTwoStep => "En deux temps\u{a0}: l'équipe propose, le demandeur valide", "Two steps: staff propose, the requester approves";
    AdmUnblock => "Débloquer", "Unblock";
    AdmWholeDays => "un nombre entier de jours", "a whole number of days";
    AdmWholeTenant => "Aussi toutes les demandes du client, en lecture seule", "Also every ticket of the client, read-only";
    AdmWindows => "Délais", "Time limits";
    AdmWording => "Libellé de la question", "Wording of the question";
    AdmYes => "Oui", "Yes";
    AdmSearchMembers => "Rechercher (nom, identifiant, e-mail)", "Search (name, login, email)";
    AdmMembersCount => "membres", "members";
    AdmMembersMore => "les premiers seulement\u{a0}: précisez la recherche", "the first ones only: narrow the search";
    AdmCustomFields => "Champs complémentaires du formulaire de demande", "Additional fields of the request form";
    AdmCustomFieldsHelp => "Questions posées en plus à l'ouverture d'une demande. Cochez «\u{a0}Retirer ce champ\u{a0}» pour en supprimer un\u{a0}; remplissez la dernière ligne pour en ajouter un.", "Extra questions asked when a ticket is opened. Tick “Remove this field” to delete one; fill in the last row to add one.";
    AdmCustomField => "Champ", "Field";
    AdmFieldKey => "Clé (identifiant stable\u{a0}: minuscules, chiffres, - et _)", "Key (stable id: lower-case letters, digits, - and _)";
    AdmLabelFr => "Libellé en français", "Label in French";
    AdmLabelEn => "Libellé en anglais", "Label in English";
    AdmFieldRequired => "Obligatoire à l'ouverture", "Required when opening";
    AdmRemoveField => "Retirer ce champ", "Remove this field";

    // The profile page (pages/profile.rs).
    ProfHostOwns => "Votre nom, votre adresse e-mail et votre rôle viennent de votre compte dans l'application\u{a0}: ils y sont mis à jour et repris ici à chaque visite.", "Your name, email address and role come from your account in the application: they are updated there and copied here on every visit.";
    ProfIdentity => "Vos informations", "Your details";
    ProfLanguageChoice => "Langue des pages", "Language of the pages";
    ProfLanguageAuto => "Celle de mon navigateur, sinon celle du client", "My browser's, else the client's";
    ProfLanguageHelp => "Ce choix vous suit sur tous vos appareils\u{a0}; ce navigateur le garde aussi pendant un an.", "This choice follows you on every device; this browser keeps it for a year too.";
    ProfLanguageName => "Français", "English";
    ProfSaved => "Votre choix est enregistré.", "Your choice is saved.";
    ProfNotifications => "Notifications par e-mail", "Email notifications";
    ProfNotificationsChoice => "Me prévenir quand…", "Tell me when…";
    ProfNotificationsHelp => "Vous n'êtes jamais prévenu de vos propres actions. Décocher un sujet vous retire des messages qui en parlent, sur toutes les demandes.", "You are never told about your own actions. Unticking a topic leaves you out of the messages about it, on every ticket.";
    ProfNoEmail => "Aucune adresse e-mail n'est connue pour vous\u{a0}: l'application ne vous écrit pas.", "No email address is known for you: the application does not write to you.";
    TopicOpened => "une demande est ouverte", "a ticket is opened";
    TopicReplies => "une réponse est publiée", "a reply is posted";
    TopicNotes => "une note interne est ajoutée", "an internal note is added";
    TopicInformationRequests => "un complément d'information est demandé", "more information is asked for";
    TopicClosure => "une clôture est proposée, validée ou refusée", "a closure is proposed, approved or refused";
    TopicCancelAndReopen => "une demande est annulée ou rouverte", "a ticket is cancelled or reopened";
    TopicAssignment => "une demande change de gestionnaire, de catégorie ou de demandeur", "a ticket changes assignee, category or requester";
    TopicChanges => "une demande est modifiée ou un invité ajouté", "a ticket is edited or a guest invited";
    TopicEscalations => "un délai de traitement est dépassé", "a service-level target is breached";

    // Errors.
    ErrorTitle => "La demande n'a pas abouti", "That did not work";
    BackHome => "Retour à l'accueil", "Back to home";
    NotFound => "Cette page ou cette demande n'existe pas, ou vous n'y avez pas accès.", "This page or ticket does not exist, or you may not see it.";
    Forbidden => "Vous n'avez pas le droit de faire cela.", "You are not allowed to do that.";
    InvalidInput => "Un champ n'est pas valable\u{a0}:", "A field is not valid:";
    Conflict => "Quelqu'un d'autre a modifié cette demande entre-temps. Relisez-la\u{a0}: votre texte a été conservé ci-dessous.", "Someone else changed this ticket in the meantime. Read it again: what you typed is kept below.";
    InvalidTransition => "Cette action n'est pas possible dans l'état actuel de la demande.", "This action is not possible in the ticket's current state.";
    TooLarge => "Le fichier est trop volumineux.", "The file is too large.";
    TextTooLong => "Le texte envoyé est trop long (256 Kio au plus)\u{a0}: raccourcissez-le ou joignez-le en fichier.", "The text sent is too long (256 KiB at most): shorten it or attach it as a file.";
    TooManyRequests => "Trop de demandes en peu de temps\u{a0}: réessayez dans un instant.", "Too many requests in a short time: try again in a moment.";
    Unavailable => "Le service est momentanément indisponible\u{a0}: réessayez dans un instant.", "The service is unavailable for a moment: try again shortly.";
    InternalError => "Une erreur s'est produite de notre côté. Elle a été enregistrée.", "Something went wrong on our side. It has been logged.";
    CsrfRefused => "Ce formulaire a expiré ou ne vient pas de cette page. Rechargez la page et recommencez.", "This form has expired or did not come from this page. Reload the page and try again.";
    CrossSite => "Cette action venait d'un autre site\u{a0}: elle a été refusée.", "This action came from another site: it was refused.";
    NotLoggedIn => "Vous n'êtes pas connecté.", "You are not logged in.";
    BadRequest => "La demande envoyée n'est pas valable.", "The request sent is not valid.";
    ReasonAccountBlocked => "Ce compte est bloqué.", "This account is blocked.";
    ReasonStaffOnly => "Seule l'équipe d'assistance peut faire cela.", "Only support staff may do this.";
    ReasonRoleRequired => "Votre rôle ne le permet pas.", "Your role does not allow this.";
    ReasonReadOnly => "Vous pouvez lire cette demande mais pas la modifier.", "You may read this ticket but not change it.";
    ReasonNotTheRequester => "Seul le demandeur ou un administrateur du client peut faire cela.", "Only the requester or a client administrator may do this.";
    ReasonTicketAlreadyTaken => "La demande est déjà prise en charge\u{a0}: seule l'équipe d'assistance peut la modifier.", "The ticket is already being handled: only support staff may change it now.";
    ReasonReopenWindowPassed => "Le délai pour rouvrir cette demande est dépassé.", "The time to reopen this ticket has passed.";
    ReasonOtherTenant => "Cela appartient à un autre client.", "This belongs to another client.";
    ReasonRequired => "ne doit pas être vide.", "must not be empty.";
    ReasonTooLong => "ne doit pas dépasser {max} caractères.", "must be at most {max} characters.";
    ReasonTooLarge => "ne doit pas dépasser {max_bytes} octets.", "must be at most {max_bytes} bytes.";
    ReasonControlCharacters => "ne doit pas contenir de caractères de contrôle ni de mise en forme invisible.", "must not contain control or invisible formatting characters.";
    ReasonNotVisible => "doit contenir du texte visible.", "must contain visible text.";
    ReasonInvalidFormat => "n'a pas la forme attendue.", "is not in the expected form.";
    ReasonOutOfRange => "doit être compris entre {min} et {max}.", "must be between {min} and {max}.";
    ReasonUnknownValue => "n'est pas une valeur possible.", "is not one of the values allowed.";
    ReasonUnknownReference => "ne correspond à rien de connu ici.", "names nothing known here.";
    ReasonInactive => "n'est plus utilisable (retiré ou bloqué).", "can no longer be used (retired or blocked).";
    ReasonDuplicate => "est déjà présent.", "is already there.";
    RequestReference => "Référence de la requête", "Request reference";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_heaviest_language_we_speak() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("de-DE, en;q=0.5, fr;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de, es"), None);
        assert_eq!(
            Lang::from_accept_language("fr;q=0, en;q=0.1"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn counts_group_thousands_as_the_language_does() {
        assert_eq!(Lang::En.count(0), "0");
        assert_eq!(Lang::En.count(999), "999");
        assert_eq!(Lang::En.count(1_000), "1,000");
        assert_eq!(Lang::En.count(1_234_567), "1,234,567");
        assert_eq!(Lang::Fr.count(1_000), "1\u{202F}000");
        assert_eq!(Lang::Fr.count(12), "12");
    }

    #[test]
    fn dates_follow_the_language() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T14:05:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(Lang::Fr.datetime(at), "30/11/2026 14:05");
        assert_eq!(Lang::En.date(at), "2026-11-30");
    }

    #[test]
    fn a_moment_is_a_time_element_in_utc_with_its_marker() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T14:05:09+00:00")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(
            Lang::Fr.time(at).into_string(),
            r#"<time datetime="2026-11-30T14:05:09Z">30/11/2026 14:05 UTC</time>"#
        );
        assert_eq!(
            Lang::En.time(at).into_string(),
            r#"<time datetime="2026-11-30T14:05:09Z">2026-11-30 14:05 UTC</time>"#
        );
    }

    #[test]
    fn the_colon_is_spaced_in_french_only() {
        assert_eq!(Lang::Fr.labelled("Réponses", "1"), "Réponses\u{a0}: 1");
        assert_eq!(Lang::En.labelled("Answers", "1"), "Answers: 1");
        assert!(Msg::InvalidInput.text(Lang::Fr).ends_with("\u{a0}:"));
        assert!(Msg::InvalidInput.text(Lang::En).ends_with("d:"));
    }
}
