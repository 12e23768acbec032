package fhirmap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"ombc-cds/logic"
)

// TestSyntheaBundles maps every real Synthea bundle in ../shared/synthea as
// one prefetch value and checks the facts SOURCES.md says it holds.
func TestSyntheaBundles(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "synthea")
	const (
		pos = logic.Positive
		neg = logic.Negative
		unk = logic.ResultUnknown
	)
	tests := []struct {
		file          string
		primary       bool
		sex           logic.Sex
		deceased      bool
		m, group      string // "" when no such staging fact
		er, pr, her2  logic.Result
		drugs         []string // a subset of the mapped ingredients
		breastSurgery bool     // a breast surgery code is in the bundle (grep 392021009, 69031006, 64368001)
	}{
		{"deak-ai_healthwallet-datasets_1195532-bundle.json", true, logic.SexFemale, true, "M1", "IV", pos, neg, neg, []string{"epirubicin", "carboplatin", "tamoxifen"}, true},
		{"deak-ai_healthwallet-datasets_1386506-bundle.json", true, logic.SexFemale, false, "M0", "II", pos, pos, pos, []string{"fluorouracil", "carboplatin", "anastrozole", "trastuzumab"}, true},
		{"deak-ai_healthwallet-datasets_1477815-bundle.json", true, logic.SexFemale, false, "M0", "II", pos, pos, neg, []string{"fluorouracil", "cyclophosphamide", "fulvestrant", "palbociclib"}, true},
		{"deak-ai_healthwallet-datasets_1086522-bundle.json", true, logic.SexFemale, false, "M0", "I", neg, pos, neg, []string{"tamoxifen"}, true},
		{"deak-ai_healthwallet-datasets_1476225-bundle.json", true, logic.SexFemale, false, "M0", "II", pos, pos, neg, []string{"tamoxifen"}, true},
		{"deak-ai_healthwallet-datasets_1138469-bundle.json", true, logic.SexFemale, false, "", "", unk, unk, unk, nil, false},
		{"CanDIG_federated-learning_Lyla842_Bogan287_de5f3f6d-2c97-440c-824a-6de16f1278fb.json", true, logic.SexFemale, false, "M1", "IV", pos, neg, neg, []string{"epirubicin"}, false},
		{"CanDIG_federated-learning_Lyndsay952_Mueller846_78c6d606-71a7-44c4-8ede-8cca6d31563a.json", true, logic.SexFemale, false, "M0", "II", pos, pos, neg, []string{"tamoxifen", "palbociclib"}, true},
		{"CanDIG_federated-learning_Lydia759_Hills818_4a632ee5-ee59-440b-9f8e-392be8dd81ae.json", true, logic.SexFemale, false, "M0", "I", pos, neg, pos, []string{"fulvestrant", "trastuzumab"}, true},
		{"Exafluence-Inc_exf-qicore-synthea-dataset_1e3a2d12-659b-924c-7c63-0d8ebbb70df3.json", true, logic.SexFemale, false, "", "", unk, unk, unk, nil, false},
		{"deak-ai_healthwallet-datasets_954763-bundle.json", false, logic.SexFemale, true, "", "", unk, unk, unk, nil, false},
		{"deak-ai_healthwallet-datasets_1452259-bundle.json", false, logic.SexMale, false, "", "", unk, unk, unk, nil, false},
		{"Exafluence-Inc_exf-qicore-synthea-dataset_8527d65c-ebd5-8b79-3ad6-86574283792e.json", false, logic.SexFemale, false, "", "", unk, unk, unk, nil, false},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(tests) {
		t.Errorf("found %d bundles in %s, the table has %d: update the table", len(files), dir, len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Patient(map[string]json.RawMessage{"patient": raw}, DefaultOptions())
			if err != nil {
				t.Fatalf("Patient: %v", err)
			}
			if got := len(p.Primaries) > 0; got != tt.primary {
				t.Errorf("primary = %v, want %v", got, tt.primary)
			}
			if p.Sex != tt.sex || p.Deceased != tt.deceased {
				t.Errorf("sex %v deceased %v, want %v %v", p.Sex, p.Deceased, tt.sex, tt.deceased)
			}
			checkStaging(t, p, logic.StagingM, tt.m)
			checkStaging(t, p, logic.StagingGroup, tt.group)
			checkMarker(t, p, logic.MarkerER, tt.er)
			checkMarker(t, p, logic.MarkerPR, tt.pr)
			checkMarker(t, p, logic.MarkerHER2, tt.her2)
			var drugs []string
			for _, m := range p.Medications {
				drugs = append(drugs, m.Drug)
			}
			for _, d := range tt.drugs {
				if !slices.Contains(drugs, d) {
					t.Errorf("drug %s missing from %v", d, drugs)
				}
			}
			surgery := slices.ContainsFunc(p.Procedures, func(pr logic.Procedure) bool { return pr.Kind == logic.ProcedureBreastSurgery })
			if surgery != tt.breastSurgery {
				t.Errorf("breast surgery = %v, want %v", surgery, tt.breastSurgery)
			}
			for _, s := range p.Skipped {
				t.Errorf("unexpected skip %s: %s", s.Ref, s.Reason)
			}
		})
	}
}

// checkStaging requires every fact of the kind to have the value, and at
// least one when a value is expected.
func checkStaging(t *testing.T, p logic.Patient, kind logic.StagingKind, want string) {
	t.Helper()
	n := 0
	for _, s := range p.Staging {
		if s.Kind != kind {
			continue
		}
		n++
		if s.Value != want {
			t.Errorf("staging kind %v = %s (%s), want %s", kind, s.Value, s.Ref, want)
		}
	}
	if want != "" && n == 0 {
		t.Errorf("no staging of kind %v, want %s", kind, want)
	}
}

// checkMarker requires every marker of the kind to have the result, and at
// least one when a result is expected.
func checkMarker(t *testing.T, p logic.Patient, kind logic.MarkerKind, want logic.Result) {
	t.Helper()
	n := 0
	for _, m := range p.Markers {
		if m.Kind != kind {
			continue
		}
		n++
		if m.Result != want {
			t.Errorf("marker %v = %v (%s), want %v", kind, m.Result, m.Ref, want)
		}
	}
	if want != logic.ResultUnknown && n == 0 {
		t.Errorf("no %v marker, want %v", kind, want)
	}
}
