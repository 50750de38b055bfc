-- The helpdesk schema on PostgreSQL.
--
-- Every table a tenant owns carries tenant_id, its primary key leads with it, and so does
-- every index a tenant's query uses, so the tables can later be distributed by tenant_id
-- (Citus, say) without a redesign. Staff and groups serve many tenants and have no
-- tenant_id (reference tables in a distributed setup).
-- Instants are BIGINT nanoseconds since the Unix epoch: read back exactly as written.
-- Names the store sorts by use the "C" collation: byte order, as the reference store.

CREATE TABLE helpdesk_tenants (
    id UUID PRIMARY KEY,
    slug TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT NOT NULL,
    settings JSONB NOT NULL,
    archive_delay_ns BIGINT NOT NULL,
    score_key TEXT COLLATE "C"
);

CREATE TABLE helpdesk_tenant_choice_questions (
    tenant_id UUID NOT NULL REFERENCES helpdesk_tenants (id),
    question_key TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, question_key)
);

CREATE TABLE helpdesk_ticket_counters (
    tenant_id UUID PRIMARY KEY,
    last_number BIGINT NOT NULL
);

CREATE TABLE helpdesk_members (
    tenant_id UUID NOT NULL REFERENCES helpdesk_tenants (id),
    id UUID NOT NULL,
    user_id TEXT NOT NULL,
    display_name TEXT COLLATE "C" NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    blocked BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id)
);
CREATE INDEX helpdesk_members_by_name ON helpdesk_members (tenant_id, display_name, id);

CREATE TABLE helpdesk_staff (
    id UUID PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    display_name TEXT COLLATE "C" NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    tenants JSONB NOT NULL,
    group_ids JSONB NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE INDEX helpdesk_staff_by_name ON helpdesk_staff (display_name, id);

CREATE TABLE helpdesk_groups (
    id UUID PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL
);
CREATE INDEX helpdesk_groups_by_name ON helpdesk_groups (name, id);

CREATE TABLE helpdesk_categories (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    parent_id UUID,
    name TEXT COLLATE "C" NOT NULL,
    group_id UUID,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX helpdesk_categories_by_name ON helpdesk_categories (tenant_id, name, id);

CREATE TABLE helpdesk_products (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    code TEXT,
    name TEXT COLLATE "C" NOT NULL,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX helpdesk_products_by_name ON helpdesk_products (tenant_id, name, id);

CREATE TABLE helpdesk_tickets (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    number BIGINT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    category_id UUID,
    product_id UUID,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    state JSONB NOT NULL,
    proposed_at BIGINT,
    ended_at BIGINT,
    approved BOOLEAN NOT NULL,
    requester_id UUID NOT NULL,
    assignee_id UUID,
    group_id UUID,
    guests JSONB NOT NULL,
    contact_phone TEXT,
    asset TEXT,
    custom_fields JSONB NOT NULL,
    opened_by_kind TEXT NOT NULL,
    opened_by_id UUID,
    created_at BIGINT NOT NULL,
    created_month BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    -- Full text: words folded in Rust, stored as lexemes by array_to_tsvector (no parser,
    -- no dictionary), so the index holds exactly the words the reference search matches.
    search_head TSVECTOR NOT NULL DEFAULT ''::tsvector,
    search_public TSVECTOR NOT NULL DEFAULT ''::tsvector,
    search_internal TSVECTOR NOT NULL DEFAULT ''::tsvector,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number)
);
CREATE INDEX helpdesk_tickets_by_id ON helpdesk_tickets (id);
CREATE INDEX helpdesk_tickets_newest ON helpdesk_tickets (tenant_id, created_at DESC, id DESC);
CREATE INDEX helpdesk_tickets_by_status ON helpdesk_tickets (tenant_id, status, proposed_at);
CREATE INDEX helpdesk_tickets_by_requester ON helpdesk_tickets (tenant_id, requester_id);
CREATE INDEX helpdesk_tickets_by_assignee ON helpdesk_tickets (tenant_id, assignee_id);
CREATE INDEX helpdesk_tickets_by_group ON helpdesk_tickets (tenant_id, group_id);
CREATE INDEX helpdesk_tickets_by_month ON helpdesk_tickets (tenant_id, created_month);
CREATE INDEX helpdesk_tickets_text_public ON helpdesk_tickets
    USING GIN ((search_head || search_public));
CREATE INDEX helpdesk_tickets_text_all ON helpdesk_tickets
    USING GIN ((search_head || search_public || search_internal));

CREATE TABLE helpdesk_ticket_guests (
    tenant_id UUID NOT NULL,
    ticket_id UUID NOT NULL,
    member_id UUID NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, member_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);
CREATE INDEX helpdesk_ticket_guests_by_member ON helpdesk_ticket_guests (tenant_id, member_id);

CREATE TABLE helpdesk_events (
    tenant_id UUID NOT NULL,
    ticket_id UUID NOT NULL,
    position BIGINT NOT NULL,
    id UUID NOT NULL,
    at BIGINT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id UUID,
    status_from TEXT,
    status_to TEXT,
    kind TEXT NOT NULL,
    visibility TEXT NOT NULL,
    payload JSONB NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, position),
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);

CREATE TABLE helpdesk_attachments (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    ticket_id UUID NOT NULL,
    event_id UUID NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by_kind TEXT NOT NULL,
    uploaded_by_id UUID,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);
CREATE INDEX helpdesk_attachments_by_id ON helpdesk_attachments (id);
CREATE INDEX helpdesk_attachments_by_ticket ON helpdesk_attachments (tenant_id, ticket_id, created_at, id);

CREATE TABLE helpdesk_outbox (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    ticket_id UUID NOT NULL,
    event_id UUID NOT NULL,
    recipients JSONB NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);
CREATE INDEX helpdesk_outbox_by_id ON helpdesk_outbox (id);
CREATE INDEX helpdesk_outbox_due ON helpdesk_outbox (next_attempt_at, created_at, id);

CREATE TABLE helpdesk_closure_answers (
    tenant_id UUID NOT NULL,
    ticket_id UUID NOT NULL,
    question_key TEXT COLLATE "C" NOT NULL,
    score BIGINT,
    choice TEXT COLLATE "C",
    PRIMARY KEY (tenant_id, ticket_id, question_key),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES helpdesk_tickets (tenant_id, id)
);

CREATE TABLE helpdesk_saved_searches (
    id UUID PRIMARY KEY,
    tenant_id UUID,
    owner TEXT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    criteria JSONB NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX helpdesk_saved_searches_by_owner ON helpdesk_saved_searches (tenant_id, owner, name, id);

CREATE TABLE helpdesk_articles (
    tenant_id UUID NOT NULL,
    id UUID NOT NULL,
    category_id UUID,
    title TEXT COLLATE "C" NOT NULL,
    body TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX helpdesk_articles_by_title ON helpdesk_articles (tenant_id, title, id);
