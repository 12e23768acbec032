package logic

import (
	"slices"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	node := func(side Laterality) func(*Patient) {
		return func(p *Patient) {
			p.Metastases = []Metastasis{met("node", SiteAxillaryNode, side, daysAgo(100))}
			p.Lesions = []Lesion{{Source: Source{Ref: "BodyStructure/node"}, Identifier: "node", Site: SiteAxillaryNode, Laterality: side, Active: true}}
		}
	}
	tests := []struct {
		name     string
		p        Patient
		class    Class
		lesions  int
		sites    []Site
		inScope  bool
		deNovo   bool
		boneOnly bool
	}{
		{"two bone lesions: OMBC", ombc(), ClassOMBC, 2, []Site{SiteBone}, true, false, true},
		{"five lesions in three organs: OMBC (organ count is no gate)", ombc(func(p *Patient) {
			p.Metastases = append(p.Metastases, met("liver", SiteLiver, LateralityUnknown, daysAgo(150)), met("lung", SiteLung, LateralityUnknown, daysAgo(150)))
			p.Lesions = append(lesions(3, SiteBone), lesion("liver1", SiteLiver), lesion("lung1", SiteLung))
		}), ClassOMBC, 5, []Site{SiteBone, SiteLiver, SiteLung}, true, false, false},
		{"six lesions: polymetastatic", ombc(func(p *Patient) { p.Lesions = lesions(6, SiteBone) }), ClassPolymetastatic, 6, []Site{SiteBone}, true, false, true},
		{"same lesion twice counts once", ombc(func(p *Patient) {
			again := p.Lesions[0]
			again.Ref = "BodyStructure/bonea-v2"
			p.Lesions = append(p.Lesions, again)
		}), ClassOMBC, 2, []Site{SiteBone}, true, false, true},
		{"inactive lesion not counted", ombc(func(p *Patient) { p.Lesions[1].Active = false }), ClassOMBC, 1, []Site{SiteBone}, true, false, true},
		{"breast lesion is the primary, not counted", ombc(func(p *Patient) { p.Lesions = append(p.Lesions, lesion("breast", SiteBreast)) }), ClassOMBC, 2, []Site{SiteBone}, true, false, true},
		{"one Condition per site is not a count", ombc(func(p *Patient) { p.Lesions = nil }), ClassExtentUnknown, -1, []Site{SiteBone}, true, false, true},
		{"a site without lesions makes the count unknown", ombc(func(p *Patient) {
			p.Metastases = append(p.Metastases, met("liver", SiteLiver, LateralityUnknown, daysAgo(150)))
		}), ClassExtentUnknown, -1, []Site{SiteBone, SiteLiver}, true, false, false},
		{"M1 without sites: extent unknown", ombc(func(p *Patient) {
			p.Metastases, p.Lesions = nil, nil
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(20)}, Kind: StagingM, Value: "M1"}}
		}), ClassExtentUnknown, -1, nil, true, false, false},
		{"M0 only: not metastatic", ombc(func(p *Patient) {
			p.Metastases, p.Lesions = nil, nil
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(20)}, Kind: StagingM, Value: "M0"}}
		}), ClassNone, -1, nil, true, false, false},
		{"resolved metastasis is not disease", ombc(func(p *Patient) {
			p.Metastases[0].Clinical = StatusResolved
			p.Lesions = nil
		}), ClassNone, -1, nil, true, false, false},
		{"metastasis in remission is not disease", ombc(func(p *Patient) {
			p.Metastases[0].Clinical = StatusRemission
			p.Lesions = nil
		}), ClassNone, -1, nil, true, false, false},
		{"relapse counts", ombc(func(p *Patient) { p.Metastases[0].Clinical = StatusRelapse }), ClassOMBC, 2, []Site{SiteBone}, true, false, true},
		{"ipsilateral axillary node is regional", ombc(node(Right)), ClassNone, -1, nil, true, false, false},
		{"contralateral axillary node is distant", ombc(node(Left)), ClassOMBC, 1, []Site{SiteAxillaryNode}, true, false, false},
		{"axillary node of unknown side is not counted", ombc(node(LateralityUnknown)), ClassNone, -1, nil, true, false, false},
		{"axillary node with primary of unknown side is not counted", ombc(node(Left), func(p *Patient) { p.Primaries[0].Laterality = LateralityUnknown }), ClassNone, -1, nil, true, false, false},
		{"bilateral primaries make any axillary node regional", ombc(node(Left), func(p *Patient) { p.Primaries[0].Laterality = Bilateral }), ClassNone, -1, nil, true, false, false},
		{"cervical node is distant whatever the side", ombc(func(p *Patient) {
			p.Metastases = []Metastasis{met("cervical", SiteLymphNode, Right, daysAgo(100))}
			p.Lesions = []Lesion{lesion("cervical", SiteLymphNode)}
		}), ClassOMBC, 1, []Site{SiteLymphNode}, true, false, false},
		{"de novo by first metastasis", ombc(func(p *Patient) { p.Metastases[0].Onset = daysAgo(950) }), ClassOMBC, 2, []Site{SiteBone}, true, true, true},
		{"deceased is out of scope", ombc(func(p *Patient) { p.Deceased = true }), ClassOMBC, 2, []Site{SiteBone}, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Classify(tt.p, now, DefaultConfig())
			if a.Class != tt.class || a.DistantLesions != tt.lesions || !slices.Equal(a.DistantSites, tt.sites) {
				t.Errorf("got %v, %d lesions, sites %v; want %v, %d, %v", a.Class, a.DistantLesions, a.DistantSites, tt.class, tt.lesions, tt.sites)
			}
			if a.InScope != tt.inScope || a.DeNovo != tt.deNovo || a.BoneOnly != tt.boneOnly {
				t.Errorf("in scope %v, de novo %v, bone-only %v; want %v, %v, %v", a.InScope, a.DeNovo, a.BoneOnly, tt.inScope, tt.deNovo, tt.boneOnly)
			}
		})
	}
}

func TestOutOfScopeReason(t *testing.T) {
	tests := []struct {
		name string
		p    Patient
		want string
	}{
		{"valid primary", ombc(), ""},
		{"no primary", Patient{}, "no valid breast-cancer primary"},
		{"refuted primary", ombc(func(p *Patient) { p.Primaries[0].Verification = VerificationRefuted }), "no valid breast-cancer primary"},
		{"deceased", ombc(func(p *Patient) { p.Deceased = true }), "deceased"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.p, now, DefaultConfig()).OutOfScopeReason; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrognosticFactors(t *testing.T) {
	p := ombc(func(p *Patient) {
		p.Staging = []Staging{
			{Source: Source{Ref: "Observation/n-later", Date: daysAgo(100)}, Kind: StagingN, Value: "N3"},
			{Source: Source{Ref: "Observation/n-dx", Date: daysAgo(990)}, Kind: StagingN, Value: "N1", Sub: "N1a"},
		}
		p.DiseaseStatus = []StatusReport{diseaseStatus(Worsened, daysAgo(10))}
		p.Performance = []Performance{{Source: Source{Ref: "Observation/kps", Date: daysAgo(3)}, Scale: Karnofsky, Value: 70}}
		p.BirthDate = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	})
	a := Classify(p, now, DefaultConfig())
	want := []struct {
		value   string
		outlook Outlook
	}{
		{"2 in 1 organ site(s): bone", OutlookFavourable},
		{"26 months (primary 2023-09-05, first distant metastasis 2025-11-13)", OutlookFavourable},
		{"N1 (N1a)", OutlookFavourable},
		{"HR positive", OutlookFavourable},
		{"yes", OutlookFavourable},
		{"66 years", OutlookUnfavourable},
		{"worsened on " + daysAgo(10).Format(time.DateOnly), OutlookUnfavourable},
		{"Karnofsky 70 on " + daysAgo(3).Format(time.DateOnly), OutlookUnfavourable},
	}
	if len(a.Prognostic) != len(want) {
		t.Fatalf("got %d factors, want %d", len(a.Prognostic), len(want))
	}
	for i, w := range want {
		f := a.Prognostic[i]
		if f.Value != w.value || f.Outlook != w.outlook {
			t.Errorf("%s: got %q %v, want %q %v", f.Name, f.Value, f.Outlook, w.value, w.outlook)
		}
	}
}

// TestFactorsAreNeverGates checks that unfavourable prognostic factors do not
// silence the OMBC cards (EVIDENCE.md §0.4).
func TestFactorsAreNeverGates(t *testing.T) {
	p := ombc(func(p *Patient) {
		p.BirthDate = time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC)
		p.Performance = []Performance{{Source: Source{Ref: "Observation/ecog"}, Scale: ECOG, Value: 3}}
		p.Metastases = append(p.Metastases, met("liver", SiteLiver, LateralityUnknown, daysAgo(150)), met("lung", SiteLung, LateralityUnknown, daysAgo(150)))
		p.Lesions = append(p.Lesions, lesion("liver1", SiteLiver), lesion("lung1", SiteLung))
		p.Metastases[0].Onset = daysAgo(990)
	})
	if !fires(t, "tumor-board", p) {
		t.Error("tumor-board silenced by unfavourable prognostic factors")
	}
}

func TestImagingNewestFirst(t *testing.T) {
	p := Patient{Imaging: []Imaging{
		{Source: Source{Ref: "a", Date: daysAgo(300)}},
		{Source: Source{Ref: "undated"}},
		{Source: Source{Ref: "b", Date: daysAgo(10)}},
		{Source: Source{Ref: "c", Date: daysAgo(100)}},
	}}
	a := Classify(p, now, DefaultConfig())
	var got []string
	for _, im := range a.Imaging {
		got = append(got, im.Ref)
	}
	if want := []string{"b", "c", "a", "undated"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if p.Imaging[0].Ref != "a" {
		t.Error("Classify reordered the caller's slice")
	}
}

func TestMedicationActive(t *testing.T) {
	cfg := DefaultConfig()
	tests := []struct {
		name   string
		record MedicationRecord
		status string
		date   time.Time
		want   bool
	}{
		{"request active", RecordRequest, "active", time.Time{}, true},
		{"request on-hold", RecordRequest, "on-hold", time.Time{}, true},
		{"request stopped (Synthea)", RecordRequest, "stopped", time.Time{}, false},
		{"request completed (Synthea)", RecordRequest, "completed", time.Time{}, false},
		{"statement active", RecordStatement, "active", time.Time{}, true},
		{"statement intended", RecordStatement, "intended", time.Time{}, true},
		{"statement completed", RecordStatement, "completed", time.Time{}, false},
		{"administration 90 days ago", RecordAdministration, "completed", daysAgo(90), true},
		{"administration 91 days ago", RecordAdministration, "completed", daysAgo(91), false},
		{"administration undated", RecordAdministration, "completed", time.Time{}, false},
		{"administration not done", RecordAdministration, "not-done", daysAgo(1), false},
		{"unknown record", RecordUnknown, "active", daysAgo(1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Medication{Record: tt.record, Status: tt.status, Source: Source{Date: tt.date}}
			if got := m.ActiveAt(now, cfg); got != tt.want {
				t.Errorf("ActiveAt = %v, want %v", got, tt.want)
			}
		})
	}
}
