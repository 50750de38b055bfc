//! The storage conformance suite on the in-memory store: the reference every other
//! store is held to.

use std::sync::Arc;

use helpdesk_core::memory::MemoryStore;

helpdesk_core::store_conformance_tests!(async { Arc::new(MemoryStore::new()) });
