package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"ombc-cds/cdshooks"
)

// benchHarnesses returns SQLite and, when OMBC_TEST_POSTGRES_DSN is set,
// PostgreSQL.
func benchHarnesses() []harness {
	hs := []harness{sqliteHarness()}
	if dsn := os.Getenv(postgresDSNEnv); dsn != "" {
		hs = append(hs, postgresHarness(dsn))
	}
	return hs
}

// BenchmarkSeen measures one replay-cache check of a fresh jti, as every
// authenticated hook call makes.
func BenchmarkSeen(b *testing.B) {
	for _, h := range benchHarnesses() {
		b.Run(h.name, func(b *testing.B) {
			s := newStore(b, h)
			ctx := context.Background()
			exp := time.Now().Add(time.Hour)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if seen, err := s.Seen(ctx, fmt.Sprintf("jti-%d", i), exp); err != nil || seen {
					b.Fatalf("Seen = %v, %v", seen, err)
				}
			}
		})
	}
}

// BenchmarkSaveIssued records the cards of one typical hook response (four
// cards, two with suggestions). "hook" is what the hook waits for: the
// queue is flushed every 64 calls with the timer stopped, so it never
// fills. "throughput" calls SaveIssued back to back and includes writing
// everything queued, so it is bound by the database (and exercises the
// back-pressure path once the queue is full).
func BenchmarkSaveIssued(b *testing.B) {
	for _, h := range benchHarnesses() {
		for _, mode := range []string{"hook", "throughput"} {
			b.Run(h.name+"/"+mode, func(b *testing.B) {
				s := newStore(b, h)
				ctx := context.Background()
				issued := time.Now()
				rules := []string{"tumor-board", "staging-imaging", "receptor-status", "biopsy-metastasis"}
				cards := make([]cdshooks.IssuedCard, len(rules))
				b.ReportAllocs()
				b.ResetTimer()
				// A b.N loop rather than b.Loop, whose end stops the timer
				// before the final flush of "throughput".
				for i := 1; i <= b.N; i++ {
					hook := fmt.Sprintf("hook-%d", i)
					for j, rule := range rules {
						cards[j] = cdshooks.IssuedCard{HookInstance: hook, ServiceID: "ombc-patient-view",
							CardUUID: fmt.Sprintf("%s-card-%d", hook, j), RuleCode: rule, Issued: issued}
						if j%2 == 0 {
							cards[j].Suggestions = []string{cards[j].CardUUID + "-s1"}
						}
					}
					if err := s.SaveIssued(ctx, cards); err != nil {
						b.Fatalf("SaveIssued: %v", err)
					}
					if mode == "hook" && i%64 == 0 {
						b.StopTimer()
						flushForBench(b, s)
						b.StartTimer()
					}
				}
				if mode == "throughput" {
					flushForBench(b, s)
				}
			})
		}
	}
}

// flushForBench writes whatever the store still queues, when it queues.
func flushForBench(b *testing.B, s Store) {
	if f, ok := s.(interface{ flushIssued(context.Context) error }); ok {
		if err := f.flushIssued(context.Background()); err != nil {
			b.Fatalf("flush: %v", err)
		}
	}
}
