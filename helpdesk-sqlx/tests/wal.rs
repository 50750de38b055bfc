//! SQLite: the store writes tickets through a connection of its own; its checkpoints
//! must keep the WAL bounded however many tickets are written (a writer left without
//! them would grow the WAL by about 30 pages a ticket, forever).
#![cfg(feature = "sqlite")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;

use helpdesk_core::NewTicket;
use support::{SqliteFile, World};

async fn open_tickets(world: &World, n: usize) {
    for i in 0..n {
        let draft = NewTicket {
            subject: format!("Imprimante du bureau {i} en panne"),
            description: "<p>Plus rien ne sort depuis ce matin.</p>".into(),
            ..Default::default()
        };
        world
            .service
            .open(&world.requester, world.tenant.id, draft, Vec::new())
            .await
            .unwrap();
    }
}

fn wal_bytes(file: &SqliteFile) -> u64 {
    std::fs::metadata(file.dir.path().join("helpdesk.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_wal_stops_growing_as_tickets_are_opened() {
    let file = SqliteFile::new().await;
    let store = Arc::new(file.store().await);
    let world = World::new(store).await;

    open_tickets(&world, 150).await;
    let after_150 = wal_bytes(&file);
    open_tickets(&world, 450).await;
    let after_600 = wal_bytes(&file);
    assert!(after_150 > 0, "the file is in WAL mode");
    // Without checkpoints the WAL would hold every page written: four times as much.
    assert!(
        after_600 < after_150 * 2,
        "the WAL grew from {after_150} bytes after 150 tickets to {after_600} after 600"
    );
}
