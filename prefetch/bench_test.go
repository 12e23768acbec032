package prefetch

import (
	"context"
	"encoding/json"
	"testing"

	"ombc-cds/fhirsearch"
	"ombc-cds/fixtures"
)

// typicalFixture is the request of issue 7's speed targets.
const typicalFixture = "ombc-hr-pos-her2-neg-new"

// benchSyntheaBundle is the real Synthea bundle (about 1.3 MB, metastatic)
// that cmd/ombc-cds benchmarks too, so the figures can be compared.
const benchSyntheaBundle = "deak-ai_healthwallet-datasets_1195532-bundle.json"

// fixtureInput builds the Input the service builds for a fixture request:
// the discovery templates, the request's context tokens and its prefetch,
// no fhirServer (the fixtures send every key).
func fixtureInput(tb testing.TB, name string) Input {
	tb.Helper()
	body, err := fixtures.Request(name)
	if err != nil {
		tb.Fatal(err)
	}
	var req struct {
		Context  map[string]json.RawMessage `json:"context"`
		Prefetch map[string]json.RawMessage `json:"prefetch"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		tb.Fatal(err)
	}
	return Input{Templates: templates(), Context: Tokens(req.Context), Prefetch: req.Prefetch}
}

// BenchmarkResolvePrefetched measures Resolve when the client sent every
// key complete, so nothing is fetched and classification is the whole cost.
func BenchmarkResolvePrefetched(b *testing.B) {
	b.Run("typical", func(b *testing.B) {
		benchResolve(b, fixtureInput(b, typicalFixture))
	})
	b.Run("synthea", func(b *testing.B) {
		files := syntheaBundles(b)
		data, ok := files[benchSyntheaBundle]
		if !ok {
			b.Skipf("%s not in ../shared/synthea", benchSyntheaBundle)
		}
		x, err := fhirsearch.NewIndex(data)
		if err != nil {
			b.Fatal(err)
		}
		id := x.PatientIDs()[0]
		pre, err := x.Prefetch(templates(), id)
		if err != nil {
			b.Fatal(err)
		}
		size := 0
		for _, v := range pre {
			size += len(v)
		}
		b.SetBytes(int64(size))
		benchResolve(b, Input{
			Templates: templates(),
			Context:   map[string]string{"context.patientId": id},
			Prefetch:  pre,
		})
	})
}

func benchResolve(b *testing.B, in Input) {
	b.Helper()
	f := &Fetcher{}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		_, rep, err := f.Resolve(ctx, in)
		if err != nil || rep.Requests != 0 {
			b.Fatalf("Resolve: %v, %d requests; want no fetching", err, rep.Requests)
		}
	}
}
