-- The helpdesk schema on SQLite.
--
-- Every table a tenant owns carries tenant_id, and every index a tenant's query uses
-- leads with it, so the data can later be sharded by tenant without a redesign. Staff and
-- groups serve many tenants and have no tenant_id (reference tables in a sharded setup).
-- Instants are INTEGER nanoseconds since the Unix epoch; ids are 16-byte UUID blobs.

CREATE TABLE helpdesk_tenants (
    id BLOB PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,              -- TenantSettings, JSON
    archive_delay_ns INTEGER NOT NULL,   -- from settings: searches filter on it
    score_key TEXT                       -- from settings: the score the dashboard averages
);

-- From settings: the choice questions whose answers the dashboard counts.
CREATE TABLE helpdesk_tenant_choice_questions (
    tenant_id BLOB NOT NULL REFERENCES helpdesk_tenants (id),
    question_key TEXT NOT NULL,
    PRIMARY KEY (tenant_id, question_key)
);

-- The last ticket number handed out per tenant, bumped in the ticket's transaction.
CREATE TABLE helpdesk_ticket_counters (
    tenant_id BLOB PRIMARY KEY NOT NULL,
    last_number INTEGER NOT NULL
);

CREATE TABLE helpdesk_members (
    tenant_id BLOB NOT NULL REFERENCES helpdesk_tenants (id),
    id BLOB NOT NULL,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    blocked INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id)
);
CREATE INDEX helpdesk_members_by_name ON helpdesk_members (tenant_id, display_name, id);

CREATE TABLE helpdesk_staff (
    id BLOB PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    tenants TEXT NOT NULL,               -- TenantScope, JSON
    group_ids TEXT NOT NULL,             -- JSON array
    active INTEGER NOT NULL
);
CREATE INDEX helpdesk_staff_by_name ON helpdesk_staff (display_name, id);

CREATE TABLE helpdesk_groups (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX helpdesk_groups_by_name ON helpdesk_groups (name, id);

CREATE TABLE helpdesk_categories (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    parent_id BLOB,
    name TEXT NOT NULL,
    group_id BLOB,
    active INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX helpdesk_categories_by_name ON helpdesk_categories (tenant_id, name, id);

CREATE TABLE helpdesk_products (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    code TEXT,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX helpdesk_products_by_name ON helpdesk_products (tenant_id, name, id);

CREATE TABLE helpdesk_tickets (
    seq INTEGER PRIMARY KEY,             -- SQLite only: the stable rowid the FTS index points at
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    number INTEGER NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,           -- sanitised HTML
    category_id BLOB,
    product_id BLOB,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,                 -- TicketState with its data, JSON
    proposed_at INTEGER,                 -- from state: pending closures
    ended_at INTEGER,                    -- from state: closed or cancelled, for archiving
    approved INTEGER NOT NULL,           -- from state: closure approved with answers
    requester_id BLOB NOT NULL,
    assignee_id BLOB,
    group_id BLOB,
    guests TEXT NOT NULL,                -- JSON array, in invitation order
    contact_phone TEXT,
    asset TEXT,
    custom_fields TEXT NOT NULL,         -- JSON object
    opened_by_kind TEXT NOT NULL,
    opened_by_id BLOB,
    created_at INTEGER NOT NULL,
    created_month INTEGER NOT NULL,      -- year * 12 + month - 1, for monthly series
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, number)
);
-- ticket(id) and the timeline of a ticket are the port's only lookups without a tenant.
CREATE INDEX helpdesk_tickets_by_id ON helpdesk_tickets (id);
CREATE INDEX helpdesk_tickets_newest ON helpdesk_tickets (tenant_id, created_at DESC, id DESC);
CREATE INDEX helpdesk_tickets_by_status ON helpdesk_tickets (tenant_id, status, proposed_at);
CREATE INDEX helpdesk_tickets_by_requester ON helpdesk_tickets (tenant_id, requester_id);
CREATE INDEX helpdesk_tickets_by_assignee ON helpdesk_tickets (tenant_id, assignee_id);
CREATE INDEX helpdesk_tickets_by_group ON helpdesk_tickets (tenant_id, group_id);
CREATE INDEX helpdesk_tickets_by_month ON helpdesk_tickets (tenant_id, created_month);

-- Who is invited to which ticket: what requester visibility joins on.
CREATE TABLE helpdesk_ticket_guests (
    tenant_id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    member_id BLOB NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, member_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);
CREATE INDEX helpdesk_ticket_guests_by_member ON helpdesk_ticket_guests (tenant_id, member_id);

CREATE TABLE helpdesk_events (
    tenant_id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    position INTEGER NOT NULL,           -- order within the ticket's timeline
    id BLOB NOT NULL,
    at INTEGER NOT NULL,
    author_kind TEXT NOT NULL,
    author_id BLOB,
    status_from TEXT,
    status_to TEXT,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    payload TEXT NOT NULL,               -- EventKind, JSON
    PRIMARY KEY (tenant_id, ticket_id, position),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);

CREATE TABLE helpdesk_attachments (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    uploaded_by_kind TEXT NOT NULL,
    uploaded_by_id BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);
CREATE INDEX helpdesk_attachments_by_id ON helpdesk_attachments (id);
CREATE INDEX helpdesk_attachments_by_ticket ON helpdesk_attachments (tenant_id, ticket_id, created_at, id);

CREATE TABLE helpdesk_outbox (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    recipients TEXT NOT NULL,            -- JSON array
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);
-- The delivery worker polls across tenants.
CREATE INDEX helpdesk_outbox_by_id ON helpdesk_outbox (id);
CREATE INDEX helpdesk_outbox_due ON helpdesk_outbox (next_attempt_at, created_at, id);

-- The answers of approved closures, for the dashboard's averages and counts. Rewritten
-- on every save of the ticket: present exactly while it is closed with answers.
CREATE TABLE helpdesk_closure_answers (
    tenant_id BLOB NOT NULL,
    ticket_id BLOB NOT NULL,
    question_key TEXT NOT NULL,
    score INTEGER,
    choice TEXT,
    PRIMARY KEY (tenant_id, ticket_id, question_key),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);

CREATE TABLE helpdesk_saved_searches (
    id BLOB PRIMARY KEY NOT NULL,
    tenant_id BLOB,                      -- none for staff
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    criteria TEXT NOT NULL,              -- SearchCriteria, JSON
    created_at INTEGER NOT NULL
);
CREATE INDEX helpdesk_saved_searches_by_owner ON helpdesk_saved_searches (tenant_id, owner, name, id);

CREATE TABLE helpdesk_articles (
    tenant_id BLOB NOT NULL,
    id BLOB NOT NULL,
    category_id BLOB,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX helpdesk_articles_by_title ON helpdesk_articles (tenant_id, title, id);

-- Full text: one row per ticket, rowid = helpdesk_tickets.seq. The words are folded in
-- Rust (helpdesk_core::text::words) and separated by spaces; the `ascii` tokenizer splits
-- on those spaces only and leaves every non-ASCII letter alone, so the index holds
-- exactly the words the reference search matches against.
CREATE VIRTUAL TABLE helpdesk_ticket_text USING fts5 (
    tenant_id UNINDEXED,
    head,                                -- subject and description
    public,                              -- public event bodies
    internal,                            -- internal notes
    tokenize = 'ascii',
    detail = 'column'
);
