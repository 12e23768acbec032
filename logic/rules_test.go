package logic

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// ruleBook is the code column of RULES.md, in order.
var ruleBook = []string{
	"tumor-board", "staging-imaging", "biopsy-metastasis", "receptor-status",
	"systemic-endocrine-cdk46", "systemic-anti-her2", "systemic-parp", "systemic-immunotherapy",
	"germline-brca-testing", "pdl1-testing", "bone-modifying-agent", "primary-tumor-surgery",
	"document-response", "metastasis-directed-therapy", "brain-metastasis", "data-quality",
}

// rawHTML finds a '<' that is not backslash-escaped: GitHub-flavoured
// Markdown would treat it as the start of raw HTML.
var rawHTML = regexp.MustCompile(`(^|[^\\])<`)

// markdownInjected finds the hostile display's emphasis or link left
// unescaped.
var markdownInjected = regexp.MustCompile(`(^|[^\\])\*\*bold|(^|[^\\])\]\(javascript`)

func TestRuleTable(t *testing.T) {
	rules := Rules()
	var got []string
	for _, r := range rules {
		got = append(got, r.Code)
		t.Run(r.Code, func(t *testing.T) {
			if r.Title == "" || r.When == nil || r.Do == "" {
				t.Errorf("title %q, when %v, do %q: all are required", r.Title, r.When, r.Do)
			}
			if n := utf8.RuneCountInString(r.Summary); n == 0 || n >= 140 {
				t.Errorf("summary has %d runes, want 1 to 139: %q", n, r.Summary)
			}
			if len(r.Evidence) == 0 {
				t.Fatal("no evidence")
			}
			for _, e := range append(slices.Clone(r.Evidence), variantEvidence(r)...) {
				if e.Statement == "" || e.Source == "" || !strings.HasPrefix(e.URL, "https://") {
					t.Errorf("evidence %+v: want a statement, a source and an https URL", e)
				}
				if strings.Contains(e.Source, "seed") && e.Grade != "" && !strings.Contains(e.Grade, seedGradeNote) {
					t.Errorf("seed-cited grade %q lacks the unverified note", e.Grade)
				}
			}
			for _, l := range r.Links {
				if l.Label == "" || !strings.HasPrefix(l.URL, "https://") {
					t.Errorf("link %+v: want a label and an https URL", l)
				}
			}
			if len(r.Suggest) > 0 && r.Selection == SelectNone {
				t.Error("suggestions without a selection behaviour")
			}
			if len(r.Suggest) == 0 && r.Selection != SelectNone {
				t.Errorf("selection %v without suggestions", r.Selection)
			}
			for _, s := range r.Suggest {
				if s.Label == "" || len(s.Orders) == 0 {
					t.Errorf("suggestion %+v: want a label and orders", s)
				}
			}
			for _, text := range []string{r.Summary, r.Do, r.When.String()} {
				if rawHTML.MatchString(text) {
					t.Errorf("raw HTML in %q", text)
				}
			}
		})
	}
	if !slices.Equal(got, ruleBook) {
		t.Errorf("rule codes\n got %v\nwant %v", got, ruleBook)
	}
}

func TestRulesReturnsFreshTables(t *testing.T) {
	a := Rules()
	a[0].Code = "changed"
	a[0].Suggest[0].Label = "changed"
	a[0].Evidence[0].Source = "changed"
	b := Rules()
	if b[0].Code != "tumor-board" || b[0].Suggest[0].Label == "changed" || b[0].Evidence[0].Source == "changed" {
		t.Errorf("a caller's change leaked into the next Rules(): %q %q", b[0].Code, b[0].Suggest[0].Label)
	}
}

// TestDetailsHaveNoRawHTML renders every card that a broad set of patients
// fires, with hostile displays, and checks the Markdown.
func TestDetailsHaveNoRawHTML(t *testing.T) {
	hostile := "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1)) | # _"
	p := ombc(func(p *Patient) {
		p.Primaries[0].Code.Display = hostile
		p.Metastases = append(p.Metastases, met("brain", SiteBrain, LateralityUnknown, daysAgo(100)))
		p.Metastases[0].Code.Display = hostile
		p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/<i>", Date: daysAgo(90)}, Modality: "PT", PET: true, Description: hostile, BodySite: hostile}}
		p.TumorBoards = []TumorBoard{{Source: Source{Ref: "CarePlan/x", Date: daysAgo(300)}, Description: hostile}}
		p.Skipped = []Skipped{{Ref: "Observation/<script>", Reason: hostile}}
		p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(1000)}, Kind: StagingM, Value: "M1"}}
		p.Medications = []Medication{med(hostile, DrugEndocrine, "active")}
		p.Markers = append(p.Markers, Marker{Source: Source{Ref: "Observation/b"}, Kind: MarkerBRCA, Result: Positive, Gene: hostile, Text: hostile})
	})
	unplaced := ombc(func(p *Patient) {
		p.Metastases = []Metastasis{met("node", SiteAxillaryNode, LateralityUnknown, daysAgo(10))}
		p.Metastases[0].Ref = "Condition/<b>"
		p.Skipped = []Skipped{{Ref: "Observation/<script>", Reason: hostile}}
		p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(1000)}, Kind: StagingGroup, Value: "IV"}}
	})
	seen := map[string]bool{}
	for _, p := range []Patient{p, unplaced} {
		for _, r := range Evaluate(Rules(), p, now, DefaultConfig()) {
			seen[r.Code] = true
			if loc := rawHTML.FindStringIndex(r.Detail); loc != nil {
				t.Errorf("%s: raw HTML at %d: %q", r.Code, loc[0], r.Detail[loc[0]:min(len(r.Detail), loc[0]+40)])
			}
			if markdownInjected.MatchString(r.Detail) {
				t.Errorf("%s: patient text became Markdown:\n%s", r.Code, r.Detail)
			}
		}
	}
	for _, code := range []string{"tumor-board", "brain-metastasis", "data-quality", "primary-tumor-surgery"} {
		if !seen[code] {
			t.Errorf("%s did not fire; the test does not cover it", code)
		}
	}
}

func TestDetailSections(t *testing.T) {
	p := ombc(func(p *Patient) {
		p.Imaging = []Imaging{
			{Source: Source{Ref: "ImagingStudy/old", Date: daysAgo(400)}, Modality: "CT"},
			{Source: Source{Ref: "ImagingStudy/new", Date: daysAgo(30)}, Modality: "MR"},
		}
	})
	d := recommendation(t, "tumor-board", p).Detail
	for _, want := range []string{
		"### Why this card", "### What to do", "### Classification", "### Prognostic context", "### Imaging history", "### Evidence",
		"classification: OMBC, 2 distant lesion(s) in bone",
		"(BodyStructure/bonea, " + daysAgo(200).Format("2006-01-02") + ")",
		"Number of distant lesions", "Disease-free interval", "Nodal status at diagnosis", "Hormone-receptor status",
		"Bone-only disease", "Age", "Response to systemic therapy", "Performance status",
		"Level/grade: V, B (" + seedGradeNote + ")",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("tumor-board detail lacks %q:\n%s", want, d)
		}
	}
	if strings.Index(d, "ImagingStudy/new") > strings.Index(d, "ImagingStudy/old") {
		t.Errorf("imaging history is not newest first:\n%s", d)
	}
}

func TestRecommendationFields(t *testing.T) {
	r := recommendation(t, "bone-modifying-agent", ombc())
	if r.Title == "" || r.SourceLabel == "" || !strings.HasPrefix(r.SourceURL, "https://") {
		t.Errorf("title %q, source %q %q: want all set", r.Title, r.SourceLabel, r.SourceURL)
	}
	if len(r.Suggestions) != 2 || r.Selection != SelectAtMostOne {
		t.Fatalf("got %d suggestions, selection %v; want 2, at-most-one", len(r.Suggestions), r.Selection)
	}
	var got []OrderCode
	for _, s := range r.Suggestions {
		if s.Recommended {
			t.Errorf("suggestion %q is recommended; ASCO prefers no agent", s.Label)
		}
		for _, o := range s.Orders {
			if o.Kind != MedicationRequest {
				t.Errorf("order %v kind %v, want MedicationRequest", o.Code, o.Kind)
			}
			got = append(got, o.Code)
		}
	}
	if want := []OrderCode{OrderDenosumab, OrderZoledronicAcid}; !slices.Equal(got, want) {
		t.Errorf("orders %v, want %v", got, want)
	}
	for _, want := range []string{"Strong; EB-H", "[I, A]", "category 1", "dental examination"} {
		if !strings.Contains(r.Detail, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
}
