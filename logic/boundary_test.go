package logic

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRuleBoundaries is one table per rule in clinical words: each case
// names the rule and whether it fires for the patient.
func TestRuleBoundaries(t *testing.T) {
	pet := func(ago int) func(*Patient) {
		return func(p *Patient) {
			p.Imaging = append(p.Imaging, Imaging{Source: Source{Ref: "ImagingStudy/pet", Date: daysAgo(ago)}, Modality: "PT", PET: true})
		}
	}
	brain := func(p *Patient) {
		p.Metastases = append(p.Metastases, met("brain", SiteBrain, LateralityUnknown, daysAgo(100)))
		p.Lesions = append(p.Lesions, lesion("brain1", SiteBrain))
	}
	board := func(ago int) func(*Patient) {
		return func(p *Patient) {
			p.TumorBoards = append(p.TumorBoards, TumorBoard{Source: Source{Ref: "CarePlan/board", Date: daysAgo(ago)}, Description: "Tumor board review"})
		}
	}
	evidence := func(kinds ...EvidenceKind) func(*Patient) {
		return func(p *Patient) { p.Metastases[0].Evidence = kinds }
	}
	deNovo := func(p *Patient) {
		p.Primaries[0].Onset = daysAgo(300)
		p.Metastases[0].Onset = daysAgo(280)
	}
	surgery := func(status string) func(*Patient) {
		return func(p *Patient) {
			p.Procedures = append(p.Procedures, Procedure{Source: Source{Ref: "Procedure/mastectomy", Date: daysAgo(250)}, Kind: ProcedureBreastSurgery, Status: status})
		}
	}
	her2 := func(r Result, m Method) Marker {
		x := marker(MarkerHER2, r)
		x.Method = m
		x.Ref = "Observation/her2-" + m.String()
		return x
	}
	brca := func(r Result, o Origin) Marker {
		x := marker(MarkerBRCA, r)
		x.Origin, x.Gene = o, "BRCA2"
		return x
	}
	polymetastatic := func(p *Patient) { p.Lesions = lesions(6, SiteBone) }
	onTherapy := addMeds(med("letrozole", DrugEndocrine, "active"), med("palbociclib", DrugCDK46, "active"))

	tests := []struct {
		name string
		code string
		p    Patient
		want bool
	}{
		// tumor-board
		{"OMBC without a tumour board fires", "tumor-board", ombc(), true},
		{"tumour board after the newest metastasis suppresses", "tumor-board", ombc(board(100)), false},
		{"tumour board before the newest metastasis does not suppress", "tumor-board", ombc(board(300)), true},
		{"progression after the tumour board re-fires", "tumor-board", ombc(board(100), addStatus(diseaseStatus(Worsened, daysAgo(20)))), true},
		{"polymetastatic (6 lesions) does not fire", "tumor-board", ombc(polymetastatic), false},
		{"5 lesions is OMBC", "tumor-board", ombc(func(p *Patient) { p.Lesions = lesions(5, SiteBone) }), true},
		{"deceased patient gets nothing", "tumor-board", ombc(func(p *Patient) { p.Deceased = true }), false},
		{"entered-in-error primary: out of scope", "tumor-board", ombc(func(p *Patient) { p.Primaries[0].Verification = VerificationEnteredInError }), false},
		{"refuted primary: out of scope", "tumor-board", ombc(func(p *Patient) { p.Primaries[0].Verification = VerificationRefuted }), false},
		{"resolved primary: out of scope", "tumor-board", ombc(func(p *Patient) { p.Primaries[0].Clinical = StatusResolved }), false},
		{"primary without clinical status counts", "tumor-board", ombc(func(p *Patient) { p.Primaries[0].Clinical = StatusAbsent }), true},
		{"male OMBC fires", "tumor-board", ombc(male), true},

		// staging-imaging
		{"no PET at all fires", "staging-imaging", ombc(), true},
		{"PET 61 days ago fires", "staging-imaging", ombc(pet(61)), true},
		{"PET 59 days ago suppresses", "staging-imaging", ombc(pet(59)), false},
		{"CT (not PET) 10 days ago fires", "staging-imaging", ombc(func(p *Patient) {
			p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/ct", Date: daysAgo(10)}, Modality: "CT"}}
		}), true},
		{"brain lesion: no PET card", "staging-imaging", ombc(brain), false},

		// biopsy-metastasis
		{"imaging-only evidence fires", "biopsy-metastasis", ombc(evidence(EvidenceImaging)), true},
		{"histologic evidence suppresses", "biopsy-metastasis", ombc(evidence(EvidenceImaging, EvidenceHistologic)), false},
		{"cytologic evidence suppresses", "biopsy-metastasis", ombc(evidence(EvidenceCytologic)), false},
		{"missing evidence fires", "biopsy-metastasis", ombc(), true},

		// receptor-status
		{"all three receptors known: silent", "receptor-status", ombc(), false},
		{"PR missing fires", "receptor-status", ombc(withMarkers(marker(MarkerER, Positive), marker(MarkerHER2, Negative))), true},
		{"HER2 IHC equivocal without ISH fires", "receptor-status", ombc(withMarkers(marker(MarkerER, Positive), marker(MarkerPR, Positive), her2(Equivocal, MethodIHC))), true},
		{"HER2 IHC equivocal settled by ISH: silent", "receptor-status", ombc(withMarkers(marker(MarkerER, Positive), marker(MarkerPR, Positive), her2(Equivocal, MethodIHC), her2(Negative, MethodISH))), false},
		{"only a combined ER+PR result fires", "receptor-status", ombc(withMarkers(marker(MarkerHR, Positive), marker(MarkerHER2, Negative))), true},
		{"result of unknown interpretation is missing", "receptor-status", ombc(withMarkers(marker(MarkerER, ResultUnknown), marker(MarkerPR, Positive), marker(MarkerHER2, Negative))), true},

		// systemic-endocrine-cdk46
		{"HR+/HER2- without therapy fires", "systemic-endocrine-cdk46", ombc(), true},
		{"active letrozole and palbociclib suppress", "systemic-endocrine-cdk46", ombc(onTherapy), false},
		{"letrozole alone does not suppress", "systemic-endocrine-cdk46", ombc(addMeds(med("letrozole", DrugEndocrine, "active"))), true},
		{"Synthea's stopped palbociclib is not active", "systemic-endocrine-cdk46", ombc(addMeds(med("letrozole", DrugEndocrine, "active"), med("palbociclib", DrugCDK46, "stopped"))), true},
		{"on-hold request counts as active", "systemic-endocrine-cdk46", ombc(addMeds(med("letrozole", DrugEndocrine, "on-hold"), med("palbociclib", DrugCDK46, "active"))), false},
		{"intended statement counts as active", "systemic-endocrine-cdk46", ombc(addMeds(med("letrozole", DrugEndocrine, "active"), func() Medication {
			m := med("palbociclib", DrugCDK46, "intended")
			m.Record = RecordStatement
			return m
		}())), false},
		{"administration 89 days ago is active", "systemic-endocrine-cdk46", ombc(addMeds(med("letrozole", DrugEndocrine, "active"), func() Medication {
			m := med("palbociclib", DrugCDK46, "completed")
			m.Record, m.Date = RecordAdministration, daysAgo(89)
			return m
		}())), false},
		{"administration 91 days ago is not active", "systemic-endocrine-cdk46", ombc(addMeds(med("letrozole", DrugEndocrine, "active"), func() Medication {
			m := med("palbociclib", DrugCDK46, "completed")
			m.Record, m.Date = RecordAdministration, daysAgo(91)
			return m
		}())), true},
		{"HER2-positive: silent", "systemic-endocrine-cdk46", ombc(withMarkers(marker(MarkerER, Positive), marker(MarkerHER2, Positive))), false},
		{"PR-only positive counts as HR+", "systemic-endocrine-cdk46", ombc(withMarkers(marker(MarkerER, Negative), marker(MarkerPR, Positive), marker(MarkerHER2, Negative))), true},
		{"newer ER negative re-biopsy overrides", "systemic-endocrine-cdk46", ombc(withMarkers(marker(MarkerER, Positive), marker(MarkerPR, Negative), marker(MarkerHER2, Negative), func() Marker {
			m := marker(MarkerER, Negative)
			m.Date = daysAgo(100)
			return m
		}())), false},
		{"receptors unknown: silent", "systemic-endocrine-cdk46", ombc(withMarkers()), false},

		// systemic-anti-her2
		{"HER2+ without anti-HER2 fires", "systemic-anti-her2", ombc(withMarkers(marker(MarkerHER2, Positive))), true},
		{"HER2+ on trastuzumab: silent", "systemic-anti-her2", ombc(withMarkers(marker(MarkerHER2, Positive)), addMeds(med("trastuzumab", DrugAntiHER2, "active"))), false},
		{"HER2 equivocal settled positive by ISH fires", "systemic-anti-her2", ombc(withMarkers(her2(Equivocal, MethodIHC), her2(Positive, MethodISH))), true},
		{"HER2-negative: silent", "systemic-anti-her2", ombc(), false},

		// systemic-parp
		{"germline BRCA2 pathogenic fires", "systemic-parp", ombc(addMarkers(brca(Positive, Germline))), true},
		{"BRCA origin not recorded fires", "systemic-parp", ombc(addMarkers(brca(Positive, OriginUnknown))), true},
		{"somatic-only BRCA: silent", "systemic-parp", ombc(addMarkers(brca(Positive, Somatic))), false},
		{"BRCA variant of uncertain significance: silent", "systemic-parp", ombc(addMarkers(brca(Equivocal, Germline))), false},
		{"on olaparib: silent", "systemic-parp", ombc(addMarkers(brca(Positive, Germline)), addMeds(med("olaparib", DrugPARP, "active"))), false},

		// systemic-immunotherapy
		{"PD-L1+ TNBC fires", "systemic-immunotherapy", ombc(tripleNegative, addMarkers(marker(MarkerPDL1, Positive))), true},
		{"PD-L1- TNBC: silent", "systemic-immunotherapy", ombc(tripleNegative, addMarkers(marker(MarkerPDL1, Negative))), false},
		{"PD-L1+ but HR+: silent", "systemic-immunotherapy", ombc(addMarkers(marker(MarkerPDL1, Positive))), false},
		{"on pembrolizumab: silent", "systemic-immunotherapy", ombc(tripleNegative, addMarkers(marker(MarkerPDL1, Positive)), addMeds(med("pembrolizumab", DrugCheckpoint, "active"))), false},

		// germline-brca-testing
		{"HER2- without BRCA result fires", "germline-brca-testing", ombc(), true},
		{"any BRCA result suppresses", "germline-brca-testing", ombc(addMarkers(brca(Negative, Germline))), false},
		{"HER2+ woman: silent", "germline-brca-testing", ombc(withMarkers(marker(MarkerHER2, Positive))), false},
		{"HER2+ man fires", "germline-brca-testing", ombc(male, withMarkers(marker(MarkerHER2, Positive))), true},
		{"male-breast primary code counts as male", "germline-brca-testing", ombc(func(p *Patient) { p.Primaries[0].Male = true }, withMarkers()), true},

		// pdl1-testing
		{"TNBC without PD-L1 fires", "pdl1-testing", ombc(tripleNegative), true},
		{"TNBC with PD-L1 result: silent", "pdl1-testing", ombc(tripleNegative, addMarkers(marker(MarkerPDL1, Negative))), false},
		{"HR+: silent", "pdl1-testing", ombc(), false},

		// bone-modifying-agent
		{"bone metastasis without BMA fires", "bone-modifying-agent", ombc(), true},
		{"Xgeva-dose denosumab suppresses", "bone-modifying-agent", ombc(addMeds(med("denosumab", DrugBoneModifying, "active"))), false},
		{"Prolia does not suppress", "bone-modifying-agent", ombc(addMeds(func() Medication {
			m := med("denosumab", DrugBoneModifying, "active")
			m.OsteoporosisDose = true
			return m
		}())), true},
		{"polymetastatic bone disease fires too", "bone-modifying-agent", ombc(polymetastatic), true},
		{"bone metastasis of unknown extent fires", "bone-modifying-agent", ombc(func(p *Patient) { p.Lesions = nil }), true},
		{"resolved bone metastasis: silent", "bone-modifying-agent", ombc(func(p *Patient) { p.Metastases[0].Clinical = StatusResolved; p.Lesions = nil }), false},
		{"entered-in-error bone metastasis: silent", "bone-modifying-agent", ombc(func(p *Patient) {
			p.Metastases[0].Verification = VerificationEnteredInError
			p.Lesions = nil
		}), false},
		{"liver-only disease: silent", "bone-modifying-agent", ombc(func(p *Patient) {
			p.Metastases = []Metastasis{met("liver", SiteLiver, LateralityUnknown, daysAgo(200))}
			p.Lesions = lesions(1, SiteLiver)
		}), false},

		// primary-tumor-surgery
		{"de novo with primary in place fires", "primary-tumor-surgery", ombc(deNovo), true},
		{"de novo after mastectomy: silent", "primary-tumor-surgery", ombc(deNovo, surgery("completed")), false},
		{"cancelled surgery does not count", "primary-tumor-surgery", ombc(deNovo, surgery("not-done")), true},
		{"metachronous metastasis (800 days later): silent", "primary-tumor-surgery", ombc(), false},
		{"M1 staging at diagnosis is de novo", "primary-tumor-surgery", ombc(func(p *Patient) {
			p.Staging = []Staging{{Source: Source{Ref: "Observation/m1", Date: daysAgo(990)}, Kind: StagingM, Value: "M1"}}
		}), true},
		{"first metastasis 89 days after onset is de novo", "primary-tumor-surgery", ombc(func(p *Patient) { p.Metastases[0].Onset = daysAgo(1000 - 89) }), true},
		{"first metastasis 91 days after onset is not", "primary-tumor-surgery", ombc(func(p *Patient) { p.Metastases[0].Onset = daysAgo(1000 - 91) }), false},

		// document-response
		{"no systemic therapy yet fires", "document-response", ombc(), true},
		{"therapy without later status fires", "document-response", ombc(onTherapy, addStatus(diseaseStatus(Stable, daysAgo(130)))), true},
		{"status after therapy start suppresses", "document-response", ombc(onTherapy, addStatus(diseaseStatus(Stable, daysAgo(30)))), false},
		{"brain lesion: silent", "document-response", ombc(brain), false},

		// metastasis-directed-therapy
		{"improved after therapy start fires", "metastasis-directed-therapy", ombc(onTherapy, addStatus(diseaseStatus(Improved, daysAgo(30)))), true},
		{"stable after therapy start fires", "metastasis-directed-therapy", ombc(onTherapy, addStatus(diseaseStatus(Stable, daysAgo(30)))), true},
		{"worsening: silent", "metastasis-directed-therapy", ombc(onTherapy, addStatus(diseaseStatus(Improved, daysAgo(60)), diseaseStatus(Worsened, daysAgo(10)))), false},
		{"status only before therapy start: silent", "metastasis-directed-therapy", ombc(onTherapy, addStatus(diseaseStatus(Improved, daysAgo(130)))), false},
		{"no therapy: silent", "metastasis-directed-therapy", ombc(addStatus(diseaseStatus(Improved, daysAgo(30)))), false},
		{"brain lesion: silent", "metastasis-directed-therapy", ombc(brain, onTherapy, addStatus(diseaseStatus(Improved, daysAgo(30)))), false},

		// brain-metastasis
		{"brain metastasis fires", "brain-metastasis", ombc(brain), true},
		{"brain metastasis in polymetastatic disease fires", "brain-metastasis", ombc(brain, polymetastatic), true},
		{"no brain metastasis: silent", "brain-metastasis", ombc(), false},
		{"no primary: nothing at all", "brain-metastasis", ombc(brain, func(p *Patient) { p.Primaries = nil }), false},

		// data-quality
		{"OMBC fully recorded: silent", "data-quality", ombc(), false},
		{"stage IV without sites fires", "data-quality", ombc(func(p *Patient) {
			p.Metastases, p.Lesions = nil, nil
			p.Staging = []Staging{{Source: Source{Ref: "Observation/stage", Date: daysAgo(10)}, Kind: StagingGroup, Value: "IV", Sub: "IV"}}
		}), true},
		{"bone site without lesions fires", "data-quality", ombc(func(p *Patient) { p.Lesions = nil }), true},
		{"history of metastatic cancer fires", "data-quality", ombc(func(p *Patient) {
			p.Metastases, p.Lesions = nil, nil
			p.MetastasisHistory = []MetastasisHistory{{Source: Source{Ref: "Observation/h", Date: daysAgo(50)}, Present: true}}
		}), true},
		{"history negated later: silent", "data-quality", ombc(func(p *Patient) {
			p.Metastases, p.Lesions = nil, nil
			p.MetastasisHistory = []MetastasisHistory{
				{Source: Source{Ref: "Observation/h1", Date: daysAgo(50)}, Present: true},
				{Source: Source{Ref: "Observation/h2", Date: daysAgo(5)}, Present: false},
			}
		}), false},
		{"axillary node of unknown side fires", "data-quality", ombc(func(p *Patient) {
			p.Metastases = append(p.Metastases, met("node", SiteAxillaryNode, LateralityUnknown, daysAgo(100)))
		}), true},
		{"ipsilateral axillary node: silent", "data-quality", ombc(func(p *Patient) {
			p.Metastases = append(p.Metastases, met("node", SiteAxillaryNode, Right, daysAgo(100)))
		}), false},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.name, func(t *testing.T) {
			if got := fires(t, tt.code, tt.p); got != tt.want {
				t.Errorf("%s fires = %v, want %v; fired: %v", tt.code, got, tt.want, codes(Evaluate(Rules(), tt.p, now, DefaultConfig())))
			}
		})
	}
}

func TestOutOfScopeGetsNoCards(t *testing.T) {
	tests := []struct {
		name string
		p    Patient
	}{
		{"no primary", ombc(func(p *Patient) { p.Primaries = nil })},
		{"deceased", ombc(func(p *Patient) { p.Deceased = true; p.DeceasedDate = daysAgo(3) })},
		{"deceased date only", ombc(func(p *Patient) { p.DeceasedDate = daysAgo(3) })},
		{"only an entered-in-error primary", ombc(func(p *Patient) { p.Primaries[0].Verification = VerificationEnteredInError })},
		{"empty record", Patient{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate(Rules(), tt.p, now, DefaultConfig()); len(got) != 0 {
				t.Errorf("got %v, want no recommendations", codes(got))
			}
		})
	}
}

func TestWindowsAreConfigurable(t *testing.T) {
	p := ombc(func(p *Patient) {
		p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/pet", Date: daysAgo(100)}, Modality: "PT", PET: true}}
	})
	cfg := DefaultConfig()
	if !slices.Contains(codes(Evaluate(Rules(), p, now, cfg)), "staging-imaging") {
		t.Fatal("PET 100 days ago suppressed staging-imaging with the default 60-day window")
	}
	cfg.PETWindow = 120 * day
	if slices.Contains(codes(Evaluate(Rules(), p, now, cfg)), "staging-imaging") {
		t.Error("PET 100 days ago did not suppress staging-imaging with a 120-day window")
	}
}

func TestRuleOrderIsTableOrder(t *testing.T) {
	p := ombc(tripleNegative, func(p *Patient) { p.Primaries[0].Onset = daysAgo(250) })
	got := codes(Evaluate(Rules(), p, now, DefaultConfig()))
	want := []string{"tumor-board", "staging-imaging", "biopsy-metastasis", "germline-brca-testing", "pdl1-testing", "bone-modifying-agent", "primary-tumor-surgery", "document-response"}
	if !slices.Equal(got, want) {
		t.Errorf("fired\n got %v\nwant %v", got, want)
	}
}

func TestCardWording(t *testing.T) {
	osteoporosis := med("denosumab", DrugBoneModifying, "active")
	osteoporosis.OsteoporosisDose = true
	mf07 := func(p *Patient) {
		p.BirthDate = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
		p.Primaries[0].Onset = daysAgo(300)
		p.Metastases[0].Onset = daysAgo(290)
		p.DiseaseStatus = []StatusReport{diseaseStatus(Improved, daysAgo(20))}
	}
	tests := []struct {
		name    string
		code    string
		p       Patient
		want    []string
		notWant []string
	}{
		{"female endocrine card has no male wording", "systemic-endocrine-cdk46", ombc(), []string{"CDK4/6 inhibitor"}, []string{"GnRH"}},
		{"male endocrine card: AI only with GnRH agonist", "systemic-endocrine-cdk46", ombc(male), []string{"aromatase inhibitor only together with a GnRH agonist", "Strong; FC-L", "male patient"}, nil},
		{"male BRCA card: testing for all men", "germline-brca-testing", ombc(male), []string{"every man with breast cancer"}, nil},
		{"Prolia: review the dose", "bone-modifying-agent", ombc(addMeds(osteoporosis)), []string{"review the dose", "active bone-modifying agent: denosumab"}, nil},
		{"immunotherapy names pembrolizumab, atezolizumab withdrawn", "systemic-immunotherapy", ombc(tripleNegative, addMarkers(marker(MarkerPDL1, Positive))), []string{"pembrolizumab with chemotherapy", "withdrawn"}, nil},
		{"primary surgery: not routine, trials cited", "primary-tumor-surgery", ombc(func(p *Patient) { p.Primaries[0].Onset = daysAgo(250) }), []string{"not routinely recommended", "E2108", "Tata Memorial", "TBCRC 013", "HR 1.03", "II, D (" + seedGradeNote + ")"}, []string{"MF07-01"}},
		{"primary surgery: MF07-01 subgroup when bone-only, HR+/HER2-, young, responding", "primary-tumor-surgery", ombc(mf07), []string{"MF07-01", "hypothesis-generating"}, nil},
		{"primary surgery: no MF07-01 when 60 years old", "primary-tumor-surgery", ombc(mf07, func(p *Patient) { p.BirthDate = time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC) }), nil, []string{"MF07-01"}},
		{"MDT: unproven, trials and II,C note", "metastasis-directed-therapy", ombc(addMeds(med("letrozole", DrugEndocrine, "active")), addStatus(diseaseStatus(Stable, daysAgo(10)))), []string{"NRG-BR002", "EXTEND", "SABR-COMET-3", "SABR-COMET-10", "TAORMINA", "LARA", "II, C (" + seedGradeNote + ")"}, nil},
		{"PET card cites the stale PET", "staging-imaging", ombc(func(p *Patient) {
			p.Imaging = []Imaging{{Source: Source{Ref: "ImagingStudy/pet", Date: daysAgo(61)}, Modality: "PT", PET: true}}
		}), []string{"no PET or PET/CT in the last 60 days", "ImagingStudy/pet, " + daysAgo(61).Format(time.DateOnly)}, nil},
		{"data-quality lists what to record and skipped resources", "data-quality", ombc(func(p *Patient) {
			p.Lesions = nil
			p.Skipped = []Skipped{{Ref: "Observation/bad", Reason: "unknown status code"}}
		}), []string{"mCODE Tumor BodyStructure for each lesion at: bone", "Secondary Cancer Condition", "Observation/bad: unknown status code"}, nil},
		{"data-quality gives every reason it fired", "data-quality", ombc(func(p *Patient) {
			p.Lesions = nil
			p.Metastases = append(p.Metastases, met("node", SiteAxillaryNode, LateralityUnknown, daysAgo(100)))
		}), []string{"classification: metastatic, extent unknown", "regional or distant unclear: axillary lymph node"}, []string{"and of the breast primary"}},
		{"data-quality explains an unplaced node", "data-quality", ombc(func(p *Patient) {
			p.Metastases = append(p.Metastases, met("node", SiteAxillaryNode, LateralityUnknown, daysAgo(100)))
		}), []string{"regional or distant unclear", "the laterality of the axillary lymph node secondary (Condition/node"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := recommendation(t, tt.code, tt.p).Detail
			for _, w := range tt.want {
				if !strings.Contains(d, w) {
					t.Errorf("detail lacks %q:\n%s", w, d)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(d, w) {
					t.Errorf("detail has %q:\n%s", w, d)
				}
			}
		})
	}
}

func TestReceptorStatusSuggestsOnlyMissingTests(t *testing.T) {
	tests := []struct {
		name    string
		markers []Marker
		want    []OrderCode
	}{
		{"nothing recorded", nil, []OrderCode{OrderERTest, OrderPRTest, OrderHER2IHC}},
		{"PR missing", []Marker{marker(MarkerER, Positive), marker(MarkerHER2, Negative)}, []OrderCode{OrderPRTest}},
		{"HER2 equivocal, no ISH", []Marker{marker(MarkerER, Positive), marker(MarkerPR, Negative), marker(MarkerHER2, Equivocal)}, []OrderCode{OrderHER2ISH}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := recommendation(t, "receptor-status", ombc(withMarkers(tt.markers...)))
			var got []OrderCode
			for _, s := range r.Suggestions {
				for _, o := range s.Orders {
					got = append(got, o.Code)
				}
			}
			if !slices.Equal(got, tt.want) || r.Selection != SelectAtMostOne {
				t.Errorf("orders %v selection %v, want %v at-most-one", got, r.Selection, tt.want)
			}
		})
	}
}
