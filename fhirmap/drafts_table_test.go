package fhirmap

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"ombc-cds/logic"
)

// TestDraftMatchesMarshal checks that the precomputed drafts are
// byte-identical to json.Marshal of the draft types (marshalDraft) for every
// order, both kinds, and awkward patient ids.
func TestDraftMatchesMarshal(t *testing.T) {
	ids := []string{
		"p1", "example", "a-b.c", `quo"te`, `back\slash`, "<script>&amp;</script>",
		"tab\tnl\ncr\rbs\bff\f", "\x00\x01\x1f\x7f", "ünïcødé-患者", "line\u2028para\u2029",
		"bad\xffutf8\xc3", "emoji-😀", "Patient/x", "@ombc-cds-patient-id@", strings.Repeat("x", 300),
	}
	orders := append(draftOrders[:], "unknown-order", "")
	kinds := []logic.OrderKind{logic.ServiceRequest, logic.MedicationRequest, logic.OrderKind(99)}
	for _, code := range orders {
		for _, kind := range kinds {
			for _, id := range ids {
				o := logic.Order{Kind: kind, Code: code, Label: "label"}
				got, gotErr := Draft(o, id)
				want, wantErr := marshalDraft(o, id)
				if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
					t.Fatalf("Draft(%v, %q) error %v, want %v", o, id, gotErr, wantErr)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("Draft(%v, %q)\n got %s\nwant %s", o, id, got, want)
				}
			}
		}
	}
	if _, err := Draft(logic.Order{Kind: logic.ServiceRequest, Code: logic.OrderPETCT}, ""); err == nil {
		t.Error("empty patient id: want error")
	}
}

// TestDraftTableComplete checks that every listed order has exactly one
// precomputed draft, so none silently falls back to marshalDraft.
func TestDraftTableComplete(t *testing.T) {
	tab := draftTable()
	if len(tab) != len(draftOrders) {
		t.Fatalf("draft table has %d entries, want %d", len(tab), len(draftOrders))
	}
}

// TestDraftResultsIndependent checks that callers get fresh slices that do not
// alias the shared table, also under concurrent use.
func TestDraftResultsIndependent(t *testing.T) {
	o := logic.Order{Kind: logic.ServiceRequest, Code: logic.OrderPETCT}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := strings.Repeat("z", i+1)
			for range 100 {
				b, err := Draft(o, id)
				if err != nil {
					t.Error(err)
					return
				}
				want, _ := marshalDraft(o, id)
				if !bytes.Equal(b, want) {
					t.Errorf("got %s want %s", b, want)
					return
				}
				for j := range b {
					b[j] = 'X' // must not corrupt the table
				}
			}
		}()
	}
	wg.Wait()
	b, _ := Draft(o, "p")
	want, _ := marshalDraft(o, "p")
	if !bytes.Equal(b, want) {
		t.Errorf("table corrupted: %s", b)
	}
}

func FuzzDraftMatchesMarshal(f *testing.F) {
	f.Add("p1", 0)
	f.Add("<&>\"\\\u2028\xff", 10)
	f.Fuzz(func(t *testing.T, id string, n int) {
		if id == "" {
			return
		}
		code := draftOrders[uint(n)%uint(len(draftOrders))]
		for _, kind := range []logic.OrderKind{logic.ServiceRequest, logic.MedicationRequest} {
			o := logic.Order{Kind: kind, Code: code}
			got, gotErr := Draft(o, id)
			want, wantErr := marshalDraft(o, id)
			if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("Draft(%v, %q) = %s, %v; want %s, %v", o, id, got, gotErr, want, wantErr)
			}
		}
	})
}

func BenchmarkDraft(b *testing.B) {
	o := logic.Order{Kind: logic.MedicationRequest, Code: logic.OrderDenosumab}
	b.Run("table", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Draft(o, "patient-123"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := marshalDraft(o, "patient-123"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
