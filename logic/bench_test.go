package logic

import (
	"fmt"
	"testing"
)

// The speed benchmarks of Evaluate (issue 7: the whole in-process hook path
// of a typical OMBC request must stay under 1 ms). Run them with
//
//	go test ./logic -run '^$' -bench Evaluate -benchmem

// typicalPatient mirrors the typical hook fixture
// (fixtures/requests/ombc-hr-pos-her2-neg-new.json): a left breast primary,
// bone and liver metastases with three lesions, ER/PR/HER2, a CT and a bone
// scan, tamoxifen and a lumpectomy.
func typicalPatient() Patient {
	return ombc(func(p *Patient) {
		p.Primaries = []Primary{primary(Left, daysAgo(1400))}
		p.Metastases = []Metastasis{
			met("bone", SiteBone, LateralityUnknown, daysAgo(200)),
			met("liver", SiteLiver, LateralityUnknown, daysAgo(190)),
		}
		p.Lesions = append(lesions(2, SiteBone), lesions(1, SiteLiver)...)
		p.Imaging = []Imaging{
			{Source: Source{Ref: "ImagingStudy/ct", Date: daysAgo(210)}, Modality: "CT", Description: "CT chest abdomen pelvis"},
			{Source: Source{Ref: "ImagingStudy/bone-scan", Date: daysAgo(205)}, Modality: "NM", Description: "Bone scan, whole body"},
		}
		p.Medications = []Medication{{
			Source: Source{Ref: "MedicationStatement/tamoxifen", Date: daysAgo(1300)},
			Record: RecordStatement, Status: "active", Drug: "tamoxifen", Class: DrugEndocrine, Start: daysAgo(1300),
		}}
		p.Procedures = []Procedure{{
			Source: Source{Ref: "Procedure/lumpectomy", Date: daysAgo(1380)},
			Kind:   ProcedureBreastSurgery, Status: "completed",
			Code: Code{System: "http://snomed.info/sct", Code: "392021009", Display: "Lumpectomy of breast"},
		}}
	})
}

// manyFactsPatient is the typical patient with a long history: about 300
// observation-derived facts (markers, disease status, performance status,
// staging) and 50 medications, most of them stopped.
func manyFactsPatient() Patient {
	p := typicalPatient()
	classes := []DrugClass{DrugEndocrine, DrugCDK46, DrugChemotherapy, DrugBoneModifying, DrugGnRH, DrugOther}
	for i := range 50 {
		m := med(fmt.Sprintf("drug%d", i), classes[i%len(classes)], "stopped")
		m.Start = daysAgo(1300 - i*20)
		if i%10 == 0 {
			m.Status = "active"
		}
		p.Medications = append(p.Medications, m)
	}
	kinds := []MarkerKind{MarkerER, MarkerPR, MarkerHER2, MarkerBRCA, MarkerPDL1, MarkerHR}
	results := []Result{Positive, Negative, Equivocal, ResultUnknown}
	for i := range 200 {
		p.Markers = append(p.Markers, Marker{
			Source: Source{Ref: fmt.Sprintf("Observation/m%d", i), Date: daysAgo(1400 - i*5)},
			Kind:   kinds[i%len(kinds)], Result: results[i%len(results)], Method: Method(i % 5),
		})
	}
	statuses := []DiseaseStatus{Improved, Stable, Worsened, Undetermined}
	for i := range 50 {
		p.DiseaseStatus = append(p.DiseaseStatus, diseaseStatus(statuses[i%len(statuses)], daysAgo(1000-i*15)))
		p.Performance = append(p.Performance, Performance{
			Source: Source{Ref: fmt.Sprintf("Observation/ecog%d", i), Date: daysAgo(1000 - i*15)}, Scale: ECOG, Value: i % 3,
		})
	}
	for i := range 10 {
		p.Staging = append(p.Staging, Staging{
			Source: Source{Ref: fmt.Sprintf("Observation/tnm%d", i), Date: daysAgo(1400 - i)}, Kind: StagingN, Value: "N1", Sub: "N1a",
		})
	}
	for i := range 20 {
		p.Imaging = append(p.Imaging, Imaging{
			Source: Source{Ref: fmt.Sprintf("ImagingStudy/i%d", i), Date: daysAgo(1000 - i*40)}, Modality: "CT", Description: "CT chest",
		})
	}
	return p
}

func BenchmarkEvaluate(b *testing.B) {
	rules, cfg := Rules(), DefaultConfig()
	for _, bc := range []struct {
		name string
		p    Patient
	}{
		{"Typical", typicalPatient()},
		{"ManyFacts", manyFactsPatient()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if len(Evaluate(rules, bc.p, now, cfg)) == 0 {
				b.Fatal("no recommendation fired")
			}
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(rules, bc.p, now, cfg)
			}
		})
	}
}
