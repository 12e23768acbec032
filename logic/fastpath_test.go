package logic

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file tests the fast paths of Evaluate: deciding a clause without its
// facts (holds), the facts and statuses a Case derives once, rendering into
// a shared buffer, and Escape without allocation. Each is checked against
// the slow path it replaces.

// variedPatients covers every rule firing and not firing, hostile text,
// unplaced disease and the out-of-scope cases.
func variedPatients() map[string]Patient {
	hostile := "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1)) | # _ \xff\x00 é\n"
	return map[string]Patient{
		"typical":        typicalPatient(),
		"many facts":     manyFactsPatient(),
		"ombc":           ombc(),
		"male":           ombc(male),
		"triple neg":     ombc(tripleNegative),
		"tnbc pd-l1+":    ombc(tripleNegative, addMarkers(Marker{Source: Source{Ref: "Observation/pdl1", Date: daysAgo(10)}, Kind: MarkerPDL1, Result: Positive, Text: "CPS 12"})),
		"her2+":          ombc(withMarkers(marker(MarkerER, Negative), marker(MarkerPR, Negative), marker(MarkerHER2, Positive))),
		"her2 equivocal": ombc(withMarkers(marker(MarkerHER2, Equivocal))),
		"combined hr":    ombc(withMarkers(marker(MarkerHR, Positive), Marker{Source: Source{Ref: "Observation/ish"}, Kind: MarkerHER2, Method: MethodISH, Result: Negative})),
		"brca carrier":   ombc(addMarkers(Marker{Source: Source{Ref: "Observation/b"}, Kind: MarkerBRCA, Result: Positive, Gene: "BRCA2", Origin: Germline})),
		"responding":     ombc(addMeds(med("palbociclib", DrugCDK46, "active"), med("letrozole", DrugEndocrine, "active")), addStatus(diseaseStatus(Improved, daysAgo(20)))),
		"no start date":  ombc(addMeds(Medication{Source: Source{Ref: "MedicationStatement/x"}, Record: RecordStatement, Status: "active", Drug: "letrozole", Class: DrugEndocrine}), addStatus(diseaseStatus(Stable, daysAgo(20)))),
		"denosumab":      ombc(addMeds(med("denosumab", DrugBoneModifying, "active"))),
		"prolia":         ombc(addMeds(Medication{Source: Source{Ref: "MedicationRequest/prolia"}, Record: RecordRequest, Status: "active", Drug: "denosumab", Class: DrugBoneModifying, OsteoporosisDose: true})),
		"de novo": ombc(func(p *Patient) {
			p.Primaries = []Primary{primary(Right, daysAgo(100))}
			p.Metastases = []Metastasis{met("bone", SiteBone, LateralityUnknown, daysAgo(90))}
			p.BirthDate = daysAgo(40 * 365)
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(95)}, Kind: StagingM, Value: "M1", Sub: "M1b"}}
			p.DiseaseStatus = []StatusReport{diseaseStatus(Improved, daysAgo(5))}
			p.Performance = []Performance{{Source: Source{Ref: "Observation/kps"}, Scale: Karnofsky, Value: 90}}
		}),
		"hostile": ombc(func(p *Patient) {
			p.Primaries[0].Code.Display = hostile
			p.Metastases = append(p.Metastases, met("brain", SiteBrain, LateralityUnknown, daysAgo(100)))
			p.Metastases[0].Code.Display = hostile
			p.Metastases[0].Evidence = []EvidenceKind{EvidenceImaging, EvidenceHistologic}
			p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/<i>", Date: daysAgo(90)}, Modality: "PT", PET: true, Description: hostile, BodySite: hostile}, {Source: Source{Ref: "ImagingStudy/p2", Date: daysAgo(10)}, PET: true}}
			p.TumorBoards = []TumorBoard{{Source: Source{Ref: "CarePlan/x", Date: daysAgo(50)}, Description: hostile}}
			p.Skipped = []Skipped{{Ref: "Observation/<script>", Reason: hostile}}
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(1000)}, Kind: StagingM, Value: "M1"}}
			p.Medications = []Medication{med(hostile, DrugEndocrine, "active")}
			p.Procedures = []Procedure{{Source: Source{Ref: "Procedure/s"}, Kind: ProcedureBreastSurgery, Code: Code{Display: hostile}}}
			p.Markers = append(p.Markers, Marker{Source: Source{Ref: "Observation/b"}, Kind: MarkerBRCA, Result: Positive, Gene: hostile, Text: hostile})
		}),
		"unplaced, board then progression": ombc(func(p *Patient) {
			p.Metastases = []Metastasis{met("node", SiteAxillaryNode, LateralityUnknown, daysAgo(10)), met("liver", SiteLiver, Left, daysAgo(10))}
			p.Lesions = append(p.Lesions, Lesion{Source: Source{Ref: "BodyStructure/u"}, Site: SiteUnknown, Active: true})
			p.Skipped = []Skipped{{Ref: "Observation/<script>", Reason: hostile}}
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(1000)}, Kind: StagingGroup, Value: "IV", Sub: "IV"}}
			p.TumorBoards = []TumorBoard{{Source: Source{Ref: "CarePlan/x", Date: daysAgo(5)}}}
			p.DiseaseStatus = []StatusReport{diseaseStatus(Worsened, daysAgo(1))}
		}),
		"board since metastasis": ombc(func(p *Patient) {
			p.TumorBoards = []TumorBoard{{Source: Source{Ref: "CarePlan/x", Date: daysAgo(5)}, Description: "board"}}
		}),
		"polymetastatic": ombc(func(p *Patient) { p.Lesions = lesions(8, SiteLiver) }),
		"history only":   ombc(func(p *Patient) { p.Lesions = nil; p.MetastasisHistory = []MetastasisHistory{{Present: true}} }),
		"stage IV only": ombc(func(p *Patient) {
			p.Lesions = nil
			p.Metastases = nil
			p.Staging = []Staging{{Kind: StagingGroup, Value: "IV"}}
		}),
		"deceased":      ombc(func(p *Patient) { p.Deceased = true }),
		"no primary":    ombc(func(p *Patient) { p.Primaries = nil }),
		"no birth date": ombc(func(p *Patient) { p.BirthDate = time.Time{} }),
		"pet within": ombc(func(p *Patient) {
			p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/pet", Date: daysAgo(10)}, PET: true}}
		}),
		"pet too old": ombc(func(p *Patient) {
			p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/pet", Date: daysAgo(100)}, PET: true}}
		}),
		"tissue evidence": ombc(func(p *Patient) { p.Metastases[0].Evidence = []EvidenceKind{EvidenceCytologic} }),
	}
}

// namedCriteria are the clause constructors, with the combinators over them.
func namedCriteria() []Criterion {
	return []Criterion{
		OMBC(), ExtentUnknown(), UnplacedDisease(), BrainMetastasis(), BoneMetastasis(), BoneOnly(), DeNovo(),
		HRPositive(), HER2Negative(), HER2Positive(), TripleNegative(), GermlineBRCAPathogenic(), BRCAResult(),
		PDL1Result(), PDL1Positive(), ReceptorsKnown(), Male(), AgeUnder(55), ActiveDrug(DrugEndocrine),
		ActiveDrug(DrugCDK46), ActiveBoneAgentForMetastasis(), ActiveBoneAgentOsteoporosisDose(), PETWithin(),
		TissueEvidence(), BreastSurgery(), TumorBoardSinceMetastasis(), ResponseDocumented(), RespondingOnTherapy(),
		LatestStatus(Improved), LatestStatus(Worsened),
		All(), Any(), Not(Male()), All(OMBC(), Not(BrainMetastasis())), Any(Male(), HER2Positive(), DeNovo()),
	}
}

// TestHoldsAgreesWithMet checks that deciding a clause without its facts
// gives Met's answer, for every clause of every rule and every named
// clause, with a Case from NewCase and one built by hand.
func TestHoldsAgreesWithMet(t *testing.T) {
	criteria := namedCriteria()
	for _, r := range Rules() {
		criteria = append(criteria, r.When)
		if r.Unless != nil {
			criteria = append(criteria, r.Unless)
		}
		for _, v := range r.Variants {
			criteria = append(criteria, v.When)
		}
	}
	for name, p := range variedPatients() {
		cfg := DefaultConfig()
		cases := map[string]*Case{
			"NewCase": NewCase(p, now, cfg),
			"literal": {Patient: p, Assessment: Classify(p, now, cfg), Now: now, Config: cfg},
		}
		for how, c := range cases {
			for _, k := range criteria {
				_, want := k.Met(c)
				if got := holds(k, c); got != want {
					t.Errorf("%s, %s: holds(%s) = %v, Met says %v", name, how, k, got, want)
				}
			}
		}
	}
}

// TestCaseWithoutNewCase checks that a Case built by hand, which has
// nothing derived, gives the same recommendations as Evaluate.
func TestCaseWithoutNewCase(t *testing.T) {
	rules, cfg := Rules(), DefaultConfig()
	for name, p := range variedPatients() {
		want := Evaluate(rules, p, now, cfg)
		if len(want) == 0 {
			continue
		}
		c := &Case{Patient: p, Assessment: Classify(p, now, cfg), Now: now, Config: cfg}
		var got []Recommendation
		for _, r := range rules {
			if rec, ok := r.Apply(c); ok {
				got = append(got, rec)
			}
		}
		if !equalRecommendations(got, want) {
			t.Errorf("%s: Apply on a hand-built Case differs from Evaluate", name)
		}
	}
}

// TestMetFactsAreNotShared checks that editing the facts a clause returned
// does not change what the next rule reads.
func TestMetFactsAreNotShared(t *testing.T) {
	c := NewCase(ombc(), now, DefaultConfig())
	first, ok := OMBC().Met(c)
	if !ok || len(first) == 0 {
		t.Fatalf("OMBC() = %v, %v; want facts, true", first, ok)
	}
	want := slices.Clone(first)
	first[0] = "changed"
	if again, _ := OMBC().Met(c); !slices.Equal(again, want) {
		t.Errorf("facts after a caller's edit = %q, want %q", again, want)
	}
}

// TestDetailDropsRepeatedFacts checks the two ways a card drops repeated
// facts (comparing for short lists, a set for long ones): each fact once,
// in the order first seen.
func TestDetailDropsRepeatedFacts(t *testing.T) {
	for _, n := range []int{4, shortFacts + 8} {
		t.Run(fmt.Sprint(n, " lesions"), func(t *testing.T) {
			p := ombc(func(p *Patient) {
				p.Lesions = nil
				for i := range n {
					// Two lesions share each reference, so their facts repeat.
					l := lesion(fmt.Sprint("l", i), SiteBone)
					l.Ref = fmt.Sprint("BodyStructure/b", i/2)
					p.Lesions = append(p.Lesions, l)
				}
			})
			c := NewCase(p, now, DefaultConfig())
			when, _ := BoneMetastasis().Met(c)
			unless, _ := ActiveBoneAgentForMetastasis().Met(c)
			var want []string
			for _, f := range append(when, unless...) {
				if !slices.Contains(want, f) {
					want = append(want, f)
				}
			}
			if len(want) >= len(when)+len(unless) {
				t.Fatalf("no repeated facts to drop: %d facts", len(want))
			}
			d := recommendation(t, "bone-modifying-agent", p).Detail
			why := d[strings.Index(d, "### Why this card\n\n")+len("### Why this card\n\n") : strings.Index(d, "\n### What to do")]
			var got []string
			for line := range strings.Lines(why) {
				got = append(got, strings.TrimSuffix(strings.TrimPrefix(line, "- "), "\n"))
			}
			if !slices.Equal(got, want) {
				t.Errorf("why this card:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestEvaluateConcurrently checks that calls sharing the rule table and the
// rendering buffers give each caller its own, correct, cards (run with
// -race).
func TestEvaluateConcurrently(t *testing.T) {
	rules, cfg := Rules(), DefaultConfig()
	patients := variedPatients()
	want := map[string][]Recommendation{}
	for name, p := range patients {
		want[name] = Evaluate(rules, p, now, cfg)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				for name, p := range patients {
					if got := Evaluate(rules, p, now, cfg); !equalRecommendations(got, want[name]) {
						t.Errorf("%s: concurrent Evaluate differs", name)
					}
				}
			}
		})
	}
	wg.Wait()
}

// equalRecommendations compares recommendations field by field.
func equalRecommendations(a, b []Recommendation) bool {
	return slices.EqualFunc(a, b, func(x, y Recommendation) bool {
		return x.Code == y.Code && x.Title == y.Title && x.Summary == y.Summary && x.Indicator == y.Indicator &&
			x.Detail == y.Detail && x.SourceLabel == y.SourceLabel && x.SourceURL == y.SourceURL &&
			x.Selection == y.Selection && slices.Equal(x.Links, y.Links) &&
			slices.EqualFunc(x.Suggestions, y.Suggestions, func(s, u Suggestion) bool {
				return s.Label == u.Label && s.Recommended == u.Recommended && slices.Equal(s.Orders, u.Orders)
			})
	})
}

// escapeReference is Escape as first written, rune by rune into a
// strings.Builder; the fast Escape must match it byte for byte.
func escapeReference(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '|', '#', '!', '~', '$':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t', '\v', '\f':
			b.WriteByte(' ')
		default:
			if r < 0x20 || r == 0x7f {
				continue
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeSamples are the inputs that Escape and cite are compared on.
var escapeSamples = []string{
	"", "plain", "Malignant neoplasm of breast", "é and ü", "CPS ≥ 10", "\ufffd valid replacement character",
	"<b>&amp;</b>", "a\x7fb\x01c", "tab\there", "invalid \xff byte", "truncated \xe2\x82", "\xe2\x82<",
	"all: \\`*_{}[]|#!~$<>&\n\r\t\v\f", strings.Repeat("long *text* ", 40),
}

func TestEscapeMatchesReference(t *testing.T) {
	for _, in := range escapeSamples {
		if got, want := Escape(in), escapeReference(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if needsEscape(in) != (escapeReference(in) != in) {
			t.Errorf("needsEscape(%q) = %v, but escaping changes it: %v", in, needsEscape(in), escapeReference(in) != in)
		}
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range escapeSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if got, want := Escape(in), escapeReference(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	})
}

func TestCite(t *testing.T) {
	tests := []struct {
		name string
		in   Source
		want string
	}{
		{"reference and date", Source{Ref: "Observation/abc", Date: time.Date(2024, 3, 2, 23, 0, 0, 0, time.UTC)}, "(Observation/abc, 2024-03-02)"},
		{"no date", Source{Ref: "Condition/x"}, "(Condition/x, date unknown)"},
		{"no reference", Source{}, "(reference unknown, date unknown)"},
		{"escaped reference", Source{Ref: "Observation/<i>_" + strings.Repeat("x", 200)}, "(Observation/&lt;i&gt;\\_" + strings.Repeat("x", 200) + ", date unknown)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cite(tt.in); got != tt.want {
				t.Errorf("cite(%+v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSiteList(t *testing.T) {
	tests := []struct {
		name string
		in   []Site
		want string
	}{
		{"none", nil, ""},
		{"one", []Site{SiteLiver}, "liver"},
		{"sorted", []Site{SiteBone, SiteLiver, SiteBrain}, "bone, liver, brain/CNS"},
		{"unsorted with repeats", []Site{SiteBrain, SiteBone, SiteBrain, SiteLiver, SiteBone}, "bone, liver, brain/CNS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			if got := siteList(in); got != tt.want {
				t.Errorf("siteList(%v) = %q, want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Errorf("siteList reordered its argument: %v", in)
			}
		})
	}
}

func TestEscapeDoesNotAllocateForPlainText(t *testing.T) {
	for _, in := range []string{"Malignant neoplasm of breast", "Observation/fx-01-er", "é"} {
		if n := testing.AllocsPerRun(100, func() { _ = Escape(in) }); n != 0 {
			t.Errorf("Escape(%q) allocates %v times", in, n)
		}
	}
}

func TestEvaluateWithoutCardsIsNil(t *testing.T) {
	// In scope but nothing fires: a primary with no metastatic disease.
	p := ombc(func(p *Patient) { p.Metastases, p.Lesions = nil, nil })
	if got := Evaluate(Rules(), p, now, DefaultConfig()); got != nil {
		t.Errorf("Evaluate = %#v, want nil", got)
	}
}
