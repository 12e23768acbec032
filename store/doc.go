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
// No patient data is stored: feedback and issued cards carry card and
// suggestion identifiers, rule codes, override reasons and free-text comments
// written by clinicians about the card.
package store
