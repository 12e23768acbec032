package fhirsearch

import (
	"os"
	"path/filepath"
	"testing"

	"ombc-cds/internal/sharedtest"
)

// BenchmarkNewIndexPrefetch indexes a real Synthea bundle and answers the
// discovery templates for its patient, as `ombc-cds eval` does per file.
func BenchmarkNewIndexPrefetch(b *testing.B) {
	path := filepath.Join(sharedtest.Dir(b, "synthea"),
		"Exafluence-Inc_exf-qicore-synthea-dataset_1e3a2d12-659b-924c-7c63-0d8ebbb70df3.json")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	tmpls := templates()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		x, err := NewIndex(data)
		if err != nil {
			b.Fatal(err)
		}
		ids := x.PatientIDs()
		if len(ids) != 1 {
			b.Fatalf("PatientIDs() = %v, want one", ids)
		}
		if _, err := x.Prefetch(tmpls, ids[0]); err != nil {
			b.Fatal(err)
		}
	}
}
