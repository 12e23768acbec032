package logic

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func snapshotPatients() []Patient {
	hostile := "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1)) | # _ \xff\x00 é\n"
	ps := []Patient{typicalPatient(), manyFactsPatient(), ombc(), ombc(male), ombc(tripleNegative),
		ombc(tripleNegative, addMarkers(Marker{Source: Source{Ref: "Observation/pdl1", Date: daysAgo(10)}, Kind: MarkerPDL1, Result: Positive, Text: "CPS 12"})),
		ombc(withMarkers(marker(MarkerER, Negative), marker(MarkerPR, Negative), marker(MarkerHER2, Positive))),
		ombc(withMarkers(marker(MarkerHER2, Equivocal))),
		ombc(withMarkers(marker(MarkerHR, Positive), Marker{Source: Source{Ref: "Observation/ish"}, Kind: MarkerHER2, Method: MethodISH, Result: Negative})),
		ombc(addMarkers(Marker{Source: Source{Ref: "Observation/b"}, Kind: MarkerBRCA, Result: Positive, Gene: "BRCA2", Origin: Germline})),
		ombc(addMeds(med("palbociclib", DrugCDK46, "active"), med("letrozole", DrugEndocrine, "active")), addStatus(diseaseStatus(Improved, daysAgo(20)))),
		ombc(addMeds(med("denosumab", DrugBoneModifying, "active"))),
		ombc(addMeds(Medication{Source: Source{Ref: "MedicationRequest/prolia"}, Record: RecordRequest, Status: "active", Drug: "denosumab", Class: DrugBoneModifying, OsteoporosisDose: true})),
		ombc(func(p *Patient) {
			p.Primaries = []Primary{primary(Right, daysAgo(100))}
			p.Metastases = []Metastasis{met("bone", SiteBone, LateralityUnknown, daysAgo(90))}
			p.BirthDate = daysAgo(40 * 365)
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(95)}, Kind: StagingM, Value: "M1", Sub: "M1b"}}
			p.DiseaseStatus = []StatusReport{diseaseStatus(Improved, daysAgo(5))}
			p.Performance = []Performance{{Source: Source{Ref: "Observation/kps"}, Scale: Karnofsky, Value: 90}}
		}),
		ombc(func(p *Patient) {
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
		ombc(func(p *Patient) {
			p.Metastases = []Metastasis{met("node", SiteAxillaryNode, LateralityUnknown, daysAgo(10)), met("liver", SiteLiver, Left, daysAgo(10))}
			p.Metastases[0].Ref = "Condition/<b>"
			p.Lesions = append(p.Lesions, Lesion{Source: Source{Ref: "BodyStructure/u"}, Site: SiteUnknown, Active: true})
			p.Skipped = []Skipped{{Ref: "Observation/<script>", Reason: hostile}}
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m", Date: daysAgo(1000)}, Kind: StagingGroup, Value: "IV", Sub: "IV"}}
			p.TumorBoards = []TumorBoard{{Source: Source{Ref: "CarePlan/x", Date: daysAgo(5)}}}
			p.DiseaseStatus = []StatusReport{diseaseStatus(Worsened, daysAgo(1))}
		}),
		ombc(func(p *Patient) { p.Lesions = lesions(8, SiteLiver) }),
		ombc(func(p *Patient) { p.Lesions = nil; p.MetastasisHistory = []MetastasisHistory{{Present: true}} }),
		ombc(func(p *Patient) { p.Lesions = nil; p.Metastases = nil; p.Staging = []Staging{{Kind: StagingGroup, Value: "IV"}} }),
		ombc(func(p *Patient) { p.Deceased = true }),
		ombc(func(p *Patient) { p.Primaries = nil }),
	}
	return ps
}

func TestZZSnapshot(t *testing.T) {
	out := os.Getenv("SNAP")
	if out == "" {
		t.Skip()
	}
	var b strings.Builder
	for i, p := range snapshotPatients() {
		fmt.Fprintf(&b, "=== patient %d\n", i)
		for _, r := range Evaluate(Rules(), p, now, DefaultConfig()) {
			fmt.Fprintf(&b, "%#v\n", r)
		}
		for _, r := range Rules() {
			rec, ok := r.Apply(NewCase(p, now, DefaultConfig()))
			fmt.Fprintf(&b, "apply %s %v %d\n", r.Code, ok, len(rec.Detail))
		}
	}
	os.WriteFile(out, []byte(b.String()), 0o644)
}
