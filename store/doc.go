// Package store keeps what the service must never lose: CDS Hooks feedback,
// the cards that were issued (so feedback can be joined to what was shown),
// the JWT replay cache, and the analytics computed from them.
//
// Two implementations share one body of SQL: SQLite through the pure-Go
// modernc.org/sqlite driver (the embedded default, a file under the data
// directory, so CGO_ENABLED=0 builds keep working) and PostgreSQL through
// jackc/pgx/v5 for deployments with several replicas. Schema migrations are
// versioned and run on every Open; running them again, or from two processes
// at once, is harmless.
//
// Durability differs by table, because only feedback is a promise made to
// the client (the 200 of the feedback endpoint):
//
//   - feedback: durable when SaveFeedback returns. SQLite commits it with
//     synchronous=FULL (the WAL is fsynced), PostgreSQL with a synchronous
//     commit. It survives a process crash, an OS crash and a power cut.
//   - issued_cards: written behind the hook. SaveIssued queues the cards in
//     memory (at most 4096) and one goroutine per Store commits them in
//     batches every 50 ms or 256 cards; a full queue makes SaveIssued write
//     synchronously instead. RuleCode reads the queue first; Report,
//     PurgeFeedback and Close flush it. Queued cards are lost if the process
//     dies before a flush, and committed ones may be lost to an OS crash or
//     power cut: SQLite commits them with synchronous=NORMAL, PostgreSQL with
//     synchronous_commit off for those transactions. They only feed the
//     analytics and the rule code of feedback, which falls back to the code
//     sent with the feedback.
//   - replay on PostgreSQL: committed by one atomic statement before Seen
//     returns, so it holds across processes and replicas and survives a
//     process crash; the commit is synchronous.
//   - replay on SQLite: answered from memory and written behind Seen. The
//     unexpired keys are loaded from the replay table at Open and held in
//     a map that is authoritative for the process, so Seen costs no I/O;
//     new keys are committed in batches every 50 ms or 512 keys (65536 at
//     most queued, beyond which Seen writes synchronously) with
//     synchronous=NORMAL, and Close flushes them. A graceful shutdown
//     loses nothing. A key accepted in the last flush interval (about
//     50 ms) before a process crash is forgotten, so its token may be
//     accepted once more after the restart; an OS crash or power cut may
//     also forget the last committed keys. A token so replayed still has
//     to be unexpired, and the cache is a defence in depth, not the
//     token's only check. Because the set lives in one process, another
//     process opening the same SQLite file (a second instance, or a
//     replica on shared storage) is not a supported deployment for replay
//     protection: it would not see this process's keys. Replicas must use
//     PostgreSQL.
//
// SQLite keeps one file and two handles on it, one per synchronous level;
// in WAL mode a NORMAL commit is in the WAL (the OS page cache) when it
// returns, and the next FULL commit or checkpoint makes it durable too.
//
// No patient data is stored: feedback and issued cards carry card and
// suggestion identifiers, rule codes, override reasons and free-text comments
// written by clinicians about the card.
package store
